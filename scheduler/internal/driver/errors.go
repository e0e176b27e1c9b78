package driver

import "errors"

// Sentinel errors. A driver turns its database's errors into these (no row
// → ErrNotFound, a unique violation → ErrConflict, a value the database
// refuses → ErrInvalid), and the engine wraps them with detail, so callers
// test with errors.Is and never see a driver's error types. Package
// scheduler re-exports them; the web layer maps them to 404, 409 and 400.
var (
	// ErrNotFound: the DAG, run, task instance, attempt or backfill does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the request clashes with the current state, e.g. a run id or
	// logical date already taken, or a second active backfill for a DAG.
	ErrConflict = errors.New("conflict")
	// ErrInvalid: the request itself is malformed (bad id, state, date range,
	// conf, DAG definition), or holds a value the database cannot store or
	// compare (out of range, a NUL byte, invalid UTF-8).
	ErrInvalid = errors.New("invalid")
)
