package record

import (
	"fmt"
	"strings"
	"testing"
)

// decoderCorpus is messages as a stream has them: transaction ids that
// never repeat, user ids and attributes that do, some escaped, and more
// distinct users than a Decoder shares (maxShared), so that
// both the shared and the copied paths are taken; plus the fuzz seeds.
func decoderCorpus() [][]byte {
	var out [][]byte
	for _, s := range fuzzSeeds {
		out = append(out, []byte(s))
	}
	merchants := []string{"Acme", `Caf\u00e9 \"A\"`, "Bolt", ""}
	for i := 0; i < maxShared*3/2; i++ {
		user := fmt.Sprint("user_", i%(maxShared*5/4))
		if i%7 == 0 {
			user = `u\u005f` + fmt.Sprint(i%50) // escaped: "u_<n>"
		}
		out = append(out, fmt.Appendf(nil,
			`{"transaction_id":"tx-%d","user_id":"%s","amount":"%d.%02d","currency":"%s","merchant":"%s","status":"%s","event_time":"2026-03-01T11:%02d:00Z"}`,
			i, user, i, i%100, []string{"eur", " USD", "E\\u0055R"}[i%3], merchants[i%4],
			[]string{"approved", "pending", "settled"}[i%2+btoi(i%30 == 29)*(2-i%2)], i%60))
	}
	return out
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestDecoderValidatesAsValidateArrival: one Decoder over a stream decides
// every message as ValidateArrival does, reason, detail and transaction,
// and the transactions it returned earlier are unchanged at the end: the
// memory it reuses is never rewritten under them.
func TestDecoderValidatesAsValidateArrival(t *testing.T) {
	t.Parallel()
	var d Decoder
	at := Arrival{KafkaTimestamp: kafkaTS, IngestedAt: kafkaTS}
	type kept struct {
		got  Transaction
		want Transaction
	}
	var all []kept
	accepted := 0
	for _, msg := range decoderCorpus() {
		want, wantRej := ValidateArrival(msg, at)
		got, rej := d.Validate(msg, at)
		if (rej == nil) != (wantRej == nil) || (rej != nil && *rej != *wantRej) {
			t.Fatalf("%s: Decoder says %v, ValidateArrival %v", msg, rej, wantRej)
		}
		if !equalTx(got, want) {
			t.Fatalf("%s: Decoder gives %+v, ValidateArrival %+v", msg, got, want)
		}
		if rej == nil {
			checkBoxes(t, d.Boxes(), got)
			accepted++
			all = append(all, kept{got, want})
		}
	}
	if len(d.strs) < maxShared {
		t.Fatalf("the Decoder shares %d strings: the corpus does not reach the bound %d", len(d.strs), maxShared)
	}
	for _, k := range all {
		if !equalTx(k.got, k.want) {
			t.Fatalf("a transaction changed after later messages: %+v, was %+v", k.got, k.want)
		}
	}
	if accepted == 0 || len(d.strs) > maxShared {
		t.Errorf("the Decoder shares %d strings, more than %d (%d accepted)", len(d.strs), maxShared, accepted)
	}
}

// TestDecoderSharesRepeatedValues: the point of a Decoder, that a repeated
// user id or attribute costs no new memory, and that a long id
// still comes out whole.
func TestDecoderSharesRepeatedValues(t *testing.T) { // not parallel: AllocsPerRun
	var d Decoder
	long := strings.Repeat("x", 64)
	msg := []byte(`{"transaction_id":"` + long + `","user_id":"user_42","amount":12.5,"currency":"EUR","merchant":"Acme","event_time":"2026-03-01T11:00:00Z"}`)
	first, rej := d.Validate(msg, Arrival{})
	if rej != nil {
		t.Fatal(rej)
	}
	allocs := testing.AllocsPerRun(100, func() {
		if _, rej := d.Validate(msg, Arrival{}); rej != nil {
			t.Fatal(rej)
		}
	})
	if allocs > 2 { // the amount's big.Int and its word
		t.Errorf("validating a message whose fields were all seen before allocates %v times", allocs)
	}
	again, _ := d.Validate(msg, Arrival{})
	if again.TransactionID != long || first.TransactionID != long {
		t.Errorf("ids %q, %q, want %q", first.TransactionID, again.TransactionID, long)
	}
}

// checkBoxes: every box a Decoder hands out holds its field's value.
func checkBoxes(t *testing.T, b Boxes, tx Transaction) {
	t.Helper()
	for _, f := range []struct {
		box  any
		want any
	}{
		{b.UserID, tx.UserID}, {b.Currency, tx.Currency}, {b.Merchant, tx.Merchant}, {b.Category, tx.Category},
		{b.Country, tx.Country}, {b.PaymentMethod, tx.PaymentMethod}, {b.Status, tx.Status},
	} {
		if f.box != nil && f.box != f.want {
			t.Fatalf("box %v for the value %v", f.box, f.want)
		}
	}
	if b.Currency == nil || b.Status == nil {
		t.Fatalf("currency and status always have a box: %+v", b)
	}
}
