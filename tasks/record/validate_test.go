package record

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

var kafkaTS = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const goodJSON = `{"transaction_id":"tx-1","user_id":"user_42","amount":12.50,"currency":"usd","merchant":"Acme","category":"groceries","country":"DE","payment_method":"card","status":"pending","event_time":"2026-03-01T13:00:00+01:00"}`

func TestValidateAcceptsAndNormalizes(t *testing.T) {
	t.Parallel()
	got, rej := Validate([]byte(goodJSON), kafkaTS)
	if rej != nil {
		t.Fatalf("rejected: %v", rej)
	}
	want := Transaction{
		TransactionID: "tx-1", UserID: "user_42", Amount: decimal.New(1250, -2),
		Currency: "USD", Merchant: "Acme", Category: "groceries", Country: "DE",
		PaymentMethod: "card", Status: "pending", EventTime: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
	}
	if !equalTx(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	if got.EventTime.Location() != time.UTC {
		t.Errorf("event time not in UTC: %v", got.EventTime.Location())
	}
}

func TestValidateDefaultsAndForms(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, json string
		check      func(t *testing.T, tx Transaction)
	}{
		{"status defaults to approved", `{"transaction_id":"a","user_id":"b","amount":1,"currency":"EUR","event_time":"2026-03-01T00:00:00Z"}`,
			func(t *testing.T, tx Transaction) { eq(t, tx.Status, "approved") }},
		{"null optional is absent", `{"transaction_id":"a","user_id":"b","amount":1,"currency":"EUR","event_time":"2026-03-01T00:00:00Z","merchant":null,"status":null}`,
			func(t *testing.T, tx Transaction) { eq(t, tx.Merchant, ""); eq(t, tx.Status, "approved") }},
		{"amount as string is exact", `{"transaction_id":"a","user_id":"b","amount":"0.10","currency":"EUR","event_time":"2026-03-01T00:00:00Z"}`,
			func(t *testing.T, tx Transaction) { eq(t, tx.Amount.String(), "0.1") }},
		{"amount with exponent", `{"transaction_id":"a","user_id":"b","amount":1.5E2,"currency":"EUR","event_time":"2026-03-01T00:00:00Z"}`,
			func(t *testing.T, tx Transaction) { eq(t, tx.Amount.String(), "150") }},
		{"trailing zeros beyond 2 places", `{"transaction_id":"a","user_id":"b","amount":7.1200000,"currency":"EUR","event_time":"2026-03-01T00:00:00Z"}`,
			func(t *testing.T, tx Transaction) { eq(t, tx.Amount.StringFixed(2), "7.12") }},
		{"max amount", `{"transaction_id":"a","user_id":"b","amount":1000000000.00,"currency":"EUR","event_time":"2026-03-01T00:00:00Z"}`,
			func(t *testing.T, tx Transaction) { eq(t, tx.Amount.String(), "1000000000") }},
		{"currency trimmed and upper-cased", `{"transaction_id":"a","user_id":"b","amount":1,"currency":" gBp ","event_time":"2026-03-01T00:00:00Z"}`,
			func(t *testing.T, tx Transaction) { eq(t, tx.Currency, "GBP") }},
		{"epoch millis number", `{"transaction_id":"a","user_id":"b","amount":1,"currency":"EUR","event_time":1772323200123}`,
			func(t *testing.T, tx Transaction) {
				eq(t, tx.EventTime, time.Date(2026, 3, 1, 0, 0, 0, 123e6, time.UTC))
			}},
		{"epoch millis string", `{"transaction_id":"a","user_id":"b","amount":1,"currency":"EUR","event_time":"1772323200000"}`,
			func(t *testing.T, tx Transaction) { eq(t, tx.EventTime, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) }},
		{"fraction truncated to micros", `{"transaction_id":"a","user_id":"b","amount":1,"currency":"EUR","event_time":"2026-03-01T00:00:00.123456789Z"}`,
			func(t *testing.T, tx Transaction) {
				eq(t, tx.EventTime, time.Date(2026, 3, 1, 0, 0, 0, 123456000, time.UTC))
			}},
		{"escaped strings decoded", `{"transaction_id":"\u0074x","user_id":"b","amount":1,"currency":"E\u0055R","event_time":"2026-03-01T00:00:00Z","merchant":"Caf\u00e9 \"A\" \ud83d\ude00"}`,
			func(t *testing.T, tx Transaction) {
				eq(t, tx.TransactionID, "tx")
				eq(t, tx.Currency, "EUR")
				eq(t, tx.Merchant, "Café \"A\" 😀")
			}},
		{"unknown members ignored, whitespace allowed", " {\n\"extra\":[1,{\"x\":null}], \"transaction_id\" : \"a\",\"user_id\":\"b\",\"amount\":1,\"currency\":\"EUR\",\"event_time\":\"2026-03-01T00:00:00Z\"}\n",
			func(t *testing.T, tx Transaction) { eq(t, tx.TransactionID, "a") }},
		{"64-char id with all allowed characters", `{"transaction_id":"` + strings.Repeat("aZ09_.:-", 8) + `","user_id":"b","amount":1,"currency":"EUR","event_time":"2026-03-01T00:00:00Z"}`,
			func(t *testing.T, tx Transaction) { eq(t, len(tx.TransactionID), 64) }},
		{"event exactly 5 minutes ahead is fine", `{"transaction_id":"a","user_id":"b","amount":1,"currency":"EUR","event_time":"2026-03-01T12:05:00Z"}`,
			func(t *testing.T, tx Transaction) {}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tx, rej := Validate([]byte(tc.json), kafkaTS)
			if rej != nil {
				t.Fatalf("rejected: %v", rej)
			}
			tc.check(t, tx)
		})
	}
}

