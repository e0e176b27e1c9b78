package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/finpipe/finpipe/scheduler"
)

// recentRuns is how many coloured squares the DAGs page shows per DAG.
const recentRuns = 12

type dagRow struct {
	scheduler.DAGInfo
	Recent []scheduler.DagRun // oldest first, as Airflow draws them
}

type dagsPage struct{ DAGs []dagRow }

// GET /dags
func (s *server) uiDAGs(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	dags, err := s.orch.ListDAGs(ctx)
	if err != nil {
		s.uiError(w, r, err)
		return
	}
	page := dagsPage{DAGs: make([]dagRow, len(dags))}
	for i, d := range dags {
		runs, err := s.orch.ListRuns(ctx, scheduler.RunFilter{DAGID: d.DAGID, Limit: recentRuns})
		if err != nil {
			s.uiError(w, r, err)
			return
		}
		slices.Reverse(runs.Runs)
		page.DAGs[i] = dagRow{DAGInfo: d, Recent: runs.Runs}
	}
	s.render(w, r, http.StatusOK, "dags", "DAGs", page)
}

// POST /trigger (form: dag_id, conf, logical_date, next)
func (s *server) uiTrigger(w http.ResponseWriter, r *http.Request) {
	body := triggerBody{LogicalDate: r.PostFormValue("logical_date")}
	dagID := cleanID(r.PostFormValue("dag_id"))
	var err error
	if c := strings.TrimSpace(r.PostFormValue("conf")); c != "" {
		err = decodeConf(c, &body.Conf)
	}
	var run scheduler.DagRun
	if err == nil {
		var opts scheduler.TriggerOptions
		if opts, err = body.options(); err == nil {
			run, err = s.orch.TriggerRun(r.Context(), dagID, opts)
		}
	}
	if err != nil {
		s.actionDone(w, r, "/dags", "", err)
		return
	}
	s.redirectWith(w, r, "/dags/"+run.DAGID+"/runs/"+run.RunID, "Triggered run "+run.RunID+".", false)
}

// decodeConf parses a conf typed into a form: a JSON object.
func decodeConf(text string, dst *map[string]any) error {
	if err := decodeBytes([]byte(text), dst); err != nil {
		return badRequest("conf must be a JSON object: " + err.Error())
	}
	return nil
}

// POST /dags/{dag_id}/pause (form: paused=true|false)
func (s *server) uiPause(w http.ResponseWriter, r *http.Request) {
	dagID := pathParam(r, "dag_id")
	paused, err := parseBool("paused", r.PostFormValue("paused"), true)
	if err == nil {
		err = s.orch.PauseDAG(r.Context(), dagID, paused)
	}
	msg := "Unpaused " + dagID + "."
	if paused {
		msg = "Paused " + dagID + "."
	}
	s.actionDone(w, r, "/dags", msg, err)
}
