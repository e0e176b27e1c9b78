// Package pgstore is the orchestrator's PostgreSQL driver: it implements
// the engine's driver.Driver with pgx, holds every SQL statement the engine
// runs (queries*.go), scans rows into model records and turns PostgreSQL's
// errors into the engine's ErrNotFound, ErrConflict and ErrInvalid
// (errors.go). Nothing else in FinPipe imports pgx: tools that need a raw
// statement against the database (test seeding, fault injection) use Exec
// and QueryRow (admin.go).
//
// It is safe for concurrent use by any number of processes: correctness
// rests on transactions, row locks, SKIP LOCKED and advisory locks, never
// on in-process state.
package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/finpipe/finpipe/migrations"
	"github.com/finpipe/finpipe/scheduler/internal/driver"
)

// Driver is a pgx connection pool seen through driver.Driver.
type Driver struct {
	executor
	db *pgxpool.Pool
	// claimDB serves only the claim statement, with plan_cache_mode =
	// force_generic_plan: claims are serialised by an advisory lock, and
	// re-planning that statement for every claim (PostgreSQL's default for
	// its parameters) took longer than running it, capping throughput.
	claimDB *pgxpool.Pool
}

var _ driver.Driver = (*Driver)(nil)

// Options tune Open. Zero values mean the defaults.
type Options struct {
	// MaxConns sizes the connection pool (default: pgx's, max(4, CPUs)).
	MaxConns int32
}

// Open connects to PostgreSQL and checks that it answers within 10 s. It
// does not check the schema.
func Open(ctx context.Context, databaseURL string, o Options) (*Driver, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("%w: database URL: %v", driver.ErrInvalid, redactErr(err))
	}
	if o.MaxConns > 0 {
		cfg.MaxConns = o.MaxConns
	}
	db, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("database: %v", redactErr(err))
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.Ping(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("cannot reach database %s: %v", redactURL(databaseURL), redactErr(err))
	}
	ccfg := cfg.Copy()
	ccfg.MaxConns, ccfg.MinConns = 2, 0
	ccfg.ConnConfig.RuntimeParams["plan_cache_mode"] = "force_generic_plan"
	claimDB, err := pgxpool.NewWithConfig(ctx, ccfg)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("database: %v", redactErr(err))
	}
	return &Driver{executor: executor{q: db}, db: db, claimDB: claimDB}, nil
}

// Close closes the connection pools.
func (d *Driver) Close() {
	d.claimDB.Close()
	d.db.Close()
}

// Ping checks that the database answers.
func (d *Driver) Ping(ctx context.Context) error { return d.db.Ping(ctx) }

// Migrate applies pending migrations.
func (d *Driver) Migrate(ctx context.Context) ([]migrations.Migration, error) {
	return migrations.Up(ctx, d.db)
}

// MigrationStatus lists every migration with when it was applied.
func (d *Driver) MigrationStatus(ctx context.Context) ([]migrations.State, error) {
	return migrations.Status(ctx, d.db)
}

// CheckSchema fails (wrapping migrations.ErrBehind) when migrations are pending.
func (d *Driver) CheckSchema(ctx context.Context) error { return migrations.Check(ctx, d.db) }

// InTx runs fn in a transaction, committing when it returns nil.
func (d *Driver) InTx(ctx context.Context, fn func(driver.Executor) error) error {
	return fail(pgx.BeginFunc(ctx, d.db, func(tx pgx.Tx) error { return fn(executor{q: tx}) }))
}

// Listen keeps one dedicated connection LISTENing on channel.
func (d *Driver) Listen(ctx context.Context, channel string, onWake func()) error {
	pc, err := d.db.Acquire(ctx)
	if err != nil {
		return err
	}
	conn := pc.Hijack()
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, listenSQL(channel)); err != nil {
		return err
	}
	onWake()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		onWake()
	}
}

// TryLock takes the session advisory lock named by key on a dedicated
// connection, held until unlock.
func (d *Driver) TryLock(ctx context.Context, key string) (func(context.Context) error, bool, error) {
	l, ok, err := d.TryLease(ctx, key)
	if !ok || err != nil {
		return nil, ok, err
	}
	return l.Unlock, true, nil
}

// TryLease takes the session advisory lock named by key on a dedicated
// connection, held until Unlock or until that connection ends.
func (d *Driver) TryLease(ctx context.Context, key string) (driver.Lease, bool, error) {
	conn, err := d.db.Acquire(ctx)
	if err != nil {
		return nil, false, err
	}
	var got bool
	if err := conn.QueryRow(ctx, sqlTryTickLock, key).Scan(&got); err != nil {
		conn.Release()
		return nil, false, fmt.Errorf("advisory lock: %w", err)
	}
	if !got {
		conn.Release()
		return nil, false, nil
	}
	return &lease{conn: conn, key: key}, true, nil
}

// lease is a session advisory lock on the connection that holds it.
type lease struct {
	conn *pgxpool.Conn
	key  string
}

// Check asks the holding session whether it still holds the lock: a
// session that ended (killed backend, cut connection) fails to answer.
func (l *lease) Check(ctx context.Context) error {
	var held bool
	if err := l.conn.QueryRow(ctx, sqlHoldsLock, l.key).Scan(&held); err != nil {
		return fmt.Errorf("lock %q lost: %w", l.key, err)
	}
	if !held {
		return fmt.Errorf("lock %q lost", l.key)
	}
	return nil
}

// Unlock releases the lock and its connection. A lock whose session
// ended is gone already; the dead connection is then destroyed.
func (l *lease) Unlock(ctx context.Context) error {
	defer l.conn.Release()
	_, err := l.conn.Exec(ctx, sqlTickUnlock, l.key)
	return err
}
