package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/finpipe/finpipe/scheduler"
)

// The asset tests' world: a producer DAG whose task commits a table and
// emits its asset event, a consumer DAG scheduled on that table, and a
// Kafka topic a third DAG is scheduled on.
const (
	tableAsset   = "lake/orders" // a '/' in the name, as the lake's tables have
	topicAsset   = "orders"
	producerDAG  = "producer"
	consumerDAG  = "consumer"
	streamerDAG  = "streamer"
	hostileExtra = `<script>alert("extra")</script>`
	hostileDesc  = `<img src=x onerror=alert(1)>`
)

// assetRegistry declares the assets and their DAGs, beside extra DAGs.
func assetRegistry(t testing.TB, extra ...*scheduler.DAG) *scheduler.Registry {
	t.Helper()
	return assetRegistryOn(t, "", extra...)
}

// assetRegistryOn is assetRegistry with the topic asset's URI ("" for
// kafka://orders): tests that watch a broker name their own topic.
func assetRegistryOn(t testing.TB, topicURI string, extra ...*scheduler.DAG) *scheduler.Registry {
	t.Helper()
	producer := scheduler.NewDAG(producerDAG, scheduler.DAGOptions{StartDate: future, Description: "commits lake/orders"})
	producer.Task("write", func(_ context.Context, tc *scheduler.TaskContext) error {
		// The event's extra is what the run's conf says, so tests choose it
		// (a version, or something hostile to render).
		return tc.EmitAssetEvent(tableAsset, map[string]any{"version": tc.Conf["version"], "note": tc.Conf["note"]})
	}, scheduler.TaskOptions{Outlets: []string{tableAsset}})

	consumer := scheduler.NewDAG(consumerDAG, scheduler.DAGOptions{StartDate: future, Assets: []string{tableAsset}})
	consumer.Task("read", func(context.Context, *scheduler.TaskContext) error { return nil }, scheduler.TaskOptions{})

	streamer := scheduler.NewDAG(streamerDAG, scheduler.DAGOptions{Schedule: "@daily", StartDate: future, Assets: []string{topicAsset}})
	streamer.Task("ingest", func(context.Context, *scheduler.TaskContext) error { return nil }, scheduler.TaskOptions{})

	reg, err := scheduler.NewRegistry(append([]*scheduler.DAG{producer, consumer, streamer}, extra...)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []scheduler.Asset{
		{Name: tableAsset, Kind: scheduler.AssetDeltaTable, URI: "file:///data/dev/lake/orders", Description: hostileDesc},
		{Name: topicAsset, Kind: scheduler.AssetKafkaTopic, URI: topicURI},
	} {
		if err := reg.AddAsset(a); err != nil {
			t.Fatal(err)
		}
	}
	return reg
}

// assetStory is what the asset tests look at: two producer runs, each of
// which emitted one event, and the one consumer run that covered both.
type assetStory struct {
	producerRuns []string // oldest first
	consumerRun  string
}

// runAssetStory runs the story through the real scheduler and workers. The
// consumer is paused while the producer runs twice, so its events wait
// and, on unpause, queue exactly one run that covers both: the test does
// not depend on how fast the engine is.
func runAssetStory(t testing.TB, h *harness) assetStory {
	t.Helper()
	var st assetStory
	h.json("PATCH", "/api/v1/dags/"+consumerDAG, `{"is_paused": true}`, 200, nil)
	for i, conf := range []string{`{"version": 1, "note": "first"}`, `{"version": 2, "note": ` + jsonString(hostileExtra) + `}`} {
		var run scheduler.DagRun
		body := fmt.Sprintf(`{"logical_date": "2024-01-%02d", "conf": %s}`, i+1, conf)
		h.json("POST", "/api/v1/dags/"+producerDAG+"/runs", body, 201, &run)
		if got := h.waitRun(producerDAG, run.RunID, 30*time.Second); got.State != scheduler.RunSuccess {
			t.Fatalf("producer run %s: %s", run.RunID, got.State)
		}
		st.producerRuns = append(st.producerRuns, run.RunID)
	}
	h.json("PATCH", "/api/v1/dags/"+consumerDAG, `{"is_paused": false}`, 200, nil)
	deadline := time.Now().Add(30 * time.Second)
	for {
		var page scheduler.RunPage
		h.json("GET", "/api/v1/dags/"+consumerDAG+"/runs", "", 200, &page)
		for _, r := range page.Runs {
			if r.RunType == scheduler.RunTypeAssetTriggered && r.State.Finished() {
				st.consumerRun = r.RunID
				return st
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no finished asset-triggered run of %s after 30 s: %+v", consumerDAG, page.Runs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// assetPath is the path segment of an asset name ('/' escaped).
func assetPath(name string) string { return url.PathEscape(name) }
