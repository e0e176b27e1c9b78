package web

import (
	"net/http"

	"github.com/finpipe/finpipe/scheduler"
)

// triggerBody is POST /api/v1/dags/{dag_id}/runs's body; every field is
// optional. The UI's trigger form fills the same struct.
type triggerBody struct {
	RunID       string         `json:"run_id"`
	LogicalDate string         `json:"logical_date"`
	Conf        map[string]any `json:"conf"`
}

func (b triggerBody) options() (scheduler.TriggerOptions, error) {
	o := scheduler.TriggerOptions{RunID: b.RunID, Conf: b.Conf}
	if err := checkText("run_id", b.RunID); err != nil {
		return o, err
	}
	if err := checkConf("conf", b.Conf); err != nil {
		return o, err
	}
	if b.LogicalDate != "" {
		t, err := parseLogicalDate("logical_date", b.LogicalDate)
		if err != nil {
			return o, err
		}
		o.LogicalDate = t
	}
	return o, nil
}

// POST /api/v1/dags/{dag_id}/runs
func (s *server) apiTriggerRun(w http.ResponseWriter, r *http.Request) error {
	var body triggerBody
	if err := decodeJSON(w, r, &body, true); err != nil {
		return err
	}
	opts, err := body.options()
	if err != nil {
		return err
	}
	run, err := s.orch.TriggerRun(r.Context(), pathParam(r, "dag_id"), opts)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/dags/"+run.DAGID+"/runs/"+run.RunID)
	s.sendJSON(w, r, http.StatusCreated, run)
	return nil
}

// runFilter reads GET .../runs's query: state, from, to (logical dates,
// inclusive), cursor and limit.
func runFilter(r *http.Request, dagID string) (scheduler.RunFilter, error) {
	q := r.URL.Query()
	f := scheduler.RunFilter{DAGID: dagID, State: scheduler.RunState(q.Get("state")), Cursor: q.Get("cursor")}
	if f.State != "" && !f.State.Valid() {
		return f, badRequest("state must be one of queued, running, success, failed")
	}
	var err error
	if f.From, err = queryTime(q, "from"); err != nil {
		return f, err
	}
	if f.To, err = queryTime(q, "to"); err != nil {
		return f, err
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.From.After(f.To) {
		return f, badRequest("from must not be after to")
	}
	f.Limit, err = queryInt(q, "limit", 50, 1, 500)
	return f, err
}

// GET /api/v1/dags/{dag_id}/runs
func (s *server) apiListRuns(w http.ResponseWriter, r *http.Request) error {
	dagID := pathParam(r, "dag_id")
	f, err := runFilter(r, dagID)
	if err != nil {
		return err
	}
	// An unknown DAG is a 404, not an empty list: a typo should be visible.
	if _, err := s.orch.GetDAG(r.Context(), dagID); err != nil {
		return err
	}
	page, err := s.orch.ListRuns(r.Context(), f)
	if err != nil {
		return err
	}
	if page.Runs == nil {
		page.Runs = []scheduler.DagRun{}
	}
	s.sendJSON(w, r, http.StatusOK, page)
	return nil
}

// GET /api/v1/dags/{dag_id}/runs/{run_id}
func (s *server) apiGetRun(w http.ResponseWriter, r *http.Request) error {
	run, err := s.runOf(r.Context(), pathParam(r, "dag_id"), pathParam(r, "run_id"))
	if err != nil {
		return err
	}
	s.sendJSON(w, r, http.StatusOK, run)
	return nil
}

// clearRunBody is POST .../runs/{run_id}/clear's optional body.
type clearRunBody struct {
	// OnlyFailed clears only failed and upstream_failed tasks (Airflow's
	// "clear failed"); by default every task runs again.
	OnlyFailed bool `json:"only_failed"`
}

// POST /api/v1/dags/{dag_id}/runs/{run_id}/clear
func (s *server) apiClearRun(w http.ResponseWriter, r *http.Request) error {
	var body clearRunBody
	if err := decodeJSON(w, r, &body, true); err != nil {
		return err
	}
	ctx := r.Context()
	run, err := s.runOf(ctx, pathParam(r, "dag_id"), pathParam(r, "run_id"))
	if err != nil {
		return err
	}
	if err := s.orch.ClearRun(ctx, run.RunID, body.OnlyFailed); err != nil {
		return err
	}
	if run, err = s.orch.GetRun(ctx, run.RunID); err != nil {
		return err
	}
	s.sendJSON(w, r, http.StatusOK, run)
	return nil
}

// PATCH /api/v1/dags/{dag_id}/runs/{run_id}: mark a run success (its
// unfinished tasks too) or failed (active attempts fail, waiting tasks skip).
func (s *server) apiMarkRun(w http.ResponseWriter, r *http.Request) error {
	state, err := decodeMark[scheduler.RunState](w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	run, err := s.runOf(ctx, pathParam(r, "dag_id"), pathParam(r, "run_id"))
	if err != nil {
		return err
	}
	if err := s.orch.MarkRun(ctx, run.RunID, state); err != nil {
		return err
	}
	if run, err = s.orch.GetRun(ctx, run.RunID); err != nil {
		return err
	}
	s.sendJSON(w, r, http.StatusOK, run)
	return nil
}
