package web_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/finpipe/finpipe/scheduler"
)

type backfillJSON struct {
	ID       int64  `json:"id"`
	DAGID    string `json:"dag_id"`
	State    string `json:"state"`
	Progress struct {
		Total, Done, Success, Failed int
	} `json:"progress"`
}

// A dry run lists the dates and creates nothing; the backfill then runs
// them all; a second active backfill of the same DAG is refused with 409.
func TestAPIBackfillDryRunCreateProgress(t *testing.T) {
	t.Parallel()
	h := newHarness(t, true)
	body := `{"dag_id": "flaky", "from_date": "2024-03-01", "to_date": "2024-03-07", "max_active_runs": 3}`
	var dry struct {
		Dates []struct {
			LogicalDate time.Time `json:"logical_date"`
			Action      string    `json:"action"`
		} `json:"dates"`
		TotalEntries int `json:"total_entries"`
	}
	h.json("POST", "/api/v1/backfills/dry_run", body, 200, &dry)
	if dry.TotalEntries != 7 || dry.Dates[0].LogicalDate != time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC) || dry.Dates[6].Action != "create" {
		t.Fatalf("dry run: %+v", dry)
	}
	var page scheduler.RunPage
	h.json("GET", "/api/v1/dags/flaky/runs", "", 200, &page)
	if len(page.Runs) != 0 {
		t.Fatalf("dry run created %d runs", len(page.Runs))
	}

	var bf backfillJSON
	h.json("POST", "/api/v1/backfills", body, 201, &bf)
	if bf.DAGID != "flaky" || bf.State != "running" || bf.Progress.Total != 7 {
		t.Fatalf("created: %+v", bf)
	}
	status, resp := h.call("POST", "/api/v1/backfills", body, true)
	if status != http.StatusConflict || errorCode(t, resp) != "conflict" {
		t.Fatalf("second backfill: %d %s", status, resp)
	}
	// A dry run creates nothing: it answers beside the active backfill.
	h.json("POST", "/api/v1/backfills/dry_run", body, 200, &dry)
	if dry.TotalEntries != 7 {
		t.Fatalf("dry run beside an active backfill: %+v", dry)
	}
	deadline := time.Now().Add(60 * time.Second)
	for bf.State == "running" && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		h.json("GET", fmt.Sprintf("/api/v1/backfills/%d", bf.ID), "", 200, &bf)
	}
	if bf.State != "completed" || bf.Progress.Done != 7 || bf.Progress.Success != 7 {
		t.Fatalf("backfill ended as %+v", bf)
	}
	var list struct {
		Backfills []backfillJSON `json:"backfills"`
	}
	h.json("GET", "/api/v1/backfills?dag_id=flaky", "", 200, &list)
	if len(list.Backfills) != 1 || list.Backfills[0].ID != bf.ID || list.Backfills[0].Progress.Done != 7 {
		t.Fatalf("list: %+v", list)
	}
}

// Pause, unpause and cancel move a backfill between its states; acting on a
// finished one is a conflict, not a server error.
func TestAPIBackfillPauseUnpauseCancel(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false) // no engine: the runs stay queued
	var bf backfillJSON
	h.json("POST", "/api/v1/backfills", `{"dag_id": "idle", "from_date": "2024-01-01", "to_date": "2024-01-10"}`, 201, &bf)
	path := fmt.Sprintf("/api/v1/backfills/%d", bf.ID)
	h.json("POST", path+"/pause", "", 200, &bf)
	if bf.State != "paused" {
		t.Fatalf("pause: %s", bf.State)
	}
	h.json("POST", path+"/unpause", "", 200, &bf)
	if bf.State != "running" {
		t.Fatalf("unpause: %s", bf.State)
	}
	h.json("POST", path+"/cancel", "", 200, &bf)
	if bf.State != "cancelled" {
		t.Fatalf("cancel: %s", bf.State)
	}
	status, resp := h.call("POST", path+"/pause", "", true)
	if status != http.StatusConflict || errorCode(t, resp) != "conflict" {
		t.Fatalf("pause a cancelled backfill: %d %s", status, resp)
	}
	// With the first one cancelled, the DAG may have a new backfill.
	h.json("POST", "/api/v1/backfills", `{"dag_id": "idle", "from_date": "2024-02-01", "to_date": "2024-02-02"}`, 201, &bf)
}
