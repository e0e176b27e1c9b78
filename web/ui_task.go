package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/finpipe/finpipe/scheduler"
)

// uiLogLines is how much of an attempt's log the task page renders on the
// server; the API pages through the rest.
const uiLogLines = 5000

// attemptRow is one line of the task page's attempts table: the finished
// attempts from the store, plus the current one while it runs.
type attemptRow struct {
	TryNumber          int
	State              scheduler.TaskState
	Hostname, Error    string
	StartDate, EndDate *time.Time
	Duration           *float64
}

type logView struct {
	Try       int
	Lines     []scheduler.LogLine
	After     int
	Following bool
	More      bool
	URL       string // the API endpoint the page's script follows
}

type taskPage struct {
	TI       scheduler.TaskInstance
	Attempts []attemptRow
	Log      *logView
	Try      int // the attempt whose log is shown
}

func attemptRows(ti scheduler.TaskInstance) []attemptRow {
	rows := make([]attemptRow, 0, len(ti.Attempts)+1)
	seen := map[int]bool{}
	for _, a := range ti.Attempts {
		end := a.EndDate
		rows = append(rows, attemptRow{a.TryNumber, a.State, a.Hostname, a.Error, a.StartDate, &end, a.Duration})
		seen[a.TryNumber] = true
	}
	if ti.TryNumber > 0 && !seen[ti.TryNumber] {
		rows = append(rows, attemptRow{ti.TryNumber, ti.State, ti.Hostname, ti.Error, ti.StartDate, ti.EndDate, ti.Duration})
	}
	return rows
}

// GET /dags/{dag_id}/runs/{run_id}/tasks/{task_id}?try=N (default: latest)
func (s *server) uiTask(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ti, err := s.taskOf(ctx, pathParam(r, "dag_id"), pathParam(r, "run_id"), pathParam(r, "task_id"))
	if err != nil {
		s.uiError(w, r, err)
		return
	}
	page := taskPage{TI: ti, Attempts: attemptRows(ti)}
	try := ti.TryNumber
	if v := r.URL.Query().Get("try"); v != "" {
		if try, err = strconv.Atoi(v); err != nil || try < 1 || try > ti.TryNumber {
			s.uiError(w, r, notFound("no attempt "+v+" of task "+ti.TaskID))
			return
		}
	}
	page.Try = try
	if try > 0 && r.URL.Query().Get("fragment") == "" {
		lp, err := s.readLog(ctx, ti, try, 0, uiLogLines, 0)
		if err != nil {
			s.uiError(w, r, err)
			return
		}
		page.Log = &logView{Try: try, Lines: lp.Lines, After: lp.NextAfterLine, Following: lp.Following,
			More: len(lp.Lines) == uiLogLines,
			URL:  "/api/v1/dags/" + ti.DAGID + "/runs/" + ti.RunID + "/tasks/" + ti.TaskID + "/attempts/" + strconv.Itoa(try) + "/log"}
	}
	s.render(w, r, http.StatusOK, "task", ti.TaskID+" · "+ti.RunID, page)
}

// POST .../tasks/{task_id}/clear (form: downstream=true)
func (s *server) uiClearTask(w http.ResponseWriter, r *http.Request) {
	s.taskAction(w, r, func(ti scheduler.TaskInstance) (string, error) {
		downstream := r.PostFormValue("downstream") == "true"
		msg := "Cleared " + ti.TaskID
		if downstream {
			msg += " and its downstream tasks"
		}
		return msg + ".", s.orch.ClearTask(r.Context(), ti.RunID, ti.TaskID, downstream)
	})
}

// POST .../tasks/{task_id}/mark (form: state=success|failed)
func (s *server) uiMarkTask(w http.ResponseWriter, r *http.Request) {
	s.taskAction(w, r, func(ti scheduler.TaskInstance) (string, error) {
		state := scheduler.TaskState(r.PostFormValue("state"))
		if err := markable(state); err != nil {
			return "", err
		}
		return "Marked " + ti.TaskID + " " + string(state) + ".", s.orch.MarkTask(r.Context(), ti.RunID, ti.TaskID, state)
	})
}

// taskAction loads the task instance of the path, runs do, and redirects
// back to the task page with do's message or error.
func (s *server) taskAction(w http.ResponseWriter, r *http.Request, do func(scheduler.TaskInstance) (string, error)) {
	dagID, runID, taskID := pathParam(r, "dag_id"), pathParam(r, "run_id"), pathParam(r, "task_id")
	here := "/dags/" + dagID + "/runs/" + runID + "/tasks/" + taskID
	ti, err := s.taskOf(r.Context(), dagID, runID, taskID)
	msg := ""
	if err == nil {
		msg, err = do(ti)
	}
	s.actionDone(w, r, here, msg, err)
}
