package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/finpipe/finpipe/scheduler"
)

// apiHandler is an API endpoint: it writes its own success response and
// returns an error for everything else, which api turns into the JSON error
// body with the right status.
type apiHandler func(w http.ResponseWriter, r *http.Request) error

func (s *server) api(h apiHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	}
}

// runOf loads a run and checks it belongs to the DAG named in the path, so
// /dags/a/runs/<a run of b> is a 404 rather than a view of b's run.
func (s *server) runOf(ctx context.Context, dagID, runID string) (scheduler.DagRun, error) {
	run, err := s.orch.GetRun(ctx, runID)
	if err != nil {
		return run, err
	}
	if run.DAGID != dagID {
		return run, notFound(fmt.Sprintf("DAG %q has no run %q", dagID, runID))
	}
	return run, nil
}

// taskOf loads a task instance after checking its run belongs to the DAG.
func (s *server) taskOf(ctx context.Context, dagID, runID, taskID string) (scheduler.TaskInstance, error) {
	if _, err := s.runOf(ctx, dagID, runID); err != nil {
		return scheduler.TaskInstance{}, err
	}
	return s.orch.GetTaskInstance(ctx, runID, taskID)
}

// apiNotFound and apiMethodNotAllowed keep unknown routes JSON under /api/v1.
func (s *server) apiNotFound(w http.ResponseWriter, r *http.Request) {
	s.sendJSON(w, r, http.StatusNotFound, apiError{errorBody{"not_found", "no such endpoint: " + r.Method + " " + r.URL.Path + " (see /api/v1/openapi.json)"}})
}

func (s *server) apiMethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	s.sendJSON(w, r, http.StatusMethodNotAllowed, apiError{errorBody{"method_not_allowed", r.Method + " is not allowed on " + r.URL.Path}})
}
