package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/finpipe/finpipe/scheduler"
)

// apiError is the body of every error response: {"error": {"code", "message"}}.
// Code is a stable, machine-readable word (bad_request, unauthorized,
// forbidden, not_found, conflict, too_large, unavailable, internal); message is for people.
type apiError struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// httpError is an error that already knows its HTTP status. Handlers return
// it for problems found in the request itself (bad JSON, bad query values).
type httpError struct {
	status int
	code   string
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func badRequest(msg string) error { return &httpError{http.StatusBadRequest, "bad_request", msg} }
func notFound(msg string) error   { return &httpError{http.StatusNotFound, "not_found", msg} }

// statusOf maps an error to a status and code. The scheduler's sentinel
// errors carry the meaning (not found, conflict, invalid); anything else is
// a server-side failure and is logged, never shown in detail, because it may
// hold connection strings or SQL.
func statusOf(err error) (status int, code, msg string) {
	var he *httpError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &he):
		return he.status, he.code, he.msg
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, "too_large", "request body is too large"
	case errors.Is(err, scheduler.ErrNotFound):
		return http.StatusNotFound, "not_found", err.Error()
	case errors.Is(err, scheduler.ErrConflict):
		return http.StatusConflict, "conflict", err.Error()
	case errors.Is(err, scheduler.ErrInvalid):
		return http.StatusBadRequest, "bad_request", err.Error()
	case isDataException(err):
		return http.StatusBadRequest, "bad_request", "a value in the request cannot be stored or compared (out of range, or characters PostgreSQL refuses)"
	}
	return http.StatusInternalServerError, "internal", "internal error; see the server log"
}

// isDataException reports PostgreSQL's SQLSTATE class 22 (data exception:
// a value out of range, a NUL byte, invalid UTF-8): the request carried a
// value the database refuses, which validation upstream did not foresee.
// It is the client's 400, not a server failure.
func isDataException(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && strings.HasPrefix(pe.Code, "22")
}

// writeError sends err as a JSON error body with the status statusOf gives.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, code, msg := statusOf(err)
	if status >= 500 {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeJSON(w, status, apiError{errorBody{code, msg}})
}

// logIfInternal logs err when it is a server-side failure; UI handlers use it
// before rendering a friendly error page.
func (s *server) logIfInternal(r *http.Request, err error) {
	if status, _, _ := statusOf(err); status >= 500 {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
}
