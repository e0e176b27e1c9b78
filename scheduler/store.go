package scheduler

import (
	"context"
	"fmt"

	"github.com/finpipe/finpipe/internal/metrics"
	"github.com/finpipe/finpipe/migrations"
	"github.com/finpipe/finpipe/scheduler/internal/driver"
	"github.com/finpipe/finpipe/scheduler/pgstore"
)

// Store is the orchestrator's persistence seen from the engine, and the
// operator API the web layer and the CLI call (ListDAGs, TriggerRun,
// ClearTask, CreateBackfill…). It decides; its driver (driver.Driver,
// PostgreSQL's in package pgstore) holds every SQL statement and turns
// database errors into ErrNotFound, ErrConflict and ErrInvalid. It is safe
// for concurrent use by any number of processes.
type Store struct {
	drv     driver.Driver
	clock   Clock
	metrics *metrics.Metrics
}

// StoreOptions tune Open. Zero values mean the defaults.
type StoreOptions struct {
	// MaxConns sizes the connection pool (default: pgx's, max(4, CPUs)).
	MaxConns int32
	// Clock defaults to SystemClock. The scheduler and workers built on
	// this store use it too unless their options name another.
	Clock Clock
	// Metrics records the durations of runs that finish through this store,
	// and workers built on it record their attempts and claims there too:
	// the process's series (default nil: nothing is recorded).
	Metrics *metrics.Metrics
}

// Open connects to PostgreSQL and checks that it answers within 10 s. It
// does not check the schema; services call CheckSchema.
func Open(ctx context.Context, databaseURL string, opts ...StoreOptions) (*Store, error) {
	var o StoreOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	drv, err := pgstore.Open(ctx, databaseURL, pgstore.Options{MaxConns: o.MaxConns})
	if err != nil {
		return nil, err
	}
	s := newStore(drv, o.Clock)
	s.metrics = o.Metrics
	return s, nil
}

func newStore(drv driver.Driver, clock Clock) *Store {
	if clock == nil {
		clock = SystemClock{}
	}
	return &Store{drv: drv, clock: clock}
}

// Close closes the connection pools.
func (s *Store) Close() { s.drv.Close() }

// Migrate applies pending migrations.
func (s *Store) Migrate(ctx context.Context) ([]migrations.Migration, error) {
	return s.drv.Migrate(ctx)
}

// MigrationStatus lists every migration with when (if ever) it was applied.
func (s *Store) MigrationStatus(ctx context.Context) ([]migrations.State, error) {
	return s.drv.MigrationStatus(ctx)
}

// CheckSchema fails (wrapping migrations.ErrBehind) when migrations are pending.
func (s *Store) CheckSchema(ctx context.Context) error { return s.drv.CheckSchema(ctx) }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.drv.Ping(ctx) }

// tx runs fn in a transaction, committing when it returns nil.
func (s *Store) tx(ctx context.Context, fn func(driver.Executor) error) error {
	return s.drv.InTx(ctx, fn)
}

// notFoundf builds an ErrNotFound error.
func notFoundf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrNotFound}, args...)...)
}
