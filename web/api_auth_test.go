package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// errorCode decodes {"error": {"code", "message"}} and fails the test when
// the body is not that shape.
func errorCode(t *testing.T, body []byte) string {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("not an error body: %s", body)
	}
	return e.Error.Code
}

func TestAPIRequiresBearerToken(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	cases := []struct {
		name, header string
		want         int
	}{
		{"no header", "", http.StatusUnauthorized},
		{"wrong token", "Bearer nope-nope-nope-nope", http.StatusUnauthorized},
		{"token with suffix", "Bearer " + testToken + "x", http.StatusUnauthorized},
		{"basic scheme", "Basic " + testToken, http.StatusUnauthorized},
		{"right token", "Bearer " + testToken, http.StatusOK},
		{"scheme is case-insensitive", "bearer " + testToken, http.StatusOK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", h.srv.URL+"/api/v1/dags", nil)
			if c.header != "" {
				req.Header.Set("Authorization", c.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, c.want)
			}
			if c.want == http.StatusUnauthorized {
				var body json.RawMessage
				_ = json.NewDecoder(resp.Body).Decode(&body)
				if code := errorCode(t, body); code != "unauthorized" {
					t.Errorf("code %q", code)
				}
				if c.header == "" && !strings.Contains(string(body), "Bearer <token>") {
					t.Errorf("the 401 body escapes its message: %s", body)
				}
				if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("WWW-Authenticate = %q", resp.Header.Get("WWW-Authenticate"))
				}
			}
		})
	}
	// Every protected route refuses without a token, whatever the method.
	for _, r := range [][2]string{{"POST", "/api/v1/dags/flaky/runs"}, {"PATCH", "/api/v1/dags/flaky"},
		{"POST", "/api/v1/backfills"}, {"GET", "/api/v1/backfills/1"}} {
		if status, _ := h.call(r[0], r[1], "{}", false); status != http.StatusUnauthorized {
			t.Errorf("%s %s without token: %d", r[0], r[1], status)
		}
	}
}

func TestHealthAndOpenAPIArePublic(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	status, body := h.call("GET", "/api/v1/health", "", false)
	if status != http.StatusOK || !strings.Contains(string(body), `"database"`) {
		t.Fatalf("health: %d %s", status, body)
	}
	status, body = h.call("GET", "/api/v1/openapi.json", "", false)
	var doc map[string]any
	if status != http.StatusOK || json.Unmarshal(body, &doc) != nil || doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi: %d %.200s", status, body)
	}
}

func TestHealthReportsAnUnreachableDatabase(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	h.store.Close() // the database is now unreachable from this process
	status, body := h.call("GET", "/api/v1/health", "", false)
	if status != http.StatusServiceUnavailable || !strings.Contains(string(body), `"unavailable"`) {
		t.Fatalf("health with closed pool: %d %s", status, body)
	}
}