func TestValidateRejections(t *testing.T) {
	t.Parallel()
	base := `"transaction_id":"a","user_id":"b","amount":1,"currency":"EUR","event_time":"2026-03-01T00:00:00Z"`
	obj := func(extra string) string { return "{" + extra + "}" }
	replace := func(old, new string) string { return "{" + strings.Replace(base, old, new, 1) + "}" }
	for _, tc := range []struct {
		name   string
		json   string
		reason Reason
		detail string // substring of the detail, optional
	}{
		{"empty", ``, ReasonMalformedJSON, "empty"},
		{"only spaces", "  \n", ReasonMalformedJSON, "empty"},
		{"bad json", `{"transaction_id":`, ReasonMalformedJSON, ""},
		{"array", `[` + obj(base) + `]`, ReasonMalformedJSON, "not a JSON object"},
		{"scalar", `42`, ReasonMalformedJSON, "not a JSON object"},
		{"string", `"x"`, ReasonMalformedJSON, "not a JSON object"},
		{"trailing data", obj(base) + `{}`, ReasonMalformedJSON, "after the JSON object"},
		{"trailing comma", obj(base + ","), ReasonMalformedJSON, ""},
		{"invalid utf-8", obj(base + `,"merchant":"caf` + "\xe9" + `"`), ReasonMalformedJSON, "UTF-8"},
		{"single quotes", `{'transaction_id':'a'}`, ReasonMalformedJSON, ""},
		{"NaN literal", replace(`"amount":1`, `"amount":NaN`), ReasonMalformedJSON, ""},
		{"leading zero", replace(`"amount":1`, `"amount":01`), ReasonMalformedJSON, ""},
		{"duplicate member", obj(base + `,"amount":2`), ReasonMalformedJSON, "duplicate member \"amount\""},
		{"deep nesting", `{"x":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`, ReasonMalformedJSON, "too deep"},
		{"missing transaction_id", replace(`"transaction_id":"a",`, ``), ReasonMissingField, "transaction_id"},
		{"null user_id", replace(`"user_id":"b"`, `"user_id":null`), ReasonMissingField, "user_id"},
		{"missing amount", replace(`"amount":1,`, ``), ReasonMissingField, "amount"},
		{"missing currency", replace(`"currency":"EUR",`, ``), ReasonMissingField, "currency"},
		{"missing event_time", replace(`,"event_time":"2026-03-01T00:00:00Z"`, ``), ReasonMissingField, "event_time"},
		{"empty object", `{}`, ReasonMissingField, "transaction_id"},
		{"missing wins over invalid", `{"transaction_id":5,"amount":1,"currency":"EUR","event_time":"x"}`, ReasonMissingField, "user_id"},
		{"numeric id", replace(`"transaction_id":"a"`, `"transaction_id":7`), ReasonInvalidField, "transaction_id must be a string"},
		{"empty id", replace(`"user_id":"b"`, `"user_id":""`), ReasonInvalidField, "user_id"},
		{"65-char id", replace(`"user_id":"b"`, `"user_id":"`+strings.Repeat("x", 65)+`"`), ReasonInvalidField, "user_id"},
		{"id with space", replace(`"user_id":"b"`, `"user_id":"a b"`), ReasonInvalidField, "user_id"},
		{"id with unicode", replace(`"user_id":"b"`, `"user_id":"é"`), ReasonInvalidField, "user_id"},
		{"currency not string", replace(`"currency":"EUR"`, `"currency":978`), ReasonInvalidField, "currency"},
		{"merchant number", obj(base + `,"merchant":5`), ReasonInvalidField, "merchant"},
		{"country object", obj(base + `,"country":{}`), ReasonInvalidField, "country"},
		{"payment_method bool", obj(base + `,"payment_method":true`), ReasonInvalidField, "payment_method"},
		{"category array", obj(base + `,"category":[]`), ReasonInvalidField, "category"},
		{"unknown status", obj(base + `,"status":"settled"`), ReasonInvalidField, "status"},
		{"status wrong case", obj(base + `,"status":"Approved"`), ReasonInvalidField, "status"},
		{"empty status", obj(base + `,"status":""`), ReasonInvalidField, "status"},
		{"invalid field wins over amount", `{"transaction_id":"a","user_id":"b b","amount":-1,"currency":"EUR","event_time":"2026-03-01T00:00:00Z"}`, ReasonInvalidField, "user_id"},
		{"amount bool", replace(`"amount":1`, `"amount":true`), ReasonInvalidAmount, "boolean"},
		{"amount object", replace(`"amount":1`, `"amount":{"v":1}`), ReasonInvalidAmount, ""},
		{"amount text", replace(`"amount":1`, `"amount":"12,50"`), ReasonInvalidAmount, ""},
		{"amount NaN string", replace(`"amount":1`, `"amount":"NaN"`), ReasonInvalidAmount, ""},
		{"amount Infinity string", replace(`"amount":1`, `"amount":"Infinity"`), ReasonInvalidAmount, ""},
		{"amount empty string", replace(`"amount":1`, `"amount":""`), ReasonInvalidAmount, ""},
		{"amount padded string", replace(`"amount":1`, `"amount":" 1"`), ReasonInvalidAmount, ""},
		{"amount 3 places", replace(`"amount":1`, `"amount":1.005`), ReasonInvalidAmount, "decimal places"},
		{"amount tiny exponent", replace(`"amount":1`, `"amount":1e-3`), ReasonInvalidAmount, "decimal places"},
		{"amount too big", replace(`"amount":1`, `"amount":1000000000.01`), ReasonInvalidAmount, "exceeds"},
		{"amount huge exponent", replace(`"amount":1`, `"amount":1e999999999999`), ReasonInvalidAmount, "exceeds"},
		{"amount many digits", replace(`"amount":1`, `"amount":"`+strings.Repeat("9", 40)+`"`), ReasonInvalidAmount, "exceeds"},
		{"negative 3 places is invalid first", replace(`"amount":1`, `"amount":-1.001`), ReasonInvalidAmount, ""},
		{"amount zero", replace(`"amount":1`, `"amount":0`), ReasonNonPositiveAmount, "zero"},
		{"amount zero string", replace(`"amount":1`, `"amount":"0.000"`), ReasonNonPositiveAmount, "zero"},
		{"amount negative zero", replace(`"amount":1`, `"amount":-0.0e5`), ReasonNonPositiveAmount, ""},
		{"amount negative", replace(`"amount":1`, `"amount":-12.5`), ReasonNonPositiveAmount, "negative"},
		{"unknown currency", replace(`"currency":"EUR"`, `"currency":"XYZ"`), ReasonUnknownCurrency, "XYZ"},
		{"withdrawn currency", replace(`"currency":"EUR"`, `"currency":"DEM"`), ReasonUnknownCurrency, ""},
		{"currency empty", replace(`"currency":"EUR"`, `"currency":""`), ReasonUnknownCurrency, ""},
		{"currency 4 letters", replace(`"currency":"EUR"`, `"currency":"EURO"`), ReasonUnknownCurrency, ""},
		{"no offset", replace(`"2026-03-01T00:00:00Z"`, `"2026-03-01T00:00:00"`), ReasonInvalidEventTime, ""},
		{"date only", replace(`"2026-03-01T00:00:00Z"`, `"2026-03-01"`), ReasonInvalidEventTime, ""},
		{"bad month", replace(`"2026-03-01T00:00:00Z"`, `"2026-13-01T00:00:00Z"`), ReasonInvalidEventTime, ""},
		{"epoch seconds float", replace(`"2026-03-01T00:00:00Z"`, `1772323200.5`), ReasonInvalidEventTime, ""},
		{"epoch negative", replace(`"2026-03-01T00:00:00Z"`, `-1`), ReasonInvalidEventTime, ""},
		{"epoch too far", replace(`"2026-03-01T00:00:00Z"`, `253402300800000`), ReasonInvalidEventTime, ""},
		{"event_time bool", replace(`"2026-03-01T00:00:00Z"`, `false`), ReasonInvalidEventTime, "boolean"},
		{"offset past year 9999", replace(`"2026-03-01T00:00:00Z"`, `"9999-12-31T23:30:00-01:00"`), ReasonInvalidEventTime, EventTimeRange},
		{"year 0000", replace(`"2026-03-01T00:00:00Z"`, `"0000-01-01T00:00:00Z"`), ReasonInvalidEventTime, EventTimeRange},
		{"year 0001 by offset", replace(`"2026-03-01T00:00:00Z"`, `"0001-01-01T00:00:00+01:00"`), ReasonInvalidEventTime, EventTimeRange},
		{"last microsecond before 1900", replace(`"2026-03-01T00:00:00Z"`, `"1899-12-31T23:59:59.999999Z"`), ReasonInvalidEventTime, EventTimeRange},
		{"before 1900 by offset", replace(`"2026-03-01T00:00:00Z"`, `"1900-01-01T00:30:00+01:00"`), ReasonInvalidEventTime, EventTimeRange},
		{"future", replace(`"2026-03-01T00:00:00Z"`, `"2026-03-01T12:05:00.000001Z"`), ReasonFutureEventTime, ""},
		{"future by offset", replace(`"2026-03-01T00:00:00Z"`, `"2026-03-01T12:00:00-01:00"`), ReasonFutureEventTime, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tx, rej := Validate([]byte(tc.json), kafkaTS)
			if rej == nil {
				t.Fatalf("accepted %+v, want %s", tx, tc.reason)
			}
			if rej.Reason != tc.reason || !strings.Contains(rej.Detail, tc.detail) {
				t.Fatalf("got %v, want %s containing %q", rej, tc.reason, tc.detail)
			}
			if (tx != Transaction{}) {
				t.Errorf("rejection returned a non-zero transaction %+v", tx)
			}
		})
	}
}

