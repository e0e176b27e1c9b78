package record

import (
	"encoding/json"
	"testing"

	"github.com/shopspring/decimal"
)

func TestAppendAmount(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		d    decimal.Decimal
		want string
	}{
		{decimal.New(1250, -2), "12.50"}, {decimal.New(5, -2), "0.05"}, {decimal.New(7, 0), "7.00"},
		{decimal.New(3, -1), "0.30"}, {decimal.New(-125, -2), "-1.25"}, {decimal.New(-5, -2), "-0.05"},
		{decimal.New(100_000_000_000, -2), "1000000000.00"}, {decimal.Zero, "0.00"},
		{decimal.New(12345, -3), "12.35"}, {decimal.New(1, 20), "100000000000000000000.00"},
	} {
		if got := string(appendAmount(nil, tc.d)); got != tc.want {
			t.Errorf("appendAmount(%s) = %s, want %s", tc.d, got, tc.want)
		}
	}
}

func TestAppendJSONString(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"plain":          `"plain"`,
		"":               `""`,
		"q\"b\\n\n\x01":  `"q\"b\\n\u000a\u0001"`,
		"café 😀":         `"café 😀"`,
		"bad \xff utf-8": "\"bad \ufffd utf-8\"",
	} {
		if got := string(AppendJSONString(nil, in)); got != want {
			t.Errorf("AppendJSONString(%q) = %s, want %s", in, got, want)
		}
	}
}

// FuzzAppendJSONString checks that the output is valid JSON that decodes as
// encoding/json's own encoding of the same string does.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"a", "\"\\", "\x00\x1f", "é\xff\xfe", "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var ours, theirs string
		if err := json.Unmarshal(AppendJSONString(nil, s), &ours); err != nil {
			t.Fatalf("invalid JSON for %q: %v", s, err)
		}
		ref, _ := json.Marshal(s)
		if err := json.Unmarshal(ref, &theirs); err != nil {
			t.Fatal(err)
		}
		if ours != theirs {
			t.Fatalf("%q decodes as %q, encoding/json's as %q", s, ours, theirs)
		}
	})
}
