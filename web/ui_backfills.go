package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/finpipe/finpipe/scheduler"
)

// backfillForm is the DAG page's backfill form as typed, so a dry run
// re-renders it unchanged above its preview.
type backfillForm struct {
	From, To, Reprocess, Conf string
	MaxActiveRuns             int
	RunBackwards              bool
}

func defaultBackfillForm() backfillForm {
	return backfillForm{Reprocess: "none", MaxActiveRuns: defaultBackfillRuns}
}

// POST /dags/{dag_id}/backfills (form; dry_run=true renders a preview).
func (s *server) uiCreateBackfill(w http.ResponseWriter, r *http.Request) {
	dagID := pathParam(r, "dag_id")
	here := "/dags/" + dagID
	form := backfillForm{From: r.PostFormValue("from_date"), To: r.PostFormValue("to_date"),
		Reprocess: r.PostFormValue("reprocess_behavior"), Conf: r.PostFormValue("dag_run_conf"),
		RunBackwards: r.PostFormValue("run_backwards") == "true"}
	body := backfillBody{DAGID: dagID, FromDate: form.From, ToDate: form.To,
		ReprocessBehavior: form.Reprocess, RunBackwards: form.RunBackwards}
	var err error
	if v := strings.TrimSpace(r.PostFormValue("max_active_runs")); v != "" {
		n, convErr := strconv.Atoi(v)
		if convErr != nil {
			err = badRequest("max_active_runs must be a number")
		}
		body.MaxActiveRuns, form.MaxActiveRuns = &n, n
	}
	if c := strings.TrimSpace(form.Conf); c != "" && err == nil {
		err = decodeConf(c, &body.DagRunConf)
	}
	var req scheduler.BackfillRequest
	if err == nil {
		req, err = body.request()
	}
	if err != nil {
		s.actionDone(w, r, here, "", err)
		return
	}
	if r.PostFormValue("dry_run") == "true" {
		s.uiDryRun(w, r, form, req)
		return
	}
	res, err := s.orch.CreateBackfill(r.Context(), req)
	msg := ""
	if err == nil && res.Backfill != nil {
		msg = fmt.Sprintf("Started backfill %d: %d logical date(s).", res.Backfill.ID, len(res.Dates))
	}
	s.actionDone(w, r, here, msg, err)
}

// uiDryRun renders the DAG page with the form kept and the dates listed.
func (s *server) uiDryRun(w http.ResponseWriter, r *http.Request, form backfillForm, req scheduler.BackfillRequest) {
	dates, err := s.dryRun(r.Context(), req)
	if err != nil {
		s.actionDone(w, r, "/dags/"+req.DAGID, "", err)
		return
	}
	page, err := s.dagPage(r, form)
	if err != nil {
		s.uiError(w, r, err)
		return
	}
	page.Preview = dates
	s.render(w, r, http.StatusOK, "dag", page.DAG.DAGID, page)
}

// POST /backfills/{backfill_id}/{pause|unpause|cancel}
func (s *server) uiBackfillAction(w http.ResponseWriter, r *http.Request) {
	id, err := backfillID(r)
	var b scheduler.Backfill
	if err == nil {
		b, err = s.orch.GetBackfill(r.Context(), id)
	}
	if err != nil {
		s.actionDone(w, r, "/dags", "", err)
		return
	}
	acts := map[string]func() error{
		"pause":   func() error { return s.orch.PauseBackfill(r.Context(), id) },
		"unpause": func() error { return s.orch.UnpauseBackfill(r.Context(), id) },
		"cancel":  func() error { return s.orch.CancelBackfill(r.Context(), id) },
	}
	action := pathParam(r, "action")
	act, ok := acts[action]
	if !ok {
		s.uiError(w, r, notFound("unknown backfill action "+strconv.Quote(action)))
		return
	}
	s.actionDone(w, r, "/dags/"+b.DAGID, "Backfill "+strconv.FormatInt(id, 10)+": "+action+" done.", act())
}
