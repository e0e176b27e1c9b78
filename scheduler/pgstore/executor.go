package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
)

// querier is what a pool and a transaction have in common.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// executor runs the driver's statements on a pool or in a transaction.
type executor struct{ q querier }

var _ driver.Executor = executor{}

// lockKeys are the advisory lock keys of the engine's named locks.
var lockKeys = map[driver.Lock]int64{driver.LockPromote: lockPromote, driver.LockSync: lockSync, driver.LockWatch: lockWatch}

func (e executor) XactLock(ctx context.Context, l driver.Lock) error {
	key, ok := lockKeys[l]
	if !ok {
		return fmt.Errorf("pgstore: unknown lock %d", l)
	}
	_, err := e.q.Exec(ctx, sqlAdvisoryXactLock, key)
	return fail(err)
}

func (e executor) Notify(ctx context.Context, channel string) error {
	_, err := e.q.Exec(ctx, sqlNotify, channel, "")
	return fail(err)
}

// exec runs a statement and returns the rows it affected.
func (e executor) exec(ctx context.Context, sql string, args ...any) (int64, error) {
	tag, err := e.q.Exec(ctx, sql, args...)
	return tag.RowsAffected(), fail(err)
}

// collect scans every row with scan into a slice that is never nil (JSON:
// [] rather than null).
func collect[T any](rows pgx.Rows, err error, scan func(pgx.Row) (T, error)) ([]T, error) {
	if err != nil {
		return nil, fail(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
	if out == nil {
		out = []T{}
	}
	return out, fail(err)
}

// decodeObject decodes a stored JSON object (a conf or params column). A
// value that is not an object is an error, not an empty map: dropping it
// would run a task with settings nobody gave it.
func decodeObject(raw []byte, what string) (map[string]any, error) {
	m := map[string]any{}
	if len(raw) == 0 {
		return m, nil
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return m, fmt.Errorf("stored %s is not a JSON object: %v", what, err)
	}
	if m == nil { // JSON null
		m = map[string]any{}
	}
	return m, nil
}

// encodeObject encodes a conf or params map; nil is {}.
func encodeObject(m map[string]any, what string) ([]byte, error) {
	if m == nil {
		m = map[string]any{}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", driver.ErrInvalid, what, err)
	}
	return b, nil
}

func ms(d time.Duration) int64     { return d.Milliseconds() }
func fromMS(n int64) time.Duration { return time.Duration(n) * time.Millisecond }

func timePtrUTC(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func durPtr(start, end *time.Time) *float64 {
	if start == nil || end == nil {
		return nil
	}
	d := end.Sub(*start).Seconds()
	return &d
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
