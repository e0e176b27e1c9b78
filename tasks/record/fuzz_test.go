package record

import (
	"encoding/json"
	"runtime"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/finpipe/finpipe/internal/testenv"
)

var fuzzSeeds = []string{
	goodJSON,
	`{"transaction_id":"a","user_id":"b","amount":"1e2","currency":"eur","event_time":1772323200000}`,
	`{"transaction_id":"a","user_id":"b","amount":-0,"currency":"XXX","event_time":"2026-03-01T00:00:00.5-05:30"}`,
	`{"a":[1,2,{"b":null}],"transaction_id":"\ud800x"}`,
	`[]`, `""`, `{`, `{"x":1}}`, "\xff", `{"amount":1.2e-99999999}`,
	// Ids shaped almost like UUIDs, which broke the duplicate index (see
	// clean's FuzzDuplicateIndex): they are valid ids, held as strings.
	`{"transaction_id":"01234567-0123-0123-0123--abcdefabcde","user_id":"u","amount":1,"currency":"EUR","event_time":"2026-03-01T00:00:00Z"}`,
	`{"transaction_id":"ab-cd-ef-1234-5678-9abc-def012345678","user_id":"u","amount":1,"currency":"EUR","event_time":"2026-03-01T00:00:00Z"}`,
	`{"transaction_id":"y0","user_id":"u","amount":1,"currency":"EUR","event_time":"0000-01-01T00:00:00Z"}`,
	`{"transaction_id":"y1899","user_id":"u","amount":1,"currency":"EUR","event_time":"1900-01-01T00:59:59.999999+01:00"}`,
	`{"transaction_id":"abcdef12-3456-789a-bcde-f01234567800","user_id":"------------------------------------","amount":1,"currency":"EUR","event_time":"2026-03-01T00:00:00Z"}`,
}

// FuzzValidate checks that Validate never panics, that what it accepts
// re-validates to the same transaction from JSON(), that its notion of
// "one JSON object" matches encoding/json's plus UTF-8 validity, and that a
// Decoder decides as it does.
func FuzzValidate(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	var d Decoder // one for every input, as clean keeps one per judge
	f.Fuzz(func(t *testing.T, b []byte) {
		tx, rej := Validate(b, kafkaTS)
		if dtx, drej := d.Validate(b, Arrival{KafkaTimestamp: kafkaTS}); (drej == nil) != (rej == nil) ||
			(rej != nil && *drej != *rej) || !equalTx(dtx, tx) {
			t.Fatalf("a Decoder gives %+v %v, Validate %+v %v, input %q", dtx, drej, tx, rej, b)
		}
		wantMalformed := !json.Valid(b) || !utf8.Valid(b) || !isObject(b)
		if gotMalformed := rej != nil && rej.Reason == ReasonMalformedJSON; gotMalformed != wantMalformed &&
			!(gotMalformed && hasDuplicateKnownMember(rej)) {
			t.Fatalf("malformed = %v (%v), encoding/json says %v, input %q", gotMalformed, rej, wantMalformed, b)
		}
		if rej != nil {
			if rej.Reason == "" || rej.Detail == "" {
				t.Fatalf("empty rejection %+v", rej)
			}
			return
		}
		if tx.EventTime.Before(minEventTime) || tx.EventTime.After(maxEventTime) {
			t.Fatalf("accepted event_time %s outside %s: %q", tx.EventTime, EventTimeRange, b)
		}
		again, rej := Validate(tx.JSON(), kafkaTS)
		if rej != nil {
			t.Fatalf("JSON() of accepted %q is rejected: %v: %s", b, rej, tx.JSON())
		}
		if !equalTx(tx, again) {
			t.Fatalf("round trip changed %+v into %+v", tx, again)
		}
	})
}

func isObject(b []byte) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal(b, &m) == nil && m != nil
}

func hasDuplicateKnownMember(r *Rejection) bool {
	return len(r.Detail) > 16 && r.Detail[:16] == "duplicate member"
}

func BenchmarkValidate(b *testing.B) {
	benchmarkValidate(b, func(msg []byte, ts time.Time) (Transaction, *Rejection) { return Validate(msg, ts) })
}

// BenchmarkDecoder is BenchmarkValidate with a Decoder, as clean validates.
func BenchmarkDecoder(b *testing.B) {
	var d Decoder
	benchmarkValidate(b, func(msg []byte, ts time.Time) (Transaction, *Rejection) {
		return d.Validate(msg, Arrival{KafkaTimestamp: ts})
	})
}

func benchmarkValidate(b *testing.B, validate func([]byte, time.Time) (Transaction, *Rejection)) {
	msg := []byte(goodJSON)
	ts := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0 := testenv.ThreadCPU()
	for b.Loop() {
		if _, rej := validate(msg, ts); rej != nil {
			b.Fatal(rej)
		}
	}
	if cpu := testenv.ThreadCPU() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

func BenchmarkValidateRejected(b *testing.B) {
	msg := []byte(`{"transaction_id":"tx-1","user_id":"u1","amount":"12.345","currency":"USD","event_time":"2026-03-01T12:00:00Z"}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, rej := Validate(msg, kafkaTS); rej == nil {
			b.Fatal("accepted")
		}
	}
}
