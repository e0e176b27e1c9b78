package pgstore

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// Exec runs one statement on a short-lived connection to databaseURL and
// returns the rows it affected. It is for tools beside the engine — test
// seeding, fault injection, benchmarks — that must not hold connections
// (across a database restart, say) and must not import pgx themselves.
func Exec(ctx context.Context, databaseURL, sql string, args ...any) (int64, error) {
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return 0, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	tag, err := conn.Exec(ctx, sql, args...)
	return tag.RowsAffected(), err
}

// QueryRow runs a one-row query on a short-lived connection and scans the
// row into dest (see Exec).
func QueryRow(ctx context.Context, databaseURL, sql string, args []any, dest ...any) error {
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return conn.QueryRow(ctx, sql, args...).Scan(dest...)
}

// QuoteIdentifier quotes a name (a database, a table) for a statement.
func QuoteIdentifier(name string) string { return pgx.Identifier{name}.Sanitize() }
