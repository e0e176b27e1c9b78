package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/finpipe/finpipe/scheduler"
)

func TestAPIDAGsListGetPause(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	var list struct {
		DAGs         []scheduler.DAGInfo `json:"dags"`
		TotalEntries int                 `json:"total_entries"`
	}
	h.json("GET", "/api/v1/dags", "", 200, &list)
	if list.TotalEntries != 3 || len(list.DAGs) != 3 {
		t.Fatalf("dags: %+v", list)
	}
	var d struct {
		Schedule string `json:"schedule"`
		IsPaused bool   `json:"is_paused"`
		Tasks    []struct {
			TaskID  string `json:"task_id"`
			Retries int    `json:"retries"`
		} `json:"tasks"`
	}
	h.json("GET", "/api/v1/dags/flaky", "", 200, &d)
	if d.Schedule != "@daily" || len(d.Tasks) != 2 || d.Tasks[0].TaskID != "extract" || d.Tasks[0].Retries != 2 {
		t.Fatalf("dag: %+v", d)
	}
	h.json("PATCH", "/api/v1/dags/flaky", `{"is_paused": true}`, 200, &d)
	if !d.IsPaused {
		t.Fatal("not paused")
	}
	h.json("PATCH", "/api/v1/dags/flaky", `{"is_paused": false}`, 200, &d)
	if d.IsPaused {
		t.Fatal("still paused")
	}
}

