package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// Bad input is a 4xx with a JSON error body, never a 500.
func TestAPIRejectsBadInput(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	var run struct {
		RunID string `json:"run_id"`
	}
	h.json("POST", "/api/v1/dags/idle/runs", `{"run_id": "taken", "logical_date": "2020-01-01"}`, 201, &run)
	tooBig := `{"conf": {"x": "` + strings.Repeat("a", 2<<20) + `"}}`

	cases := []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"unknown DAG", "GET", "/api/v1/dags/nope", "", 404, "not_found"},
		{"unknown DAG runs", "GET", "/api/v1/dags/nope/runs", "", 404, "not_found"},
		{"trigger unknown DAG", "POST", "/api/v1/dags/nope/runs", "", 404, "not_found"},
		{"unknown run", "GET", "/api/v1/dags/idle/runs/nope", "", 404, "not_found"},
		{"run of another DAG", "GET", "/api/v1/dags/flaky/runs/taken", "", 404, "not_found"},
		{"unknown task", "GET", "/api/v1/dags/idle/runs/taken/tasks/nope", "", 404, "not_found"},
		{"attempt never made", "GET", "/api/v1/dags/idle/runs/taken/tasks/noop/attempts/1/log", "", 404, "not_found"},
		{"attempt not a number", "GET", "/api/v1/dags/idle/runs/taken/tasks/noop/attempts/x/log", "", 404, "not_found"},
		{"unknown backfill", "GET", "/api/v1/backfills/999", "", 404, "not_found"},
		{"backfill id not a number", "GET", "/api/v1/backfills/abc", "", 404, "not_found"},
		{"unknown route", "GET", "/api/v1/nothing", "", 404, "not_found"},
		{"wrong method", "DELETE", "/api/v1/dags", "", 405, "method_not_allowed"},

		{"bad JSON", "POST", "/api/v1/dags/idle/runs", `{"conf":`, 400, "bad_request"},
		{"not an object", "POST", "/api/v1/dags/idle/runs", `[1,2]`, 400, "bad_request"},
		{"unknown field", "POST", "/api/v1/dags/idle/runs", `{"confx": {}}`, 400, "bad_request"},
		{"conf is an array", "POST", "/api/v1/dags/idle/runs", `{"conf": [1]}`, 400, "bad_request"},
		{"trailing data", "POST", "/api/v1/dags/idle/runs", `{} {}`, 400, "bad_request"},
		{"bad logical date", "POST", "/api/v1/dags/idle/runs", `{"logical_date": "yesterday"}`, 400, "bad_request"},
		{"body too large", "POST", "/api/v1/dags/idle/runs", tooBig, 413, "too_large"},
		{"run id taken", "POST", "/api/v1/dags/idle/runs", `{"run_id": "taken"}`, 409, "conflict"},
		{"logical date taken", "POST", "/api/v1/dags/idle/runs", `{"logical_date": "2020-01-01T00:00:00Z"}`, 409, "conflict"},

		{"bad state filter", "GET", "/api/v1/dags/idle/runs?state=done", "", 400, "bad_request"},
		{"bad limit", "GET", "/api/v1/dags/idle/runs?limit=0", "", 400, "bad_request"},
		{"limit too large", "GET", "/api/v1/dags/idle/runs?limit=501", "", 400, "bad_request"},
		{"bad from", "GET", "/api/v1/dags/idle/runs?from=soon", "", 400, "bad_request"},
		{"from after to", "GET", "/api/v1/dags/idle/runs?from=2021-01-02&to=2021-01-01", "", 400, "bad_request"},
		{"bad cursor", "GET", "/api/v1/dags/idle/runs?cursor=bm90LWEtY3Vyc29y", "", 400, "bad_request"},
		{"bad log limit", "GET", "/api/v1/dags/idle/runs/taken/tasks/noop/attempts/1/log?limit=-1", "", 400, "bad_request"},
		{"log wait too long", "GET", "/api/v1/dags/idle/runs/taken/tasks/noop/attempts/1/log?wait=999", "", 400, "bad_request"},

		{"pause without field", "PATCH", "/api/v1/dags/idle", `{}`, 400, "bad_request"},
		{"pause with a string", "PATCH", "/api/v1/dags/idle", `{"is_paused": "yes"}`, 400, "bad_request"},
		{"pause without body", "PATCH", "/api/v1/dags/idle", ``, 400, "bad_request"},
		{"mark running", "PATCH", "/api/v1/dags/idle/runs/taken/tasks/noop", `{"state": "running"}`, 400, "bad_request"},
		{"mark run running", "PATCH", "/api/v1/dags/idle/runs/taken", `{"state": "running"}`, 400, "bad_request"},
		{"mark nothing", "PATCH", "/api/v1/dags/idle/runs/taken/tasks/noop", `{}`, 400, "bad_request"},
		{"clear with a string", "POST", "/api/v1/dags/idle/runs/taken/tasks/noop/clear", `{"downstream": "yes"}`, 400, "bad_request"},

		{"backfill without dag", "POST", "/api/v1/backfills", `{"from_date": "2024-01-01", "to_date": "2024-01-02"}`, 400, "bad_request"},
		{"backfill without dates", "POST", "/api/v1/backfills", `{"dag_id": "idle"}`, 400, "bad_request"},
		{"backfill reversed", "POST", "/api/v1/backfills", `{"dag_id": "idle", "from_date": "2024-01-05", "to_date": "2024-01-01"}`, 400, "bad_request"},
		{"backfill bad reprocess", "POST", "/api/v1/backfills", `{"dag_id": "idle", "from_date": "2024-01-01", "to_date": "2024-01-02", "reprocess_behavior": "all"}`, 400, "bad_request"},
		{"backfill zero runs", "POST", "/api/v1/backfills", `{"dag_id": "idle", "from_date": "2024-01-01", "to_date": "2024-01-02", "max_active_runs": 0}`, 400, "bad_request"},
		{"backfill unknown DAG", "POST", "/api/v1/backfills/dry_run", `{"dag_id": "nope", "from_date": "2024-01-01", "to_date": "2024-01-02"}`, 404, "not_found"},
		{"backfill too many dates", "POST", "/api/v1/backfills/dry_run", `{"dag_id": "idle", "from_date": "1900-01-01", "to_date": "2024-01-02"}`, 400, "bad_request"},
		{"backfill limit", "GET", "/api/v1/backfills?limit=x", "", 400, "bad_request"},

		// Values PostgreSQL refuses (NUL, invalid UTF-8) are the client's error.
		{"invalid UTF-8 DAG id", "GET", "/api/v1/dags/%ff", "", 404, "not_found"},
		{"NUL in DAG id", "GET", "/api/v1/dags/a%00b", "", 404, "not_found"},
		{"NUL in run and task ids", "GET", "/api/v1/dags/idle/runs/%ff/tasks/%00", "", 404, "not_found"},
		{"NUL in run id", "POST", "/api/v1/dags/idle/runs", `{"run_id": "a\u0000b"}`, 400, "bad_request"},
		{"NUL in conf", "POST", "/api/v1/dags/idle/runs", `{"conf": {"a": ["\u0000"]}}`, 400, "bad_request"},
		{"NUL in backfill DAG id", "POST", "/api/v1/backfills", `{"dag_id": "a\u0000", "from_date": "2024-01-01", "to_date": "2024-01-03"}`, 400, "bad_request"},
		{"invalid UTF-8 in cursor", "GET", "/api/v1/dags/idle/runs?cursor=MjAyNC0wMS0wMVQwMDowMDowMFp8_w", "", 400, "bad_request"},
		{"NUL in cursor", "GET", "/api/v1/dags/idle/runs?cursor=MjAyNC0wMS0wMVQwMDowMDowMFp8AA", "", 400, "bad_request"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := h.call(c.method, c.path, c.body, true)
			if status != c.status {
				t.Fatalf("status %d, want %d; body %.300s", status, c.status, body)
			}
			if code := errorCode(t, body); code != c.code {
				t.Errorf("code %q, want %q", code, c.code)
			}
		})
	}
	if status, _ := h.call("GET", "/api/v1/dags/idle/runs/taken", "", true); status != http.StatusOK {
		t.Fatalf("the run the cases used is gone: %d", status)
	}
}
