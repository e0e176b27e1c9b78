package clean

import (
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/record"
)

// TestSilverRowsHoldTheValidatedTransactions: every Silver row holds what
// record.ValidateArrival makes of its Bronze value, column by column, null
// for an absent attribute. The judges build rows from values their
// record.Decoder shares and boxes, and copy ids into blocks shared by many
// rows; so the batch has more users than a Decoder shares, escaped
// strings, and several chunks per judge.
func TestSilverRowsHoldTheValidatedTransactions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var msgs []msg
	for i := 0; i < 20_000; i++ {
		m := fmt.Sprintf(`{"transaction_id":"t-%d","user_id":"user_%d","amount":"%d.%02d","currency":"%s","event_time":"%s"`,
			i, i%17_000, 1+i%500, i%100, []string{"eur", "USD", " chf "}[i%3], t0.Add(-time.Duration(i)*time.Second).Format(time.RFC3339))
		switch i % 4 {
		case 0:
			m += `,"merchant":"Caf\u00e9 \"A\"","category":"food","country":"DE","payment_method":"card","status":"pending"`
		case 1:
			m += `,"merchant":"Bolt","country":null,"status":"refunded"`
		case 2:
			m += `,"merchant":"","category":"travel"`
		}
		msgs = append(msgs, msg{int32(i % 3), m + "}"})
	}
	f.ingest(msgs...)
	if res := f.run(Options{}); res.Accepted != len(msgs) {
		t.Fatalf("accepted %d of %d: %+v", res.Accepted, len(msgs), res)
	}
	byPlace := map[[2]int64]string{}
	next := map[int32]int64{}
	for _, m := range msgs {
		byPlace[[2]int64{int64(m.partition), next[m.partition]}] = m.value
		next[m.partition]++
	}
	optional := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	for _, r := range f.rows(f.lake.Silver) {
		value := byPlace[[2]int64{int64(r[lake.SilverKafkaPartition].(int32)), r[lake.SilverKafkaOffset].(int64)}]
		tx, rej := record.ValidateArrival([]byte(value), record.Arrival{KafkaTimestamp: t0, IngestedAt: t0})
		if rej != nil {
			t.Fatalf("%s: %v", value, rej)
		}
		want := map[int]any{
			lake.SilverTransactionID: tx.TransactionID, lake.SilverUserID: tx.UserID, lake.SilverCurrency: tx.Currency,
			lake.SilverMerchant: optional(tx.Merchant), lake.SilverCategory: optional(tx.Category),
			lake.SilverCountry: optional(tx.Country), lake.SilverPaymentMethod: optional(tx.PaymentMethod),
			lake.SilverStatus: tx.Status,
		}
		for col, w := range want {
			if r[col] != w {
				t.Fatalf("%s: column %d is %#v, want %#v", value, col, r[col], w)
			}
		}
		if a, ok := r[lake.SilverAmount].(decimal.Decimal); !ok || !a.Equal(tx.Amount) {
			t.Fatalf("%s: amount %v, want %s", value, r[lake.SilverAmount], tx.Amount)
		}
		if et, ok := r[lake.SilverEventTime].(time.Time); !ok || !et.Equal(tx.EventTime) {
			t.Fatalf("%s: event_time %v, want %s", value, r[lake.SilverEventTime], tx.EventTime)
		}
	}
}