// Paging walks every run exactly once, newest first, whatever the page
// size; filters narrow by state and by logical date.
func TestAPIListRunsPagesWithCursor(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	const n = 120
	for i := range n {
		body := fmt.Sprintf(`{"logical_date": %q}`, base.Add(time.Duration(i)*time.Hour).Format(time.RFC3339))
		h.json("POST", "/api/v1/dags/idle/runs", body, 201, nil)
	}
	seen := map[string]bool{}
	var last time.Time
	cursor, pages := "", 0
	for {
		var page scheduler.RunPage
		h.json("GET", "/api/v1/dags/idle/runs?limit=50&cursor="+url.QueryEscape(cursor), "", 200, &page)
		pages++
		for _, r := range page.Runs {
			if seen[r.RunID] {
				t.Fatalf("run %s on two pages", r.RunID)
			}
			if !last.IsZero() && r.LogicalDate.After(last) {
				t.Fatalf("not newest first: %s after %s", r.LogicalDate, last)
			}
			seen[r.RunID], last = true, r.LogicalDate
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	if len(seen) != n || pages != 3 {
		t.Fatalf("saw %d runs in %d pages, want %d in 3", len(seen), pages, n)
	}
	var page scheduler.RunPage
	h.json("GET", "/api/v1/dags/idle/runs?from=2024-01-01T10:00:00Z&to=2024-01-01T19:00:00Z", "", 200, &page)
	if len(page.Runs) != 10 || page.NextCursor != "" {
		t.Fatalf("date filter: %d runs, cursor %q", len(page.Runs), page.NextCursor)
	}
	h.json("GET", "/api/v1/dags/idle/runs?state=success", "", 200, &page)
	if len(page.Runs) != 0 {
		t.Fatalf("state filter: %d successful runs of a DAG that never ran", len(page.Runs))
	}
}

// The story a script follows: trigger, watch the run finish, see the retry
// in the attempts, read each attempt's log, clear the task and see it rerun.
func TestAPITriggerRetryLogAndClear(t *testing.T) {
	t.Parallel()
	h := newHarness(t, true)
	var run scheduler.DagRun
	h.json("POST", "/api/v1/dags/flaky/runs", `{"conf": {"source": "api"}}`, 201, &run)
	if run.Conf["source"] != "api" {
		t.Fatalf("conf not kept: %+v", run.Conf)
	}
	if got := h.waitRun("flaky", run.RunID, 20*time.Second); got.State != scheduler.RunSuccess {
		t.Fatalf("run ended %s", got.State)
	}
	base := "/api/v1/dags/flaky/runs/" + url.PathEscape(run.RunID) + "/tasks"
	var ti scheduler.TaskInstance
	h.json("GET", base+"/extract", "", 200, &ti)
	if ti.State != scheduler.TaskSuccess || ti.TryNumber != 2 || len(ti.Attempts) != 2 {
		t.Fatalf("extract: state %s try %d attempts %+v", ti.State, ti.TryNumber, ti.Attempts)
	}
	first, second := ti.Attempts[0], ti.Attempts[1]
	if first.TryNumber != 1 || first.State != scheduler.TaskFailed || !strings.Contains(first.Error, "source not ready") || first.Duration == nil {
		t.Fatalf("first attempt: %+v", first)
	}
	if second.TryNumber != 2 || second.State != scheduler.TaskSuccess {
		t.Fatalf("second attempt: %+v", second)
	}

	type logPage struct {
		Lines  []scheduler.LogLine `json:"lines"`
		Next   int                 `json:"next_after_line"`
		Follow bool                `json:"following"`
	}
	var lp logPage
	h.json("GET", base+"/extract/attempts/1/log", "", 200, &lp)
	if len(lp.Lines) < 2 || !strings.Contains(lp.Lines[1].Message, "source not ready") || lp.Follow {
		t.Fatalf("log of try 1: %+v", lp)
	}
	h.json("GET", base+"/extract/attempts/1/log?after_line=1&limit=1", "", 200, &lp)
	if len(lp.Lines) != 1 || lp.Lines[0].Line != 2 || lp.Next != 2 {
		t.Fatalf("paged log: %+v", lp)
	}
	h.json("GET", base+"/extract/attempts/2/log", "", 200, &lp)
	if len(lp.Lines) < 2 || !strings.Contains(lp.Lines[1].Message, "extracted 42 rows") {
		t.Fatalf("log of try 2: %+v", lp)
	}

	var cleared struct {
		TaskInstances []scheduler.TaskInstance `json:"task_instances"`
	}
	h.json("POST", base+"/extract/clear", `{"downstream": true}`, 200, &cleared)
	// The engine runs a cleared task at once, so by the time the answer is
	// written a task may have finished again, but only in a new attempt.
	triesBefore := map[string]int{"extract": 2, "load": 1}
	for _, c := range cleared.TaskInstances {
		if c.State.Finished() && c.TryNumber <= triesBefore[c.TaskID] {
			t.Fatalf("after clear %s is still %s in try %d", c.TaskID, c.State, c.TryNumber)
		}
	}
	if got := h.waitRun("flaky", run.RunID, 20*time.Second); got.State != scheduler.RunSuccess {
		t.Fatalf("cleared run ended %s", got.State)
	}
	h.json("GET", base+"/extract", "", 200, &ti)
	if ti.State != scheduler.TaskSuccess || ti.TryNumber < 3 {
		t.Fatalf("after clear: state %s try %d", ti.State, ti.TryNumber)
	}

	h.json("PATCH", base+"/load", `{"state": "failed"}`, 200, &ti)
	if ti.State != scheduler.TaskFailed {
		t.Fatalf("mark failed: %s", ti.State)
	}
	h.json("PATCH", "/api/v1/dags/flaky/runs/"+url.PathEscape(run.RunID), `{"state": "success"}`, 200, &run)
	if run.State != scheduler.RunSuccess {
		t.Fatalf("mark run success: %s", run.State)
	}
}

// A running attempt's log is followed: wait= returns as soon as a line
// arrives, and "following" turns false once the attempt ends.
func TestAPIFollowsARunningAttemptLog(t *testing.T) {
	t.Parallel()
	h := newHarness(t, true)
	var run scheduler.DagRun
	h.json("POST", "/api/v1/dags/slow/runs", ``, 201, &run)
	path := "/api/v1/dags/slow/runs/" + url.PathEscape(run.RunID) + "/tasks/crawl"
	deadline := time.Now().Add(10 * time.Second)
	var ti scheduler.TaskInstance
	for ti.TryNumber == 0 && time.Now().Before(deadline) {
		h.json("GET", path, "", 200, &ti)
		time.Sleep(20 * time.Millisecond)
	}
	after, polls, followedWhileRunning := 0, 0, false
	for time.Now().Before(deadline) {
		var lp struct {
			Lines     []scheduler.LogLine `json:"lines"`
			Next      int                 `json:"next_after_line"`
			Following bool                `json:"following"`
		}
		h.json("GET", fmt.Sprintf("%s/attempts/1/log?after_line=%d&wait=5", path, after), "", 200, &lp)
		polls++
		for _, l := range lp.Lines {
			if l.Line != after+1 {
				t.Fatalf("line %d after %d", l.Line, after)
			}
			after = l.Line
		}
		if lp.Following && len(lp.Lines) > 0 {
			followedWhileRunning = true
		}
		if !lp.Following {
			break
		}
	}
	if after != 15 || !followedWhileRunning {
		t.Fatalf("followed %d lines in %d polls (live: %v), want 15", after, polls, followedWhileRunning)
	}
}

// A far-future logical date is a 400, and the lists keep answering with
// bodies (issue 15: 9999-12-31T23:59:59Z answered 201 with no body, and
// then every list of runs was empty).
func TestAPIRefusesLogicalDatesPastTheRange(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	for _, body := range []string{`{"logical_date": "9999-12-31T23:59:59Z"}`, `{"logical_date": "3000-01-01"}`, `{"logical_date": "0000-01-01T00:00:00Z"}`} {
		status, resp := h.call("POST", "/api/v1/dags/idle/runs", body, true)
		if status != 400 || errorCode(t, resp) != "bad_request" || !strings.Contains(string(resp), "logical_date") {
			t.Errorf("trigger %s: %d %s", body, status, resp)
		}
	}
	for _, body := range []string{`{"dag_id": "idle", "from_date": "2024-01-01", "to_date": "9999-12-31T23:59:59Z"}`,
		`{"dag_id": "idle", "from_date": "0001-01-01", "to_date": "2024-01-01"}`} {
		for _, path := range []string{"/api/v1/backfills", "/api/v1/backfills/dry_run"} {
			if status, resp := h.call("POST", path, body, true); status != 400 || errorCode(t, resp) != "bad_request" {
				t.Errorf("%s %s: %d %s", path, body, status, resp)
			}
		}
	}
	var page scheduler.RunPage
	h.json("GET", "/api/v1/dags/idle/runs", "", 200, &page)
	h.json("GET", "/api/v1/dags", "", 200, &struct{}{})
	if len(page.Runs) != 0 {
		t.Fatalf("a refused trigger created %d runs", len(page.Runs))
	}
}
