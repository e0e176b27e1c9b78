package web

import (
	"net/http"

	"github.com/finpipe/finpipe/scheduler"
)

// runsPage is one page of a DAG's runs, filtered as the API's list is: the
// way to find one failed run among 100,000 without scrolling the grid.
type runsPage struct {
	DAGID           string
	Runs            []scheduler.DagRun
	Next            string // cursor of the next (older) page
	State, From, To string
	States          []scheduler.RunState
}

// GET /dags/{dag_id}/runs?state=&from=&to=&cursor=
func (s *server) uiRuns(w http.ResponseWriter, r *http.Request) {
	dagID := pathParam(r, "dag_id")
	f, err := runFilter(r, dagID)
	if err == nil {
		_, err = s.orch.GetDAG(r.Context(), dagID)
	}
	var page scheduler.RunPage
	if err == nil {
		page, err = s.orch.ListRuns(r.Context(), f)
	}
	if err != nil {
		s.uiError(w, r, err)
		return
	}
	q := r.URL.Query()
	s.render(w, r, http.StatusOK, "runs", "Runs of "+dagID, runsPage{
		DAGID: dagID, Runs: page.Runs, Next: page.NextCursor,
		State: q.Get("state"), From: q.Get("from"), To: q.Get("to"),
		States: []scheduler.RunState{scheduler.RunQueued, scheduler.RunRunning, scheduler.RunSuccess, scheduler.RunFailed},
	})
}