// TestEventTimeRangeEnds: the first and last instants of the range are
// accepted (the future rule, skipped here, is what keeps 9999 out of Silver
// in practice).
func TestEventTimeRangeEnds(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]time.Time{
		"1900-01-01T00:00:00Z":         time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC),
		"1900-01-01T01:00:00+01:00":    time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC),
		"9999-12-31T23:59:59.999999Z":  time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC),
		"9999-12-31T23:59:59.9999999Z": time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC),
	} {
		js := `{"transaction_id":"a","user_id":"b","amount":1,"currency":"EUR","event_time":"` + text + `"}`
		tx, rej := Validate([]byte(js), time.Time{})
		if rej != nil || !tx.EventTime.Equal(want) {
			t.Errorf("%s: got %v %v, want %v", text, tx.EventTime, rej, want)
		}
	}
}

// TestFutureIsBoundedByTheIngestTimeToo: a producer whose clock (the Kafka
// timestamp) runs 72 h ahead cannot get its records accepted.
func TestFutureIsBoundedByTheIngestTimeToo(t *testing.T) {
	t.Parallel()
	ahead := kafkaTS.Add(72 * time.Hour)
	js := `{"transaction_id":"a","user_id":"b","amount":1,"currency":"EUR","event_time":"` + ahead.Format(time.RFC3339) + `"}`
	if _, rej := Validate([]byte(js), ahead); rej != nil {
		t.Fatalf("by the Kafka timestamp alone: %v", rej)
	}
	_, rej := ValidateArrival([]byte(js), Arrival{KafkaTimestamp: ahead, IngestedAt: kafkaTS})
	if rej == nil || rej.Reason != ReasonFutureEventTime || !strings.Contains(rej.Detail, "after the ingest time 2026-03-01T12:00:00Z") {
		t.Fatalf("got %v, want future_event_time against the ingest time", rej)
	}
	// Within the skew of both clocks: accepted.
	near := `{"transaction_id":"a","user_id":"b","amount":1,"currency":"EUR","event_time":"2026-03-01T12:05:00Z"}`
	if _, rej := ValidateArrival([]byte(near), Arrival{KafkaTimestamp: ahead, IngestedAt: kafkaTS}); rej != nil {
		t.Fatal(rej)
	}
}

