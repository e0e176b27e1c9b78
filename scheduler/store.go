package scheduler

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/finpipe/finpipe/migrations"
)

// Store is the orchestrator's PostgreSQL persistence and the API the web
// layer and the CLI call (ListDAGs, TriggerRun, ClearTask, CreateBackfill…).
// Every statement it runs is in queries.go. It is safe for concurrent use by
// any number of processes: correctness rests on transactions, row locks,
// SKIP LOCKED and advisory locks, never on in-process state.
type Store struct {
	db *pgxpool.Pool
	// claimDB serves only the claim statement, with plan_cache_mode =
	// force_generic_plan: claims are serialised by an advisory lock, and
	// re-planning that statement for every claim (PostgreSQL's default for
	// its parameters) took longer than running it, capping throughput.
	claimDB *pgxpool.Pool
	clock   Clock
}

// StoreOptions tune Open. Zero values mean the defaults.
type StoreOptions struct {
	// MaxConns sizes the connection pool (default: pgx's, max(4, CPUs)).
	MaxConns int32
	// Clock defaults to SystemClock.
	Clock Clock
}

// Open connects to PostgreSQL and checks that it answers within 10 s. It
// does not check the schema; services call CheckSchema.
func Open(ctx context.Context, databaseURL string, opts ...StoreOptions) (*Store, error) {
	var o StoreOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("%w: database URL: %v", ErrInvalid, redactErr(err))
	}
	if o.MaxConns > 0 {
		cfg.MaxConns = o.MaxConns
	}
	if o.Clock == nil {
		o.Clock = SystemClock{}
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
	return &Store{db: db, claimDB: claimDB, clock: o.Clock}, nil
}

// NewStore wraps an existing pool (the caller keeps ownership of it).
func NewStore(db *pgxpool.Pool, clock Clock) *Store {
	if clock == nil {
		clock = SystemClock{}
	}
	return &Store{db: db, claimDB: db, clock: clock}
}

// Close closes the connection pools.
func (s *Store) Close() {
	if s.claimDB != s.db {
		s.claimDB.Close()
	}
	s.db.Close()
}

// Pool exposes the pgx pool (for migrations and health checks).
func (s *Store) Pool() *pgxpool.Pool { return s.db }

// Migrate applies pending migrations.
func (s *Store) Migrate(ctx context.Context) ([]migrations.Migration, error) {
	return migrations.Up(ctx, s.db)
}

// CheckSchema fails (wrapping migrations.ErrBehind) when migrations are pending.
func (s *Store) CheckSchema(ctx context.Context) error { return migrations.Check(ctx, s.db) }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.Ping(ctx) }

// tx runs fn in a transaction, committing when it returns nil.
func (s *Store) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.db, fn)
}

// isUniqueViolation reports a unique-constraint error (SQLSTATE 23505).
func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// redactURL hides the password of a database URL for error messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// redactErr strips pgx's echo of the connection string from an error.
func redactErr(err error) string {
	msg := err.Error()
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		msg = ce.Unwrap().Error()
	}
	// pgx joins one error per connection attempt (e.g. with and without
	// TLS) with newlines; the first says it and keeps the message one line.
	first, _, _ := strings.Cut(msg, "\n")
	return first
}

// notify sends a NOTIFY inside tx (delivered on commit).
func notify(ctx context.Context, q interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}, channel string) error {
	_, err := q.Exec(ctx, sqlNotify, channel, "")
	return err
}

// collect scans every row with scan (one of the scanX functions) into a
// slice that is never nil (JSON: [] rather than null).
func collect[T any](rows pgx.Rows, err error, scan func(pgx.Row) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
	if out == nil {
		out = []T{}
	}
	return out, err
}

// one scans a single row with scan, turning "no row" into an ErrNotFound
// error that names what was looked for.
func one[T any](row pgx.Row, scan func(pgx.Row) (T, error), what string, args ...any) (T, error) {
	v, err := scan(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return v, fmt.Errorf("%w: "+what, append([]any{ErrNotFound}, args...)...)
	}
	return v, err
}
