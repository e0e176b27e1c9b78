package scheduler

import "github.com/finpipe/finpipe/scheduler/internal/driver"

// Sentinel errors. Store and engine functions wrap them with detail
// (fmt.Errorf("...: %w", ErrNotFound)) so callers test with errors.Is and the
// web layer maps them to HTTP statuses: ErrNotFound → 404, ErrConflict → 409,
// ErrInvalid → 400. The store's driver returns the same values for what
// the database reports (no row, a unique violation, a value it refuses).
var (
	// ErrNotFound: the DAG, run, task instance, attempt or backfill does not exist.
	ErrNotFound = driver.ErrNotFound
	// ErrConflict: the request clashes with the current state, e.g. a run id or
	// logical date already taken, or a second active backfill for a DAG.
	ErrConflict = driver.ErrConflict
	// ErrInvalid: the request itself is malformed (bad id, state, date range,
	// conf, DAG definition), or holds a value the database cannot store.
	ErrInvalid = driver.ErrInvalid
)
