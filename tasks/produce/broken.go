package produce

import (
	"strconv"
	"strings"
	"time"

	"github.com/finpipe/finpipe/tasks/record"
)

// field is one member of a JSON object under construction, value as raw JSON.
type field struct{ name, raw string }

type object []field

func (o object) set(name, raw string) object {
	out := append(object(nil), o...)
	for i := range out {
		if out[i].name == name {
			out[i].raw = raw
			return out
		}
	}
	return append(out, field{name, raw})
}

func (o object) without(name string) object {
	out := make(object, 0, len(o))
	for _, f := range o {
		if f.name != name {
			out = append(out, f)
		}
	}
	return out
}

func (o object) String() string {
	var b strings.Builder
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(f.name)) // names are plain ASCII: Go and JSON quoting agree
		b.WriteByte(':')
		b.WriteString(f.raw)
	}
	b.WriteByte('}')
	return b.String()
}

func objectOf(tx record.Transaction) object {
	q := func(s string) string { return string(record.AppendJSONString(nil, s)) }
	return object{
		{"transaction_id", q(tx.TransactionID)},
		{"user_id", q(tx.UserID)},
		{"amount", tx.Amount.StringFixed(2)},
		{"currency", q(tx.Currency)},
		{"merchant", q(tx.Merchant)},
		{"category", q(tx.Category)},
		{"country", q(tx.Country)},
		{"payment_method", q(tx.PaymentMethod)},
		{"status", q(tx.Status)},
		{"event_time", q(tx.EventTime.Format(time.RFC3339Nano))},
	}
}

// breakers make, from a valid object, one broken value per variant; for
// each stateless reason code there are several ways to break a record.
var breakers = map[record.Reason][]func(o object, now time.Time) string{
	record.ReasonMalformedJSON: {
		func(o object, _ time.Time) string { s := o.String(); return s[:len(s)/2] },
		func(o object, _ time.Time) string { return "[" + o.String() + "]" },
		func(o object, _ time.Time) string { return o.set("merchant", "\"caf\xe9\"").String() },
		func(o object, _ time.Time) string { return "" },
		func(o object, _ time.Time) string { return o.String() + "}" },
		func(o object, _ time.Time) string { return "transaction_id=" + o[0].raw + ";amount=" + o[2].raw },
		func(o object, _ time.Time) string { return "null" },
	},
	record.ReasonMissingField: {
		func(o object, _ time.Time) string { return o.without("transaction_id").String() },
		func(o object, _ time.Time) string { return o.without("user_id").String() },
		func(o object, _ time.Time) string { return o.without("amount").String() },
		func(o object, _ time.Time) string { return o.set("currency", "null").String() },
		func(o object, _ time.Time) string { return o.without("event_time").String() },
	},
	record.ReasonInvalidField: {
		func(o object, _ time.Time) string { return o.set("transaction_id", `""`).String() },
		func(o object, _ time.Time) string { return o.set("user_id", `"user 1"`).String() },
		func(o object, _ time.Time) string {
			return o.set("transaction_id", `"`+strings.Repeat("x", 65)+`"`).String()
		},
		func(o object, _ time.Time) string { return o.set("user_id", `12345`).String() },
		func(o object, _ time.Time) string { return o.set("merchant", `42`).String() },
		func(o object, _ time.Time) string { return o.set("status", `"settled"`).String() },
		func(o object, _ time.Time) string { return o.set("country", `{"code":"DE"}`).String() },
	},
	record.ReasonInvalidAmount: {
		func(o object, _ time.Time) string { return o.set("amount", `12.345`).String() },
		func(o object, _ time.Time) string { return o.set("amount", `"12,50"`).String() },
		func(o object, _ time.Time) string { return o.set("amount", `2000000000`).String() },
		func(o object, _ time.Time) string { return o.set("amount", `true`).String() },
		func(o object, _ time.Time) string { return o.set("amount", `"NaN"`).String() },
	},
	record.ReasonNonPositiveAmount: {
		func(o object, _ time.Time) string { return o.set("amount", `0`).String() },
		func(o object, _ time.Time) string { return o.set("amount", "-"+o[2].raw).String() },
		func(o object, _ time.Time) string { return o.set("amount", `"-0.01"`).String() },
	},
	record.ReasonUnknownCurrency: {
		func(o object, _ time.Time) string { return o.set("currency", `"XYZ"`).String() },
		func(o object, _ time.Time) string { return o.set("currency", `"BTC"`).String() },
		func(o object, _ time.Time) string { return o.set("currency", `"EURO"`).String() },
		func(o object, _ time.Time) string { return o.set("currency", `"DEM"`).String() },
	},
	record.ReasonInvalidEventTime: {
		func(o object, _ time.Time) string { return o.set("event_time", `"yesterday"`).String() },
		func(o object, now time.Time) string {
			return o.set("event_time", `"`+now.UTC().Format("2006-01-02 15:04:05")+`"`).String()
		},
		func(o object, _ time.Time) string { return o.set("event_time", `"2026-02-30T10:00:00Z"`).String() },
		func(o object, now time.Time) string {
			return o.set("event_time", strconv.FormatInt(now.Unix(), 10)+".5").String()
		},
		func(o object, _ time.Time) string { return o.set("event_time", `true`).String() },
	},
	record.ReasonFutureEventTime: {
		func(o object, now time.Time) string {
			return o.set("event_time", `"`+now.Add(time.Hour).UTC().Format(time.RFC3339)+`"`).String()
		},
		func(o object, now time.Time) string {
			return o.set("event_time", strconv.FormatInt(now.Add(48*time.Hour).UnixMilli(), 10)).String()
		},
	},
}

// bad returns the next broken message, cycling through the reason codes in
// rule order and, within a code, through its variants.
func (g *Generator) bad() Message {
	reasons := record.StatelessReasons()
	reason := reasons[g.badSeq%len(reasons)]
	variants := breakers[reason]
	breakIt := variants[(g.badSeq/len(reasons))%len(variants)]
	g.badSeq++
	now := g.opts.Clock()
	tx := g.transaction(now.Add(-time.Duration(g.rng.Int64N(int64(30 * time.Second)))))
	if reason == record.ReasonFutureEventTime {
		now = g.opts.Wall() // ahead of the Kafka timestamp, not of the event clock
	}
	value := breakIt(objectOf(tx), now)
	m := Message{Value: []byte(value), Kind: KindBad, Reason: reason}
	if id, ok := record.UserID(m.Value); ok {
		m.Key = []byte(id)
	}
	return m
}
