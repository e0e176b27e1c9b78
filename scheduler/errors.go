package scheduler

import "errors"

// Sentinel errors. Store and engine functions wrap them with detail
// (fmt.Errorf("...: %w", ErrNotFound)) so callers test with errors.Is and the
// web layer maps them to HTTP statuses: ErrNotFound → 404, ErrConflict → 409,
// ErrInvalid → 400.
var (
	// ErrNotFound: the DAG, run, task instance, attempt or backfill does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the request clashes with the current state, e.g. a run id or
	// logical date already taken, or a second active backfill for a DAG.
	ErrConflict = errors.New("conflict")
	// ErrInvalid: the request itself is malformed (bad id, state, date range,
	// conf, DAG definition).
	ErrInvalid = errors.New("invalid")
)
