package pgstore

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
)

// fail turns PostgreSQL's errors that mean something to a caller into the
// engine's sentinels: a unique violation (SQLSTATE 23505) is ErrConflict;
// a data exception (class 22: a value out of range, a NUL byte, invalid
// UTF-8) is ErrInvalid, since the request carried a value the database
// refuses that validation upstream did not foresee. Other errors pass
// unchanged: they are the server's failures.
func fail(err error) error {
	var pe *pgconn.PgError
	switch {
	case err == nil || !errors.As(err, &pe):
		return err
	case pe.Code == "23505":
		return fmt.Errorf("%w: %s", driver.ErrConflict, pe.Message)
	case strings.HasPrefix(pe.Code, "22"):
		return fmt.Errorf("%w: a value in the request cannot be stored or compared (out of range, or characters PostgreSQL refuses)", driver.ErrInvalid)
	}
	return err
}

// isUniqueViolation reports a unique-constraint error (SQLSTATE 23505).
func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// notFound turns "no row" into an ErrNotFound error naming what was looked
// for; other errors go through fail.
func notFound(err error, what string, args ...any) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: "+what, append([]any{driver.ErrNotFound}, args...)...)
	}
	return fail(err)
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
