package record

import (
	"bytes"
	_ "embed"
	"sort"
	"strings"
)

// The code list is data, not code, so that an ISO amendment is a one-line
// edit of currencies.txt.
//
//go:embed currencies.txt
var currencyList string

// currencies maps each upper-case code to itself, so a lookup also yields the
// canonical string (and its box, for Decoder.Boxes) without allocating.
var currencies = parseCurrencies(currencyList)

func parseCurrencies(list string) map[[3]byte]sharedString {
	m := make(map[[3]byte]sharedString, 200)
	for _, line := range strings.Split(list, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		for _, code := range strings.Fields(line) {
			if len(code) != 3 {
				panic("record: bad currency code in currencies.txt: " + code) // embedded data, checked by tests
			}
			m[[3]byte{code[0], code[1], code[2]}] = sharedString{code, code}
		}
	}
	return m
}

// Currencies returns the active ISO 4217 codes that Validate accepts, sorted.
func Currencies() []string {
	out := make([]string, 0, len(currencies))
	for _, c := range currencies {
		out = append(out, c.s)
	}
	sort.Strings(out)
	return out
}

// LookupCurrency returns the canonical upper-case code for s, which may carry
// surrounding white space and any letter case.
func LookupCurrency(s string) (string, bool) {
	c, ok := lookupCurrency([]byte(s))
	return c.s, ok
}

// lookupCurrency is LookupCurrency of the text b, which it does not keep.
func lookupCurrency(s []byte) (sharedString, bool) {
	s = bytes.TrimSpace(s)
	if len(s) != 3 {
		return sharedString{}, false
	}
	var k [3]byte
	for i := 0; i < 3; i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		k[i] = c
	}
	code, ok := currencies[k]
	return code, ok
}
