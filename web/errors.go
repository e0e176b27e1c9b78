package web

import (
	"errors"
	"net/http"

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
// errors carry the meaning (not found, conflict, invalid — its store turns
// the database's own errors into them, so a value PostgreSQL refuses is
// already ErrInvalid); anything else is a server-side failure and is logged,
// never shown in detail, because it may hold connection strings or SQL.
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
	}
	return http.StatusInternalServerError, "internal", "internal error; see the server log"
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
