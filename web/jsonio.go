package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// maxBodyBytes caps every request body. The largest legitimate body is a
// run's conf or a backfill's dag_run_conf; 1 MiB is far beyond either.
const maxBodyBytes = 1 << 20

// writeJSON sends v with the given status. It encodes into a buffer first:
// a value that cannot be encoded (a time past year 9999, say) must not
// become a success status with an empty or half-written body. Then it
// answers 500 with the usual error body and returns the error for the
// caller to log (sendJSON does).
func writeJSON(w http.ResponseWriter, status int, v any) error {
	body, err := encodeJSON(v)
	if err != nil {
		body, _ = encodeJSON(apiError{errorBody{"internal", "internal error; see the server log"}}) // our own two strings: cannot fail
		status = http.StatusInternalServerError
		err = fmt.Errorf("web: encoding a %T response: %w", v, err)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body) // a write error means the client went away: nothing left to tell it
	return err
}

// encodeJSON is the API's encoding: indented, and without HTML escaping, so
// a message reads "<token>", not "\u003ctoken\u003e" (JSON responses are
// never parsed as HTML: they carry their content type and nosniff).
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// sendJSON is writeJSON for handlers: an encoding failure is logged.
func (s *server) sendJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	if err := writeJSON(w, status, v); err != nil {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
}

// decodeJSON reads a JSON object from the size-limited body into dst.
// Unknown fields, trailing data and wrong types are 400s that name the
// problem. An empty body leaves dst unchanged when optional is true, so
// "POST .../runs" with no body triggers a run with defaults.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any, optional bool) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return badRequest("cannot read request body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if optional {
			return nil
		}
		return badRequest("request body is required (a JSON object)")
	}
	return decodeBytes(body, dst)
}

// decodeBytes is decodeJSON's parser, separate so the fuzz test drives it
// without HTTP.
func decodeBytes(body []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return badRequest(describeJSONError(err))
	}
	if dec.More() {
		return badRequest("invalid JSON: unexpected data after the object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("invalid JSON: unexpected data after the object")
	}
	return nil
}

// describeJSONError turns encoding/json's errors into messages a script
// author can act on, without Go type names.
func describeJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return fmt.Sprintf("field %q: expected %s, got %s", typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value)
		}
		return fmt.Sprintf("expected a JSON object, got %s", typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "invalid JSON: unexpected end of input"
	}
	return "invalid JSON: " + err.Error()
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "int", "int64", "int32", "float64":
		return "a number"
	case "map", "struct":
		return "an object"
	case "slice":
		return "an array"
	}
	return goKind
}
