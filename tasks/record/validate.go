package record

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// The members Validate reads, in the order their rules are checked.
const (
	fTransactionID = iota
	fUserID
	fAmount
	fCurrency
	fEventTime
	fMerchant
	fCategory
	fCountry
	fPaymentMethod
	fStatus
	numFields
)

var fieldNames = [numFields]string{
	"transaction_id", "user_id", "amount", "currency", "event_time",
	"merchant", "category", "country", "payment_method", "status",
}

// requiredFields are the first fields: those that missing_field checks.
const requiredFields = fEventTime + 1

func fieldIndex(key []byte) int {
	switch string(key) { // no allocation: the compiler special-cases this
	case "transaction_id":
		return fTransactionID
	case "user_id":
		return fUserID
	case "amount":
		return fAmount
	case "currency":
		return fCurrency
	case "event_time":
		return fEventTime
	case "merchant":
		return fMerchant
	case "category":
		return fCategory
	case "country":
		return fCountry
	case "payment_method":
		return fPaymentMethod
	case "status":
		return fStatus
	}
	return -1
}

// Arrival is when a record reached FinPipe, the clocks future_event_time
// judges event_time against: the Kafka timestamp, which the producer sets
// (or the broker, for LogAppendTime topics), and the time the ingest task
// read it into Bronze, by FinPipe's own clock. A zero time is not a bound.
type Arrival struct {
	KafkaTimestamp time.Time
	IngestedAt     time.Time
}

// Validate applies the stateless Silver rules of DESIGN.md, in order, to one
// Kafka message value (msg) and returns the normalized transaction, or the first
// failing rule. kafkaTimestamp is the message's Kafka timestamp, against which
// future_event_time is judged; a zero kafkaTimestamp skips that rule.
func Validate(msg []byte, kafkaTimestamp time.Time) (Transaction, *Rejection) {
	return ValidateArrival(msg, Arrival{KafkaTimestamp: kafkaTimestamp})
}

// ValidateArrival is Validate with future_event_time judged against both
// clocks of arrival: event_time may be at most MaxFutureSkew after the
// earlier of the two. The Kafka timestamp alone is one producer's clock: a
// producer stamping its records 72 h ahead would have them accepted, and the
// watermark (the newest accepted event_time) would then make every correct
// record late. The ingest time bounds what any producer can do to it.
//
// Decisions where DESIGN.md is silent: unknown members are ignored; a known
// member that appears twice is malformed_json (JSON parsers disagree on which
// copy wins, and money must not be ambiguous); a currency that is not a string
// is invalid_field; status is case-sensitive.
func ValidateArrival(msg []byte, at Arrival) (Transaction, *Rejection) {
	return validate(msg, at, nil)
}

// validate is ValidateArrival, with the transaction's strings and amount
// made by d (nil: each newly allocated).
func validate(msg []byte, at Arrival, d *Decoder) (Transaction, *Rejection) {
	var fields [numFields]value
	if rej := scanFields(msg, &fields); rej != nil {
		return Transaction{}, rej
	}
	for i := 0; i < requiredFields; i++ {
		if k := fields[i].kind; k == kindAbsent || k == kindNull {
			return Transaction{}, &Rejection{Reason: ReasonMissingField, Detail: fieldNames[i] + " is missing"}
		}
	}
	var t Transaction
	var boxes Boxes
	var rej *Rejection
	var id sharedString
	if id, rej = identifier(fields[fTransactionID], fTransactionID, func(b []byte) sharedString {
		return sharedString{s: d.unique(b)}
	}); rej != nil {
		return Transaction{}, rej
	}
	t.TransactionID = id.s
	if id, rej = identifier(fields[fUserID], fUserID, d.shared); rej != nil {
		return Transaction{}, rej
	}
	t.UserID, boxes.UserID = id.s, id.box
	if fields[fCurrency].kind != kindString {
		return Transaction{}, reject(ReasonInvalidField, "currency must be a string, got %s", fields[fCurrency].kind)
	}
	optional := [...]struct {
		s   *string
		box *any
	}{{&t.Merchant, &boxes.Merchant}, {&t.Category, &boxes.Category}, {&t.Country, &boxes.Country}, {&t.PaymentMethod, &boxes.PaymentMethod}}
	for i := fMerchant; i <= fStatus; i++ {
		f := fields[i]
		switch f.kind {
		case kindAbsent, kindNull:
		case kindString:
			if i != fStatus {
				sh := d.shared(f.bytes())
				*optional[i-fMerchant].s, *optional[i-fMerchant].box = sh.s, sh.box
			}
		default:
			return Transaction{}, reject(ReasonInvalidField, "%s must be a string, got %s", fieldNames[i], f.kind)
		}
	}
	var st int
	if st, rej = status(fields[fStatus]); rej != nil {
		return Transaction{}, rej
	}
	t.Status, boxes.Status = statuses[st], statusBoxes[st]
	var cents int64
	if cents, rej = parseAmount(fields[fAmount]); rej != nil {
		return Transaction{}, rej
	}
	t.Amount = decimal.New(cents, -2)
	currency := fields[fCurrency].bytes()
	code, ok := lookupCurrency(currency)
	if !ok {
		return Transaction{}, reject(ReasonUnknownCurrency, "currency %s is not an active ISO 4217 code", quoteDetail(string(currency)))
	}
	t.Currency, boxes.Currency = code.s, code.box
	if t.EventTime, rej = parseEventTime(fields[fEventTime]); rej != nil {
		return Transaction{}, rej
	}
	for _, c := range [...]struct {
		name string
		at   time.Time
	}{{"Kafka timestamp", at.KafkaTimestamp}, {"ingest time", at.IngestedAt}} {
		if !c.at.IsZero() && t.EventTime.After(c.at.Add(MaxFutureSkew)) {
			return Transaction{}, reject(ReasonFutureEventTime, "event_time %s is more than %s after the %s %s",
				t.EventTime.Format(time.RFC3339Nano), MaxFutureSkew, c.name, c.at.UTC().Format(time.RFC3339Nano))
		}
	}
	if d != nil {
		d.boxes = boxes
	}
	return t, nil
}

