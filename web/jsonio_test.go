package web

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A value that cannot be encoded is a logged 500 with an error body, never
// a success status with an empty body (issue 15: a time in year 10000).
func TestSendJSONAnswers500WhenEncodingFails(t *testing.T) {
	t.Parallel()
	var logged bytes.Buffer
	s := &server{log: slog.New(slog.NewTextHandler(&logged, nil))}
	w := httptest.NewRecorder()
	v := map[string]time.Time{"data_interval_end": time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}
	s.sendJSON(w, httptest.NewRequest("GET", "/api/v1/dags", nil), 200, v)
	var body apiError
	if w.Code != 500 || json.Unmarshal(w.Body.Bytes(), &body) != nil || body.Error.Code != "internal" {
		t.Fatalf("status %d, body %q", w.Code, w.Body)
	}
	if !strings.Contains(logged.String(), "year outside of range") {
		t.Fatalf("encoding error not logged: %q", logged.String())
	}
}

// Messages keep their angle brackets: "<token>", not "\u003ctoken\u003e".
func TestWriteJSONDoesNotEscapeHTML(t *testing.T) {
	t.Parallel()
	w := httptest.NewRecorder()
	if err := writeJSON(w, 401, apiError{errorBody{"unauthorized", "send 'Authorization: Bearer <token>'"}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(w.Body.String(), "Bearer <token>") {
		t.Fatalf("body %s", w.Body)
	}
}
