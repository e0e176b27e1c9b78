package web

import (
	"net/http"
	"strconv"

	"github.com/finpipe/finpipe/scheduler"
)

// GET /api/v1/dags/{dag_id}/runs/{run_id}/tasks
func (s *server) apiListTasks(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	run, err := s.runOf(ctx, pathParam(r, "dag_id"), pathParam(r, "run_id"))
	if err != nil {
		return err
	}
	tis, err := s.orch.ListTaskInstances(ctx, run.RunID)
	if err != nil {
		return err
	}
	s.sendJSON(w, r, http.StatusOK, map[string]any{"task_instances": tis, "total_entries": len(tis)})
	return nil
}

// GET /api/v1/dags/{dag_id}/runs/{run_id}/tasks/{task_id}: with every attempt.
func (s *server) apiGetTask(w http.ResponseWriter, r *http.Request) error {
	ti, err := s.taskOf(r.Context(), pathParam(r, "dag_id"), pathParam(r, "run_id"), pathParam(r, "task_id"))
	if err != nil {
		return err
	}
	s.sendJSON(w, r, http.StatusOK, ti)
	return nil
}

// markable checks a state a person sets by hand on a run or a task: success
// or failed (both types spell them the same); the scheduler decides the rest.
func markable[S ~string](s S) error {
	if s != "success" && s != "failed" {
		return badRequest(`state must be "success" or "failed"`)
	}
	return nil
}

// decodeMark reads the body of the PATCH routes that mark a run or a task:
// {"state": "success" | "failed"}.
func decodeMark[S ~string](w http.ResponseWriter, r *http.Request) (S, error) {
	var body struct {
		State S `json:"state"`
	}
	if err := decodeJSON(w, r, &body, false); err != nil {
		return "", err
	}
	return body.State, markable(body.State)
}

// PATCH /api/v1/dags/{dag_id}/runs/{run_id}/tasks/{task_id}: mark success or failed.
func (s *server) apiMarkTask(w http.ResponseWriter, r *http.Request) error {
	state, err := decodeMark[scheduler.TaskState](w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	ti, err := s.taskOf(ctx, pathParam(r, "dag_id"), pathParam(r, "run_id"), pathParam(r, "task_id"))
	if err != nil {
		return err
	}
	if err := s.orch.MarkTask(ctx, ti.RunID, ti.TaskID, state); err != nil {
		return err
	}
	if ti, err = s.orch.GetTaskInstance(ctx, ti.RunID, ti.TaskID); err != nil {
		return err
	}
	s.sendJSON(w, r, http.StatusOK, ti)
	return nil
}

// clearBody is POST .../clear's body; downstream defaults to true, as the
// UI's checkbox does, because a cleared task's downstream results are stale.
type clearBody struct {
	Downstream *bool `json:"downstream"`
}

// POST /api/v1/dags/{dag_id}/runs/{run_id}/tasks/{task_id}/clear
func (s *server) apiClearTask(w http.ResponseWriter, r *http.Request) error {
	var body clearBody
	if err := decodeJSON(w, r, &body, true); err != nil {
		return err
	}
	downstream := body.Downstream == nil || *body.Downstream
	ctx := r.Context()
	ti, err := s.taskOf(ctx, pathParam(r, "dag_id"), pathParam(r, "run_id"), pathParam(r, "task_id"))
	if err != nil {
		return err
	}
	if err := s.orch.ClearTask(ctx, ti.RunID, ti.TaskID, downstream); err != nil {
		return err
	}
	tis, err := s.orch.ListTaskInstances(ctx, ti.RunID)
	if err != nil {
		return err
	}
	s.sendJSON(w, r, http.StatusOK, map[string]any{"task_instances": tis, "total_entries": len(tis)})
	return nil
}

// tryParam reads {try} and checks the attempt exists (1..current try).
func tryParam(r *http.Request, ti scheduler.TaskInstance) (int, error) {
	try, err := strconv.Atoi(pathParam(r, "try"))
	if err != nil || try < 1 || try > ti.TryNumber {
		return 0, notFound("task " + ti.TaskID + " has no attempt " + pathParam(r, "try"))
	}
	return try, nil
}
