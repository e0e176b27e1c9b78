package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/finpipe/finpipe/scheduler"
)

// The asset endpoints follow Airflow 3's REST API: /assets, /assets/{name},
// /assets/events and a run's upstream_asset_events. Asset names may hold
// '/' (table paths): clients escape it as %2F, which the router keeps
// inside one path segment.

// eventPage is one page of asset events, newest first. NextBeforeID is the
// "before" of the next (older) page, 0 on the last one.
type eventPage struct {
	Events       []scheduler.AssetEvent `json:"asset_events"`
	NextBeforeID int64                  `json:"next_before_id"`
}

// eventFilter reads an events query: asset (optional here), before (an
// event id: events older than it) and limit.
func eventFilter(q url.Values, defLimit int) (scheduler.AssetEventFilter, error) {
	f := scheduler.AssetEventFilter{Asset: cleanID(q.Get("asset"))}
	if v := q.Get("before"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id < 1 {
			return f, badRequest(fmt.Sprintf("before must be a positive event id, not %q", v))
		}
		f.BeforeID = id
	}
	var err error
	f.Limit, err = queryInt(q, "limit", defLimit, 1, 500)
	return f, err
}

// eventsPage loads one page. It asks for one event more than the page
// holds, so the last page is known without a second query (and without
// offering a link to an empty page).
func (s *server) eventsPage(ctx context.Context, f scheduler.AssetEventFilter) (eventPage, error) {
	limit := f.Limit
	f.Limit++
	evs, err := s.orch.ListAssetEvents(ctx, f)
	if err != nil {
		return eventPage{}, err
	}
	p := eventPage{Events: evs}
	if len(evs) > limit {
		p.Events = evs[:limit]
		p.NextBeforeID = p.Events[limit-1].ID
	}
	if p.Events == nil {
		p.Events = []scheduler.AssetEvent{}
	}
	return p, nil
}

// GET /api/v1/assets
func (s *server) apiListAssets(w http.ResponseWriter, r *http.Request) error {
	assets, err := s.orch.ListAssets(r.Context())
	if err != nil {
		return err
	}
	if assets == nil {
		assets = []scheduler.AssetInfo{}
	}
	s.sendJSON(w, r, http.StatusOK, map[string]any{"assets": assets, "total_entries": len(assets)})
	return nil
}

// GET /api/v1/assets/{asset_name}
func (s *server) apiGetAsset(w http.ResponseWriter, r *http.Request) error {
	a, err := s.orch.GetAsset(r.Context(), pathParam(r, "asset_name"))
	if err != nil {
		return err
	}
	s.sendJSON(w, r, http.StatusOK, a)
	return nil
}

// GET /api/v1/assets/events?asset=&before=&limit=
func (s *server) apiListAssetEvents(w http.ResponseWriter, r *http.Request) error {
	f, err := eventFilter(r.URL.Query(), 50)
	if err != nil {
		return err
	}
	// An unknown asset is a 404, not an empty list: a typo should be visible.
	if f.Asset != "" {
		if _, err := s.orch.GetAsset(r.Context(), f.Asset); err != nil {
			return err
		}
	}
	page, err := s.eventsPage(r.Context(), f)
	if err != nil {
		return err
	}
	s.sendJSON(w, r, http.StatusOK, page)
	return nil
}

// GET /api/v1/dags/{dag_id}/runs/{run_id}/upstream_asset_events: the events
// an asset-triggered run covered (empty for other runs).
func (s *server) apiRunAssetEvents(w http.ResponseWriter, r *http.Request) error {
	run, err := s.runOf(r.Context(), pathParam(r, "dag_id"), pathParam(r, "run_id"))
	if err != nil {
		return err
	}
	evs, err := s.orch.RunAssetEvents(r.Context(), run.RunID)
	if err != nil {
		return err
	}
	if evs == nil {
		evs = []scheduler.AssetEvent{}
	}
	s.sendJSON(w, r, http.StatusOK, map[string]any{"asset_events": evs, "total_entries": len(evs)})
	return nil
}
