package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/finpipe/finpipe/scheduler"
)

// pathParam returns a URL path parameter, percent-decoded: run ids contain
// ':' and '+', which clients may escape.
func pathParam(r *http.Request, name string) string {
	v := chi.URLParam(r, name)
	if d, err := url.PathUnescape(v); err == nil {
		v = d
	}
	return cleanID(v)
}

// parseTime accepts RFC 3339 (with an offset) or a bare date, which means
// midnight UTC: what people type in a backfill form or a curl command.
func parseTime(field, v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	return time.Time{}, badRequest(fmt.Sprintf("%s: %q is not a date (YYYY-MM-DD) or an RFC 3339 time", field, v))
}

// parseLogicalDate is parseTime for a run's logical date or a backfill's
// range, which must also lie within the years the scheduler accepts.
func parseLogicalDate(field, v string) (time.Time, error) {
	t, err := parseTime(field, v)
	if err != nil {
		return t, err
	}
	if err := scheduler.CheckLogicalDate(t); err != nil {
		return t, badRequest(fmt.Sprintf("%s: %q is out of range: use a date from 1900-01-01 to 2999-12-31", field, v))
	}
	return t, nil
}

// queryTime parses an optional time query parameter.
func queryTime(q url.Values, name string) (time.Time, error) {
	if v := q.Get(name); v != "" {
		return parseTime(name, v)
	}
	return time.Time{}, nil
}

// queryInt parses an optional integer query parameter within [lo, hi].
func queryInt(q url.Values, name string, def, lo, hi int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, badRequest(fmt.Sprintf("%s must be an integer from %d to %d", name, lo, hi))
	}
	return n, nil
}

// queryBool parses an optional boolean query or form value.
func parseBool(name, v string, def bool) (bool, error) {
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, badRequest(fmt.Sprintf("%s must be true or false", name))
	}
	return b, nil
}
