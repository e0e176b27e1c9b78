// Package record defines the transaction record that flows through FinPipe
// and the stateless Silver validation rules of DESIGN.md: Validate turns the
// bytes of a Kafka message into a Transaction or a Rejection with the first
// failing reason code. The stateful rules (late_event, duplicate) need the
// clean task's state; this package gives their codes and the CheckLate rule.
package record

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Transaction is one validated card or account transaction, normalized:
// currency upper-case, status defaulted, event time in UTC.
type Transaction struct {
	TransactionID string
	UserID        string
	// Amount is exact, positive, at most 1,000,000,000 with 2 decimal places.
	Amount        decimal.Decimal
	Currency      string
	Merchant      string // optional fields are "" when absent
	Category      string
	Country       string
	PaymentMethod string
	Status        string // one of the Status* constants
	EventTime     time.Time
}

// The transaction statuses; a record without status is approved.
const (
	StatusApproved = "approved"
	StatusDeclined = "declined"
	StatusPending  = "pending"
	StatusRefunded = "refunded"
)

var statuses = [...]string{StatusApproved, StatusDeclined, StatusPending, StatusRefunded}

// statusBoxes are the statuses as interfaces, for Decoder.Boxes.
var statusBoxes = [len(statuses)]any{StatusApproved, StatusDeclined, StatusPending, StatusRefunded}

// Statuses returns the accepted status values.
func Statuses() []string { return append([]string(nil), statuses[:]...) }

// JSON encodes the transaction as the producer sends it: amount as a JSON
// number with two decimals, event_time as RFC 3339 UTC. Validate of the result
// (with a Kafka timestamp not before the event) returns the same Transaction.
func (t Transaction) JSON() []byte {
	return t.AppendJSON(make([]byte, 0, 384))
}

// AppendJSON appends JSON() to dst, for producers that reuse a buffer.
func (t Transaction) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"transaction_id":`...)
	dst = AppendJSONString(dst, t.TransactionID)
	dst = append(dst, `,"user_id":`...)
	dst = AppendJSONString(dst, t.UserID)
	dst = append(dst, `,"amount":`...)
	dst = appendAmount(dst, t.Amount)
	dst = append(dst, `,"currency":`...)
	dst = AppendJSONString(dst, t.Currency)
	for _, f := range [...]struct{ name, val string }{
		{`,"merchant":`, t.Merchant}, {`,"category":`, t.Category},
		{`,"country":`, t.Country}, {`,"payment_method":`, t.PaymentMethod},
	} {
		if f.val != "" {
			dst = append(dst, f.name...)
			dst = AppendJSONString(dst, f.val)
		}
	}
	if t.Status != "" {
		dst = append(dst, `,"status":`...)
		dst = AppendJSONString(dst, t.Status)
	}
	dst = append(dst, `,"event_time":"`...)
	dst = t.EventTime.UTC().AppendFormat(dst, time.RFC3339Nano)
	return append(dst, `"}`...)
}

// appendAmount appends d with exactly two decimals. Amounts of whole cents
// that fit in 15 digits (every valid amount) are formatted from an int64;
// others fall back to the decimal library, which rounds half away from zero.
func appendAmount(dst []byte, d decimal.Decimal) []byte {
	exp := d.Exponent()
	if exp < -2 || exp > 0 || d.NumDigits() > 15 {
		return append(dst, d.StringFixed(2)...)
	}
	cents := d.CoefficientInt64()
	for ; exp > -2; exp-- {
		cents *= 10
	}
	if cents < 0 {
		dst = append(dst, '-')
		cents = -cents
	}
	dst = strconv.AppendInt(dst, cents/100, 10)
	return append(dst, '.', byte('0'+cents/10%10), byte('0'+cents%10))
}

// AppendJSONString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD so
// the output is always valid JSON. Runs of plain characters are copied whole.
func AppendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	plain := 0 // start of the pending run of characters that need no escape
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size // valid UTF-8 stays in the run
				continue
			}
		}
		dst = append(dst, s[plain:i]...)
		switch {
		case c >= utf8.RuneSelf:
			dst = append(dst, "\ufffd"...)
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		default:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		plain = i
	}
	dst = append(dst, s[plain:]...)
	return append(dst, '"')
}

// quoteDetail formats a user value for a rejection detail.
func quoteDetail(s string) string { return strconv.Quote(truncate(s)) }