func TestValidateZeroKafkaTimestampSkipsFutureRule(t *testing.T) {
	t.Parallel()
	js := `{"transaction_id":"a","user_id":"b","amount":1,"currency":"EUR","event_time":"2999-01-01T00:00:00Z"}`
	if _, rej := Validate([]byte(js), time.Time{}); rej != nil {
		t.Fatal(rej)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	t.Parallel()
	tx, rej := Validate([]byte(goodJSON), kafkaTS)
	if rej != nil {
		t.Fatal(rej)
	}
	tx.Merchant = "quote \" backslash \\ newline \n ctrl \x01 é"
	again, rej := Validate(tx.JSON(), kafkaTS)
	if rej != nil {
		t.Fatalf("%v: %s", rej, tx.JSON())
	}
	if !equalTx(tx, again) {
		t.Fatalf("round trip changed %+v into %+v", tx, again)
	}
	if !strings.Contains(string(tx.JSON()), `"amount":12.50,`) {
		t.Errorf("amount not written with 2 decimals: %s", tx.JSON())
	}
}

func TestCurrencies(t *testing.T) {
	t.Parallel()
	list := Currencies()
	if len(list) < 170 {
		t.Fatalf("only %d currencies", len(list))
	}
	for _, c := range []string{"USD", "EUR", "JPY", "CHF", "XCG", "ZWG", "SLE"} {
		if _, ok := LookupCurrency(c); !ok {
			t.Errorf("%s missing", c)
		}
	}
	for _, c := range []string{"DEM", "FRF", "HRK", "ANG", "ZWL", "VEF", "BTC", "usd "} {
		if got, ok := LookupCurrency(c); ok != (c == "usd ") {
			t.Errorf("LookupCurrency(%q) = %q, %v", c, got, ok)
		}
	}
}

func TestCheckLate(t *testing.T) {
	t.Parallel()
	wm := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	if CheckLate(wm.Add(-DefaultAllowedLateness), wm, DefaultAllowedLateness) {
		t.Error("event exactly at watermark - lateness is not late")
	}
	if !CheckLate(wm.Add(-DefaultAllowedLateness-time.Microsecond), wm, DefaultAllowedLateness) {
		t.Error("event before watermark - lateness is late")
	}
	if CheckLate(time.Unix(0, 0), time.Time{}, DefaultAllowedLateness) {
		t.Error("zero watermark made an event late")
	}
}

func TestReasons(t *testing.T) {
	t.Parallel()
	got := Reasons()
	want := []Reason{"malformed_json", "missing_field", "invalid_field", "invalid_amount", "non_positive_amount",
		"unknown_currency", "invalid_event_time", "future_event_time", "late_event", "duplicate"}
	if len(got) != len(want) {
		t.Fatalf("%v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("reason %d = %s, want %s", i, got[i], want[i])
		}
	}
	if len(StatelessReasons()) != 8 || StatelessReasons()[7] != ReasonFutureEventTime {
		t.Errorf("stateless reasons %v", StatelessReasons())
	}
}

func equalTx(a, b Transaction) bool {
	amountsEqual := a.Amount.Equal(b.Amount)
	timesEqual := a.EventTime.Equal(b.EventTime)
	a.Amount, b.Amount = decimal.Zero, decimal.Zero
	a.EventTime, b.EventTime = time.Time{}, time.Time{}
	return amountsEqual && timesEqual && a == b
}

func eq[T comparable](t *testing.T, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestUserID(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`{"user_id":"u\u0031","amount":"junk"}`: "u1",
		`{"user_id":7}`:                         "",
		`[{"user_id":"u1"}]`:                    "",
		`{"user_id":"u1"`:                       "",
		``:                                      "",
	} {
		got, ok := UserID([]byte(in))
		if got != want || ok != (want != "") {
			t.Errorf("UserID(%s) = %q, %v; want %q", in, got, ok, want)
		}
	}
}
