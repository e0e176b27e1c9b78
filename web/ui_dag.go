package web

import (
	"net/http"
	"slices"

	"github.com/finpipe/finpipe/scheduler"
)

// gridCell is one task instance in the grid; an empty State means the run
// has no such task (the DAG changed since).
type gridCell struct {
	RunID, TaskID string
	State         scheduler.TaskState
	Try           int
}

type gridRow struct {
	TaskID string
	Cells  []gridCell
}

// grid is runs × tasks, oldest run on the left as in Airflow. Only one page
// of runs is loaded (Options.GridRuns), so the page costs the same with 100
// runs or 100,000: one indexed range scan plus one query per run shown.
type grid struct {
	DAGID string
	Runs  []scheduler.DagRun
	Rows  []gridRow
	Older string // cursor of the page of older runs, if any
	Paged bool   // showing an older page (offer a link back to the latest)
}

func (s *server) loadGrid(r *http.Request, d scheduler.DAGInfo) (grid, error) {
	ctx := r.Context()
	cursor := r.URL.Query().Get("before")
	page, err := s.orch.ListRuns(ctx, scheduler.RunFilter{DAGID: d.DAGID, Limit: s.gridRuns, Cursor: cursor})
	if err != nil {
		return grid{}, err
	}
	g := grid{DAGID: d.DAGID, Runs: page.Runs, Older: page.NextCursor, Paged: cursor != ""}
	slices.Reverse(g.Runs)
	byTask := map[string][]gridCell{}
	order := make([]string, 0, len(d.Tasks))
	for _, t := range d.Tasks {
		order = append(order, t.TaskID)
		byTask[t.TaskID] = make([]gridCell, len(g.Runs))
	}
	for i, run := range g.Runs {
		tis, err := s.orch.ListTaskInstances(ctx, run.RunID)
		if err != nil {
			return grid{}, err
		}
		for _, ti := range tis {
			cells, ok := byTask[ti.TaskID]
			if !ok { // a task the current definition no longer has
				cells = make([]gridCell, len(g.Runs))
				byTask[ti.TaskID] = cells
				order = append(order, ti.TaskID)
			}
			cells[i] = gridCell{RunID: run.RunID, TaskID: ti.TaskID, State: ti.State, Try: ti.TryNumber}
		}
	}
	for _, id := range order {
		g.Rows = append(g.Rows, gridRow{TaskID: id, Cells: byTask[id]})
	}
	return g, nil
}

type dagPage struct {
	DAG            scheduler.DAGInfo
	Grid           grid
	Form           backfillForm
	Preview        []scheduler.BackfillDate
	Backfills      []backfillView
	ActiveBackfill bool
}

// GET /dags/{dag_id}
func (s *server) uiDAG(w http.ResponseWriter, r *http.Request) {
	page, err := s.dagPage(r, defaultBackfillForm())
	if err != nil {
		s.uiError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "dag", page.DAG.DAGID, page)
}

// dagPage gathers the DAG page; the backfill dry run renders it too, with
// the form as typed and the preview filled.
func (s *server) dagPage(r *http.Request, form backfillForm) (dagPage, error) {
	d, err := s.orch.GetDAG(r.Context(), pathParam(r, "dag_id"))
	if err != nil {
		return dagPage{}, err
	}
	g, err := s.loadGrid(r, d)
	if err != nil {
		return dagPage{}, err
	}
	bfs, err := s.listBackfills(r.Context(), d.DAGID, 5)
	if err != nil {
		return dagPage{}, err
	}
	page := dagPage{DAG: d, Grid: g, Form: form, Backfills: bfs}
	for _, b := range page.Backfills {
		if b.Active() {
			page.ActiveBackfill = true
		}
	}
	return page, nil
}
