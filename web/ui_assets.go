package web

import (
	"net/http"
	"net/url"

	"github.com/finpipe/finpipe/scheduler"
)

// assetEventsShown is how many events the asset page shows at a time.
const assetEventsShown = 25

type assetsPage struct{ Assets []scheduler.AssetInfo }

// GET /assets: every asset with its kind, consumers, producers, last event
// and, for Kafka topics, the end offsets and each consuming DAG's lag.
func (s *server) uiAssets(w http.ResponseWriter, r *http.Request) {
	assets, err := s.orch.ListAssets(r.Context())
	if err != nil {
		s.uiError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "assets", "Assets", assetsPage{Assets: assets})
}

type assetPage struct {
	Asset  scheduler.AssetInfo
	Events eventPage
	Paged  bool // showing an older page (offer a link back to the newest)
}

// GET /assets/{asset_name}?before=&limit=: the asset and its latest events,
// each with its source and the runs it triggered, paged by event id.
func (s *server) uiAsset(w http.ResponseWriter, r *http.Request) {
	f, err := eventFilter(r.URL.Query(), assetEventsShown)
	if err != nil {
		s.uiError(w, r, err)
		return
	}
	a, err := s.orch.GetAsset(r.Context(), pathParam(r, "asset_name"))
	if err != nil {
		s.uiError(w, r, err)
		return
	}
	f.Asset = a.Name
	events, err := s.eventsPage(r.Context(), f)
	if err != nil {
		s.uiError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "asset", "Asset "+a.Name, assetPage{Asset: a, Events: events, Paged: f.BeforeID != 0})
}

// GET /runs/{run_id}: a run found by its id alone. An asset event knows the
// ids of the runs it triggered but not their DAGs; this link resolves the
// DAG when followed, instead of one lookup per run on every asset page.
func (s *server) uiRunByID(w http.ResponseWriter, r *http.Request) {
	run, err := s.orch.GetRun(r.Context(), pathParam(r, "run_id"))
	if err != nil {
		s.uiError(w, r, err)
		return
	}
	http.Redirect(w, r, "/dags/"+url.PathEscape(run.DAGID)+"/runs/"+url.PathEscape(run.RunID), http.StatusSeeOther)
}
