package money

import (
	"math"
	"testing"

	"github.com/shopspring/decimal"
)

func TestSumIsExactPastInt64(t *testing.T) {
	t.Parallel()
	var s Sum
	want := decimal.Zero
	for i := 0; i < 5; i++ {
		s.Add(math.MaxInt64 / 2)
		want = want.Add(decimal.New(math.MaxInt64/2, -2))
	}
	if !s.Decimal().Equal(want) {
		t.Fatalf("sum = %s, want %s", s.Decimal(), want)
	}
	var o Sum
	o.AddSum(s)
	if !o.Equal(s) || o.Cmp(s) != 0 {
		t.Fatalf("AddSum lost precision: %s vs %s", o.Decimal(), s.Decimal())
	}
}

func TestAddDecimal(t *testing.T) {
	t.Parallel()
	var s Sum
	for _, a := range []string{"0.1", "0.2", "10", "1e9", "12.30"} {
		if err := s.AddDecimal(decimal.RequireFromString(a)); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.Decimal().String(); got != "1000000022.6" {
		t.Fatalf("sum = %s", got)
	}
	if err := s.AddDecimal(decimal.RequireFromString("0.001")); err == nil {
		t.Fatal("three decimal places accepted")
	}
}

func TestAverageHalfEven(t *testing.T) {
	t.Parallel()
	cases := []struct {
		cents int64
		count int64
		want  string
	}{
		{1000, 3, "3.33"}, // 3.3333
		{2000, 3, "6.67"}, // 6.6666
		{1, 2, "0"},       // 0.005 → 0.00 (even)
		{3, 2, "0.02"},    // 0.015 → 0.02 (even)
		{5, 2, "0.02"},    // 0.025 → 0.02 (even)
		{7, 2, "0.04"},    // 0.035 → 0.04
		{-5, 2, "-0.02"},  // symmetric
		{1000, 0, "0"},    // no panic
		{12345, 1, "123.45"},
	}
	for _, c := range cases {
		var s Sum
		s.Add(c.cents)
		if got := s.AverageHalfEven(c.count); !got.Equal(decimal.RequireFromString(c.want)) {
			t.Errorf("avg(%d cents / %d) = %s, want %s", c.cents, c.count, got, c.want)
		}
	}
}

func TestCents(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{"1.23": 123, "5": 500, "0.5": 50, "1e3": 100000} {
		got, ok := Cents(decimal.RequireFromString(in))
		if !ok || got != want {
			t.Errorf("Cents(%s) = %d, %v", in, got, ok)
		}
	}
	if _, ok := Cents(decimal.RequireFromString("1.234")); ok {
		t.Error("Cents accepted three places")
	}
}
