package web_test

import (
	"net/url"
	"slices"
	"strconv"
	"testing"

	"github.com/finpipe/finpipe/scheduler"
)

// Issue 10: asset events are listed in the REST API with their source, the
// runs they triggered and, per run, the events it covered.
func TestAssetAPIListsAssetsEventsAndTheRunsTheyTriggered(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, assetRegistry(t), true)
	st := runAssetStory(t, h)

	var list struct {
		Assets       []scheduler.AssetInfo `json:"assets"`
		TotalEntries int                   `json:"total_entries"`
	}
	h.json("GET", "/api/v1/assets", "", 200, &list)
	if list.TotalEntries != 2 || len(list.Assets) != 2 {
		t.Fatalf("assets: %+v", list)
	}
	var table scheduler.AssetInfo
	h.json("GET", "/api/v1/assets/"+assetPath(tableAsset), "", 200, &table)
	if table.Kind != scheduler.AssetDeltaTable || !slices.Equal(table.Consumers, []string{consumerDAG}) ||
		!slices.Equal(table.Producers, []string{producerDAG + ".write"}) || table.LastEvent == nil ||
		table.LastEvent.SourceRunID != st.producerRuns[1] {
		t.Fatalf("table asset: %+v (last event %+v)", table, table.LastEvent)
	}
	var topic scheduler.AssetInfo
	h.json("GET", "/api/v1/assets/"+topicAsset, "", 200, &topic)
	if topic.Kind != scheduler.AssetKafkaTopic || topic.URI != "kafka://"+topicAsset || !slices.Equal(topic.Consumers, []string{streamerDAG}) {
		t.Fatalf("topic asset: %+v", topic)
	}
	if status, body := h.call("GET", "/api/v1/assets/nope", "", true); status != 404 || errorCode(t, body) != "not_found" {
		t.Fatalf("unknown asset: %d %s", status, body)
	}

	// One event per page, newest first, until next_before_id is 0.
	type page struct {
		Events []scheduler.AssetEvent `json:"asset_events"`
		Next   int64                  `json:"next_before_id"`
	}
	var seen []scheduler.AssetEvent
	q := url.Values{"asset": {tableAsset}, "limit": {"1"}}
	for {
		var p page
		h.json("GET", "/api/v1/assets/events?"+q.Encode(), "", 200, &p)
		if len(p.Events) != 1 {
			t.Fatalf("page %d: %d events", len(seen)+1, len(p.Events))
		}
		seen = append(seen, p.Events[0])
		if p.Next == 0 {
			break
		}
		if p.Next != p.Events[0].ID || len(seen) > 2 {
			t.Fatalf("next_before_id %d after event %d (page %d)", p.Next, p.Events[0].ID, len(seen))
		}
		q.Set("before", itoa64(p.Next))
	}
	if len(seen) != 2 || seen[0].ID <= seen[1].ID {
		t.Fatalf("events: %+v", seen)
	}
	for i, e := range seen { // newest first: the second producer run's event first
		src := st.producerRuns[1-i]
		if e.Asset != tableAsset || e.SourceDAGID != producerDAG || e.SourceRunID != src || e.SourceTaskID != "write" ||
			e.SourceTry != 1 || !slices.Equal(e.TriggeredRuns, []string{st.consumerRun}) {
			t.Errorf("event %d: %+v, want source %s and triggered run %s", i, e, src, st.consumerRun)
		}
	}
	if seen[1].Extra["version"] != float64(1) || seen[0].Extra["note"] != hostileExtra {
		t.Errorf("extras: %v, %v", seen[1].Extra, seen[0].Extra)
	}
	var all page
	h.json("GET", "/api/v1/assets/events", "", 200, &all)
	if len(all.Events) != 2 || all.Next != 0 {
		t.Errorf("every asset's events: %+v", all)
	}

	// The consumer's run covered both events; the producer's runs, none.
	var covered struct {
		Events       []scheduler.AssetEvent `json:"asset_events"`
		TotalEntries int                    `json:"total_entries"`
	}
	h.json("GET", "/api/v1/dags/"+consumerDAG+"/runs/"+url.PathEscape(st.consumerRun)+"/upstream_asset_events", "", 200, &covered)
	if covered.TotalEntries != 2 || len(covered.Events) != 2 {
		t.Fatalf("events the consumer's run covered: %+v", covered)
	}
	h.json("GET", "/api/v1/dags/"+producerDAG+"/runs/"+url.PathEscape(st.producerRuns[0])+"/upstream_asset_events", "", 200, &covered)
	if covered.TotalEntries != 0 || covered.Events == nil {
		t.Fatalf("a manual run covers no events: %+v", covered)
	}
	for _, path := range []string{"/api/v1/dags/" + producerDAG + "/runs/nope/upstream_asset_events",
		"/api/v1/dags/" + producerDAG + "/runs/" + url.PathEscape(st.consumerRun) + "/upstream_asset_events"} { // another DAG's run
		if status, body := h.call("GET", path, "", true); status != 404 || errorCode(t, body) != "not_found" {
			t.Errorf("GET %s: %d %s", path, status, body)
		}
	}
}

// Bad event filters are 400s with the API's error body, an unknown asset
// filter a 404: never a 500, never an empty list that hides a typo.
func TestAssetEventsRejectBadFilters(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, assetRegistry(t), false)
	for _, q := range []string{"limit=0", "limit=501", "limit=x", "limit=-1", "before=0", "before=-5", "before=abc",
		"before=99999999999999999999", "before=1.5"} {
		if status, body := h.call("GET", "/api/v1/assets/events?"+q, "", true); status != 400 || errorCode(t, body) != "bad_request" {
			t.Errorf("?%s: %d %s", q, status, body)
		}
	}
	for _, q := range []string{"asset=nope", "asset=%00", "asset=%ff"} {
		if status, body := h.call("GET", "/api/v1/assets/events?"+q, "", true); status != 404 || errorCode(t, body) != "not_found" {
			t.Errorf("?%s: %d %s", q, status, body)
		}
	}
	var empty struct {
		Events []scheduler.AssetEvent `json:"asset_events"`
		Next   int64                  `json:"next_before_id"`
	}
	h.json("GET", "/api/v1/assets/events?asset="+url.QueryEscape(tableAsset)+"&before=1&limit=500", "", 200, &empty)
	if empty.Events == nil || len(empty.Events) != 0 || empty.Next != 0 {
		t.Errorf("no events yet: %+v", empty)
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
