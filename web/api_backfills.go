package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/finpipe/finpipe/scheduler"
)

// backfillBody is POST /api/v1/backfills (and /dry_run)'s body, with
// Airflow 3's field names.
type backfillBody struct {
	DAGID             string         `json:"dag_id"`
	FromDate          string         `json:"from_date"`
	ToDate            string         `json:"to_date"`
	ReprocessBehavior string         `json:"reprocess_behavior"`
	MaxActiveRuns     *int           `json:"max_active_runs"`
	RunBackwards      bool           `json:"run_backwards"`
	DagRunConf        map[string]any `json:"dag_run_conf"`
}

// defaultBackfillRuns is max_active_runs when the request omits it (Airflow's default).
const defaultBackfillRuns = 10

// request validates the body; the UI's form builds the same body, so both
// paths give the same messages.
func (b backfillBody) request() (scheduler.BackfillRequest, error) {
	req := scheduler.BackfillRequest{DAGID: b.DAGID, Reprocess: b.ReprocessBehavior, RunBackwards: b.RunBackwards,
		Conf: b.DagRunConf, MaxActiveRuns: defaultBackfillRuns}
	if b.DAGID == "" {
		return req, badRequest(`field "dag_id" is required`)
	}
	if err := checkText("dag_id", b.DAGID); err != nil {
		return req, err
	}
	if err := checkConf("dag_run_conf", b.DagRunConf); err != nil {
		return req, err
	}
	if b.FromDate == "" || b.ToDate == "" {
		return req, badRequest(`fields "from_date" and "to_date" are required`)
	}
	var err error
	if req.From, err = parseLogicalDate("from_date", b.FromDate); err != nil {
		return req, err
	}
	if req.To, err = parseLogicalDate("to_date", b.ToDate); err != nil {
		return req, err
	}
	if req.From.After(req.To) {
		return req, badRequest("from_date must not be after to_date")
	}
	switch req.Reprocess {
	case "":
		req.Reprocess = "none"
	case "none", "failed", "completed":
	default:
		return req, badRequest(`reprocess_behavior must be "none", "failed" or "completed"`)
	}
	if b.MaxActiveRuns != nil {
		if *b.MaxActiveRuns < 1 || *b.MaxActiveRuns > 1000 {
			return req, badRequest("max_active_runs must be from 1 to 1000")
		}
		req.MaxActiveRuns = *b.MaxActiveRuns
	}
	return req, nil
}

func (s *server) backfillRoutes(r chi.Router) {
	r.Get("/backfills", s.api(s.apiListBackfills))
	r.Post("/backfills", s.api(s.apiCreateBackfill))
	r.Post("/backfills/dry_run", s.api(s.apiDryRunBackfill))
	r.Get("/backfills/{backfill_id}", s.api(s.apiGetBackfill))
	r.Post("/backfills/{backfill_id}/pause", s.api(s.apiBackfillAction(s.orch.PauseBackfill)))
	r.Post("/backfills/{backfill_id}/unpause", s.api(s.apiBackfillAction(s.orch.UnpauseBackfill)))
	r.Post("/backfills/{backfill_id}/cancel", s.api(s.apiBackfillAction(s.orch.CancelBackfill)))
}

func (s *server) decodeBackfill(w http.ResponseWriter, r *http.Request) (scheduler.BackfillRequest, error) {
	var body backfillBody
	if err := decodeJSON(w, r, &body, false); err != nil {
		return scheduler.BackfillRequest{}, err
	}
	return body.request()
}

// POST /api/v1/backfills: 201, or 409 when the DAG has an active backfill.
func (s *server) apiCreateBackfill(w http.ResponseWriter, r *http.Request) error {
	req, err := s.decodeBackfill(w, r)
	if err != nil {
		return err
	}
	res, err := s.orch.CreateBackfill(r.Context(), req)
	if err != nil {
		return err
	}
	if res.Backfill == nil {
		return fmt.Errorf("web: store created no backfill for %s", req.DAGID)
	}
	// Read it back: the counts by state are the store's, as GET shows them.
	b, err := s.orch.GetBackfill(r.Context(), res.Backfill.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/backfills/%d", b.ID))
	s.sendJSON(w, r, http.StatusCreated, viewBackfill(b))
	return nil
}

// dryRunResult lists the logical dates a backfill would run, in order, and
// what it would do at each (create, reprocess or skip), creating nothing.
type dryRunResult struct {
	Dates        []scheduler.BackfillDate `json:"dates"`
	TotalEntries int                      `json:"total_entries"`
}

// dryRun plans a backfill without creating it.
func (s *server) dryRun(ctx context.Context, req scheduler.BackfillRequest) ([]scheduler.BackfillDate, error) {
	req.DryRun = true
	res, err := s.orch.CreateBackfill(ctx, req)
	if res.Dates == nil {
		res.Dates = []scheduler.BackfillDate{}
	}
	return res.Dates, err
}

// POST /api/v1/backfills/dry_run
func (s *server) apiDryRunBackfill(w http.ResponseWriter, r *http.Request) error {
	req, err := s.decodeBackfill(w, r)
	if err != nil {
		return err
	}
	dates, err := s.dryRun(r.Context(), req)
	if err != nil {
		return err
	}
	s.sendJSON(w, r, http.StatusOK, dryRunResult{Dates: dates, TotalEntries: len(dates)})
	return nil
}

// GET /api/v1/backfills?dag_id=&limit=
func (s *server) apiListBackfills(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit, err := queryInt(q, "limit", 50, 1, 100)
	if err != nil {
		return err
	}
	views, err := s.listBackfills(r.Context(), cleanID(q.Get("dag_id")), limit)
	if err != nil {
		return err
	}
	s.sendJSON(w, r, http.StatusOK, map[string]any{"backfills": views, "total_entries": len(views)})
	return nil
}

func backfillID(r *http.Request) (int64, error) {
	v := pathParam(r, "backfill_id")
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 1 {
		return 0, notFound("no backfill " + strconv.Quote(v))
	}
	return id, nil
}

// GET /api/v1/backfills/{backfill_id}: with progress.
func (s *server) apiGetBackfill(w http.ResponseWriter, r *http.Request) error {
	id, err := backfillID(r)
	if err != nil {
		return err
	}
	b, err := s.orch.GetBackfill(r.Context(), id)
	if err != nil {
		return err
	}
	s.sendJSON(w, r, http.StatusOK, viewBackfill(b))
	return nil
}

// apiBackfillAction serves pause, unpause and cancel: act, then return the
// backfill as it now is.
func (s *server) apiBackfillAction(act func(ctx context.Context, id int64) error) apiHandler {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := backfillID(r)
		if err != nil {
			return err
		}
		if err := act(r.Context(), id); err != nil {
			return err
		}
		return s.apiGetBackfill(w, r)
	}
}
