package web

import (
	"net/http"

	"github.com/finpipe/finpipe/scheduler"
)

type runPage struct {
	Run   scheduler.DagRun
	Tasks []scheduler.TaskInstance
	// Events are the asset events an asset-triggered run covered.
	Events []scheduler.AssetEvent
}

// GET /dags/{dag_id}/runs/{run_id}
func (s *server) uiRun(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	run, err := s.runOf(ctx, pathParam(r, "dag_id"), pathParam(r, "run_id"))
	if err != nil {
		s.uiError(w, r, err)
		return
	}
	tis, err := s.orch.ListTaskInstances(ctx, run.RunID)
	if err != nil {
		s.uiError(w, r, err)
		return
	}
	page := runPage{Run: run, Tasks: tis}
	if run.RunType == scheduler.RunTypeAssetTriggered {
		if page.Events, err = s.orch.RunAssetEvents(ctx, run.RunID); err != nil {
			s.uiError(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "run", "Run "+run.RunID, page)
}

// POST /dags/{dag_id}/runs/{run_id}/clear
func (s *server) uiClearRun(w http.ResponseWriter, r *http.Request) {
	dagID, runID := pathParam(r, "dag_id"), pathParam(r, "run_id")
	here := "/dags/" + dagID + "/runs/" + runID
	run, err := s.runOf(r.Context(), dagID, runID)
	onlyFailed := r.PostFormValue("only_failed") == "true"
	if err == nil {
		err = s.orch.ClearRun(r.Context(), run.RunID, onlyFailed)
	}
	msg := "Cleared every task of the run."
	if onlyFailed {
		msg = "Cleared the run's failed tasks."
	}
	s.actionDone(w, r, here, msg, err)
}

// POST /dags/{dag_id}/runs/{run_id}/mark (form: state=success|failed)
func (s *server) uiMarkRun(w http.ResponseWriter, r *http.Request) {
	dagID, runID := pathParam(r, "dag_id"), pathParam(r, "run_id")
	state := scheduler.RunState(r.PostFormValue("state"))
	run, err := s.runOf(r.Context(), dagID, runID)
	if err == nil {
		err = markable(state)
	}
	if err == nil {
		err = s.orch.MarkRun(r.Context(), run.RunID, state)
	}
	s.actionDone(w, r, "/dags/"+dagID+"/runs/"+runID, "Marked the run "+string(state)+".", err)
}
