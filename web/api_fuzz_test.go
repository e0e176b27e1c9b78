package web_test

import (
	"net/http"
	"testing"
)

// FuzzAPINeverFailsOnBadBodies sends arbitrary bodies to every route that
// takes one, against the real store: whatever the bytes, the answer is a
// success or a 4xx, never a server error.
func FuzzAPINeverFailsOnBadBodies(f *testing.F) {
	for _, seed := range []string{
		``, `{}`, `null`, `[]`, `{"conf": {"k": "v"}}`, `{"run_id": "fz_1", "logical_date": "2024-01-01"}`,
		`{"run_id": "a\u0000"}`, `{"conf": {"\u0000": 1}}`, `{"logical_date": "99999-01-01T00:00:00Z"}`,
		`{"is_paused": true}`, `{"state": "success"}`, `{"state": "queued"}`, `{"downstream": false}`, `{"only_failed": true}`,
		`{"dag_id": "idle", "from_date": "2024-01-01", "to_date": "2024-01-03", "max_active_runs": 1}`,
		`{"dag_id": "idle", "from_date": "0001-01-01", "to_date": "0001-01-02"}`, "{\"run_id\": \"\xff\"}",
	} {
		f.Add([]byte(seed))
	}
	h := newHarness(f, false)
	if status, _ := h.call("POST", "/api/v1/dags/idle/runs", `{"run_id": "fuzz_target"}`, true); status != http.StatusCreated {
		f.Fatalf("seed run: %d", status)
	}
	const runID = "fuzz_target"
	routes := [][2]string{
		{"POST", "/api/v1/dags/idle/runs"},
		{"PATCH", "/api/v1/dags/idle"},
		{"PATCH", "/api/v1/dags/idle/runs/" + runID},
		{"POST", "/api/v1/dags/idle/runs/" + runID + "/clear"},
		{"PATCH", "/api/v1/dags/idle/runs/" + runID + "/tasks/noop"},
		{"POST", "/api/v1/dags/idle/runs/" + runID + "/tasks/noop/clear"},
		{"POST", "/api/v1/backfills/dry_run"},
		{"POST", "/api/v1/backfills"},
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		h := *h
		h.t = t // failures belong to this input, not to the fuzz target
		for _, rt := range routes {
			if status, resp := h.call(rt[0], rt[1], string(body), true); status >= 500 {
				t.Fatalf("%s %s with %q: %d %s", rt[0], rt[1], body, status, resp)
			}
		}
	})
}
