package delta

import "testing"

// TestDecimalBytesMatchesSpark: fixed-length decimal columns must have
// Spark's widths (minBytesForPrecision), or Spark rejects the files.
func TestDecimalBytesMatchesSpark(t *testing.T) {
	for p, want := range map[int]int{1: 1, 2: 1, 3: 2, 9: 4, 10: 5, 18: 8, 19: 9, 38: 16, 39: 17} {
		if got := decimalBytes(p); got != want {
			t.Errorf("decimalBytes(%d) = %d, want %d", p, got, want)
		}
	}
}