// scanFields checks that b is exactly one JSON object and collects the known
// members' values.
func scanFields(b []byte, fields *[numFields]value) *Rejection {
	s := scanner{b: b}
	s.skipSpace()
	if s.i >= len(b) {
		return &Rejection{Reason: ReasonMalformedJSON, Detail: "empty value"}
	}
	if !utf8.Valid(b) {
		return &Rejection{Reason: ReasonMalformedJSON, Detail: "invalid UTF-8"}
	}
	if b[s.i] != '{' {
		if _, err := s.value(0); err != nil {
			return &Rejection{Reason: ReasonMalformedJSON, Detail: err.Error()}
		}
		return &Rejection{Reason: ReasonMalformedJSON, Detail: "value is not a JSON object"}
	}
	err := s.object(0, func(key, val value) error {
		i := fieldIndex(key.bytes())
		if i < 0 {
			return nil
		}
		if fields[i].kind != kindAbsent {
			return fmt.Errorf("duplicate member %q", fieldNames[i])
		}
		fields[i] = val
		return nil
	})
	if err == nil {
		s.skipSpace()
		if s.i < len(b) {
			err = s.fail("data after the JSON object")
		}
	}
	if err != nil {
		return &Rejection{Reason: ReasonMalformedJSON, Detail: err.Error()}
	}
	return nil
}

// identifier checks an id: a string of 1–64 characters from [A-Za-z0-9_.:-],
// so ids are safe in file names, URLs and logs without escaping. str makes
// the string of a valid one.
func identifier(v value, field int, str func([]byte) sharedString) (sharedString, *Rejection) {
	name := fieldNames[field]
	if v.kind != kindString {
		return sharedString{}, reject(ReasonInvalidField, "%s must be a string, got %s", name, v.kind)
	}
	id := v.bytes()
	if len(id) == 0 || len(id) > 64 {
		return sharedString{}, reject(ReasonInvalidField, "%s must have 1 to 64 characters, has %d", name, utf8.RuneCount(id))
	}
	for _, c := range id {
		if !idChar[c] {
			return sharedString{}, reject(ReasonInvalidField, "%s %s has a character outside [A-Za-z0-9_.:-]", name, quoteDetail(string(id)))
		}
	}
	return str(id), nil
}

var idChar = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "_.:-" {
		t[c] = true
	}
	return t
}()

// status checks the status member, which the caller has checked is absent,
// null or a string, and returns its index in statuses.
func status(v value) (int, *Rejection) {
	if v.kind == kindAbsent || v.kind == kindNull {
		return 0, nil // approved
	}
	s := v.bytes()
	for i, st := range statuses {
		if string(s) == st {
			return i, nil
		}
	}
	return 0, reject(ReasonInvalidField, "status %s is not one of approved, declined, pending, refunded", quoteDetail(string(s)))
}

// UserID returns the user_id of a message value when it is one JSON object
// whose user_id is a string, whatever else is wrong with it. Producers of
// raw lines use it for the message key, so that a user's records, valid or
// not, stay in one partition.
func UserID(msg []byte) (string, bool) {
	var fields [numFields]value
	if scanFields(msg, &fields) != nil || fields[fUserID].kind != kindString {
		return "", false
	}
	return fields[fUserID].text(), true
}
