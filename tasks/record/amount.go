package record

import "github.com/shopspring/decimal"

// MaxAmount is the largest amount a transaction may carry (DESIGN.md).
var MaxAmount = decimal.New(1_000_000_000, 0)

// maxCents is MaxAmount in hundredths, the unit parseAmount works in.
const maxCents = 1_000_000_000 * 100

// parseAmount reads the amount's JSON value exactly from its text, in
// hundredths: a JSON number, or a string holding one (producers that fear
// float rounding send strings). It never goes through float64, so "0.1" is
// exactly 10 hundredths.
func parseAmount(v value) (int64, *Rejection) {
	var text []byte
	switch v.kind {
	case kindNumber:
		text = v.raw
	case kindString:
		text = v.bytes()
		if len(text) == 0 || numberEnd(text, 0) != len(text) {
			return 0, reject(ReasonInvalidAmount, "amount %q is not a decimal number", truncate(string(text)))
		}
	default:
		return 0, reject(ReasonInvalidAmount, "amount must be a number or a numeric string, got %s", v.kind)
	}
	return exactAmount(text)
}

// exactAmount interprets valid JSON-number text. Amounts have at most two
// decimal places once trailing zeros are dropped ("1.50" and "1.5e0" are fine,
// "1.005" is not), so every accepted amount is a whole number of cents that
// fits in an int64; anything else is rejected before any big arithmetic, which
// also keeps hostile exponents such as 1e999999999 cheap.
func exactAmount(text []byte) (int64, *Rejection) {
	neg := text[0] == '-'
	i := 0
	if neg {
		i++
	}
	// The value is D × 10^-scale, D being the significant digits (those after
	// any leading zeros). Only the first len(buf) are kept: a valid amount has
	// at most 12, so a nonzero digit past the buffer already means rejection.
	var buf [24]byte
	n, nz, scale := 0, 0, 0 // n significant digits, nz up to the last nonzero one
	inFrac := false
	for ; i < len(text); i++ {
		c := text[i]
		if c == '.' {
			inFrac = true
			continue
		}
		if c == 'e' || c == 'E' {
			break
		}
		if inFrac {
			scale++
		}
		if n == 0 && c == '0' {
			continue
		}
		if n < len(buf) {
			buf[n] = c
		}
		n++
		if c != '0' {
			nz = n
		}
	}
	if i < len(text) { // exponent
		i++
		expNeg := false
		if text[i] == '+' || text[i] == '-' {
			expNeg = text[i] == '-'
			i++
		}
		exp := 0
		for ; i < len(text); i++ {
			if exp < 1_000_000 { // saturate: beyond this only "too big/small" matters
				exp = exp*10 + int(text[i]-'0')
			}
		}
		if expNeg {
			scale += exp
		} else {
			scale -= exp
		}
	}
	scale -= n - nz // drop trailing zeros
	n = nz
	if n == 0 {
		return 0, reject(ReasonNonPositiveAmount, "amount is zero")
	}
	if scale > 2 {
		return 0, reject(ReasonInvalidAmount, "amount %s has more than 2 decimal places", truncate(string(text)))
	}
	if neg {
		return 0, reject(ReasonNonPositiveAmount, "amount %s is negative", truncate(string(text)))
	}
	if n-scale > 10 {
		return 0, reject(ReasonInvalidAmount, "amount %s exceeds %s", truncate(string(text)), MaxAmount)
	}
	var cents int64
	for _, c := range buf[:n] {
		cents = cents*10 + int64(c-'0')
	}
	for s := scale; s < 2; s++ {
		cents *= 10
	}
	if cents > maxCents {
		return 0, reject(ReasonInvalidAmount, "amount %s exceeds %s", truncate(string(text)), MaxAmount)
	}
	return cents, nil
}

// truncate keeps details short when a hostile record carries a huge value.
func truncate(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
