package delta

import (
	"bytes"
	"testing"

	"github.com/shopspring/decimal"
)

// TestWideDecimalFastPathEncodesAsBigInt: a decimal(38,2) that fits 64 bits
// is encoded without big.Int; its bytes must be exactly those of the
// general path, for every sign, scale and size around the 18-digit edge.
func TestWideDecimalFastPathEncodesAsBigInt(t *testing.T) {
	dt, err := parseType("decimal(38,2)")
	if err != nil {
		t.Fatal(err)
	}
	f := Field{Name: "total_amount", Type: "decimal(38,2)"}
	n := decimalBytes(dt.precision)
	fast := 0
	for _, s := range []string{
		"0", "0.01", "-0.01", "1", "-1", "12.5", "-12.50", "1234567890.12", "-1234567890.12",
		"9999999999999999.99", "-9999999999999999.99", // 18 digits at scale 2: the last fast ones
		"99999999999999999.99", "-99999999999999999.99", "100000000000000000", // 19+: the general path
		"92233720368547758.07", "-92233720368547758.08", "123456789012345678901234567890.12", "5e10", "-7e-2",
	} {
		d := decimal.RequireFromString(s)
		u, err := unscaled(f, dt, d)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		want := twosComplement(u, n)
		if v, ok := small64(dt, d); ok {
			fast++
			if got := twosComplement64(v, n); !bytes.Equal(got, want) {
				t.Errorf("%s: fast path %x, want %x", s, got, want)
			}
		}
	}
	if fast < 10 {
		t.Fatalf("only %d values took the fast path", fast)
	}
	if _, ok := small64(dt, decimal.RequireFromString("1.001")); ok {
		t.Error("a value with more decimal places than the scale took the fast path")
	}
}
