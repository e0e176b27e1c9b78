// Package migrations holds FinPipe's PostgreSQL schema as numbered SQL files
// (NNNN_name.sql, embedded with go:embed) and the runner that applies them.
//
// Up applies pending files in order, all in one transaction under an
// advisory lock, so two processes migrating at once cannot interleave and a
// failed file leaves the database exactly as it was. Check lets long-running
// services refuse to start on a database whose schema is behind the binary.
package migrations

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed *.sql
var files embed.FS

// lockKey is the advisory lock held while migrating ("finpipe1" in ASCII).
const lockKey = 0x66696e7069706531

// ErrBehind is returned by Check when the database lacks migrations that this
// binary ships: run "finpipe migrate up".
var ErrBehind = errors.New("database schema is behind: run 'finpipe migrate up'")

// Migration is one numbered SQL file.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// State is a migration together with when (if ever) it was applied.
type State struct {
	Migration
	AppliedAt *time.Time
}

// All returns the embedded migrations in version order.
func All() ([]Migration, error) {
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration file %q is not named NNNN_name.sql", e.Name())
		}
		body, err := fs.ReadFile(files, e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("two migrations with version %d", out[i].Version)
		}
	}
	return out, nil
}

const createTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    integer PRIMARY KEY,
	name       text NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now())`

// Up applies every pending migration and returns the ones it applied.
func Up(ctx context.Context, db *pgxpool.Pool) ([]Migration, error) {
	all, err := All()
	if err != nil {
		return nil, err
	}
	var applied []Migration
	err = pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(lockKey)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, createTable); err != nil {
			return err
		}
		done, err := appliedVersions(ctx, tx)
		if err != nil {
			return err
		}
		for _, m := range all {
			if _, ok := done[m.Version]; ok {
				continue
			}
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.Version, m.Name); err != nil {
				return err
			}
			applied = append(applied, m)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return applied, nil
}

// Status lists every embedded migration with its applied time (nil if
// pending). It does not create anything.
func Status(ctx context.Context, db *pgxpool.Pool) ([]State, error) {
	all, err := All()
	if err != nil {
		return nil, err
	}
	done, err := appliedVersions(ctx, db)
	if err != nil {
		return nil, err
	}
	out := make([]State, len(all))
	for i, m := range all {
		out[i].Migration = m
		if at, ok := done[m.Version]; ok {
			at := at
			out[i].AppliedAt = &at
		}
	}
	return out, nil
}

// Check returns an error wrapping ErrBehind when a migration is pending.
func Check(ctx context.Context, db *pgxpool.Pool) error {
	st, err := Status(ctx, db)
	if err != nil {
		return err
	}
	var pending []string
	for _, s := range st {
		if s.AppliedAt == nil {
			pending = append(pending, fmt.Sprintf("%04d_%s", s.Version, s.Name))
		}
	}
	if len(pending) > 0 {
		return fmt.Errorf("%w (pending: %s)", ErrBehind, strings.Join(pending, ", "))
	}
	return nil
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// appliedVersions reads schema_migrations; a missing table means none.
func appliedVersions(ctx context.Context, q querier) (map[int]time.Time, error) {
	var exists bool
	if err := q.QueryRow(ctx, "SELECT to_regclass('schema_migrations') IS NOT NULL").Scan(&exists); err != nil {
		return nil, err
	}
	done := map[int]time.Time{}
	if !exists {
		return done, nil
	}
	rows, err := q.Query(ctx, "SELECT version, applied_at FROM schema_migrations")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		var at time.Time
		if err := rows.Scan(&v, &at); err != nil {
			return nil, err
		}
		done[v] = at
	}
	return done, rows.Err()
}
