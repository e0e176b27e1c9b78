package web

import (
	"net/http"
)

// GET /api/v1/dags
func (s *server) apiListDAGs(w http.ResponseWriter, r *http.Request) error {
	dags, err := s.orch.ListDAGs(r.Context())
	if err != nil {
		return err
	}
	s.sendJSON(w, r, http.StatusOK, map[string]any{"dags": dags, "total_entries": len(dags)})
	return nil
}

// GET /api/v1/dags/{dag_id}
func (s *server) apiGetDAG(w http.ResponseWriter, r *http.Request) error {
	d, err := s.orch.GetDAG(r.Context(), pathParam(r, "dag_id"))
	if err != nil {
		return err
	}
	s.sendJSON(w, r, http.StatusOK, d)
	return nil
}

// patchDAGBody is PATCH /api/v1/dags/{dag_id}'s body, as in Airflow's API.
type patchDAGBody struct {
	IsPaused *bool `json:"is_paused"`
}

// PATCH /api/v1/dags/{dag_id}: pause or unpause.
func (s *server) apiPatchDAG(w http.ResponseWriter, r *http.Request) error {
	var body patchDAGBody
	if err := decodeJSON(w, r, &body, false); err != nil {
		return err
	}
	if body.IsPaused == nil {
		return badRequest(`field "is_paused" is required (true or false)`)
	}
	id := pathParam(r, "dag_id")
	if err := s.orch.PauseDAG(r.Context(), id, *body.IsPaused); err != nil {
		return err
	}
	d, err := s.orch.GetDAG(r.Context(), id)
	if err != nil {
		return err
	}
	s.sendJSON(w, r, http.StatusOK, d)
	return nil
}
