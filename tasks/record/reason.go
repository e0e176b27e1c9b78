package record

import "fmt"

// Reason is a quarantine reason code of silver/rejected. The codes are part of
// the data contract (DESIGN.md, "Silver validation rules"): dashboards and the
// demo's JSON output group by them, so they never change spelling.
type Reason string

// The reason codes in rule order: when several rules fail, the first one in
// this order is the one reported.
const (
	ReasonMalformedJSON     Reason = "malformed_json"
	ReasonMissingField      Reason = "missing_field"
	ReasonInvalidField      Reason = "invalid_field"
	ReasonInvalidAmount     Reason = "invalid_amount"
	ReasonNonPositiveAmount Reason = "non_positive_amount"
	ReasonUnknownCurrency   Reason = "unknown_currency"
	ReasonInvalidEventTime  Reason = "invalid_event_time"
	ReasonFutureEventTime   Reason = "future_event_time"
	// ReasonLateEvent and ReasonDuplicate are decided by the clean task, which
	// holds the state (watermark, seen transaction ids) that Validate lacks.
	ReasonLateEvent Reason = "late_event"
	ReasonDuplicate Reason = "duplicate"
)

// Reasons returns every reason code in rule order.
func Reasons() []Reason {
	return []Reason{
		ReasonMalformedJSON, ReasonMissingField, ReasonInvalidField,
		ReasonInvalidAmount, ReasonNonPositiveAmount, ReasonUnknownCurrency,
		ReasonInvalidEventTime, ReasonFutureEventTime,
		ReasonLateEvent, ReasonDuplicate,
	}
}

// StatelessReasons returns the codes that Validate can report, in rule order.
func StatelessReasons() []Reason { return Reasons()[:8] }

// Rejection says why a record was quarantined: a reason code for machines and
// a detail for people (e.g. which field, which value).
type Rejection struct {
	Reason Reason
	Detail string
}

// Error makes a Rejection usable as an error in logs and tests.
func (r *Rejection) Error() string {
	if r.Detail == "" {
		return string(r.Reason)
	}
	return string(r.Reason) + ": " + r.Detail
}

func reject(reason Reason, format string, args ...any) *Rejection {
	return &Rejection{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}
