package scheduler

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestUnknownAssetFailsRegistration: a DAG scheduled on, or a task
// emitting, an asset nobody registered fails Validate and the sync, with
// ErrInvalid naming the DAG and the asset; AddAsset rejects duplicates,
// unknown kinds and topic URIs that name no topic.
func TestUnknownAssetFailsRegistration(t *testing.T) {
	d := NewDAG("on_data", DAGOptions{Assets: []string{"bronze/typo"}})
	d.Task("t", noop, TaskOptions{Outlets: []string{"silver/typo"}})
	reg := mustRegistry(t, d)
	if err := reg.AddAsset(Asset{Name: "bronze/transactions", Kind: AssetDeltaTable}); err != nil {
		t.Fatal(err)
	}
	err := reg.Validate()
	for _, want := range []string{`"on_data"`, `"bronze/typo"`, `"silver/typo"`, "bronze/transactions"} {
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), want) {
			t.Fatalf("Validate: %v (want ErrInvalid naming %s)", err, want)
		}
	}
	s := newTestStore(t)
	if err := s.SyncDAGs(context.Background(), reg); !errors.Is(err, ErrInvalid) {
		t.Fatalf("sync of a DAG on an unknown asset: %v", err)
	}
	for _, a := range []Asset{
		{Name: "bronze/transactions", Kind: AssetDeltaTable},         // duplicate
		{Name: "x", Kind: "s3_object"},                               // kind
		{Name: "t", Kind: AssetKafkaTopic, URI: "http://broker/t"},   // scheme
		{Name: "t", Kind: AssetKafkaTopic, URI: "kafka://bad topic"}, // topic name
		{Name: "bad name", Kind: AssetDeltaTable},
	} {
		if err := reg.AddAsset(a); !errors.Is(err, ErrInvalid) {
			t.Errorf("AddAsset(%+v): %v, want ErrInvalid", a, err)
		}
	}
	if err := reg.AddAsset(Asset{Name: "transactions", Kind: AssetKafkaTopic}); err != nil {
		t.Fatal(err)
	}
	if a, _ := reg.Asset("transactions"); a.URI != "kafka://transactions" {
		t.Fatalf("default topic URI: %q", a.URI)
	}
}

// assetPair is a producer DAG whose task emits table asset "tbl" when its
// run's conf says so (and fails after emitting when told to), and a
// consumer DAG scheduled on it.
func assetPair(t *testing.T) *Registry {
	t.Helper()
	prod := NewDAG("producer", DAGOptions{})
	prod.Task("write", func(_ context.Context, tc *TaskContext) error {
		if tc.Conf["emit"] == true {
			if err := tc.EmitAssetEvent("tbl", map[string]any{"version": 7}); err != nil {
				return err
			}
		}
		if err := tc.EmitAssetEvent("other", nil); err == nil {
			return errors.New("emitting an undeclared outlet succeeded")
		}
		if tc.Conf["fail"] == true {
			return errors.New("failed after emitting")
		}
		return nil
	}, TaskOptions{Outlets: []string{"tbl"}})
	cons := NewDAG("consumer", DAGOptions{Assets: []string{"tbl"}, MaxActiveRuns: 1})
	cons.Task("read", noop, TaskOptions{})
	reg := mustRegistry(t, prod, cons)
	for _, name := range []string{"tbl", "other"} {
		if err := reg.AddAsset(Asset{Name: name, Kind: AssetDeltaTable}); err != nil {
			t.Fatal(err)
		}
	}
	return reg
}

// TestTableAssetTriggersDownstreamDAG: a successful attempt's event queues
// a run of the DAG scheduled on the table, covering that event; a run
// that emitted nothing, and an attempt that failed after emitting, emit
// nothing and queue nothing. The operator API shows it all.
func TestTableAssetTriggersDownstreamDAG(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	reg := assetPair(t)
	startEngine(t, s, reg, 1)

	if r := waitRun(t, s, trigger(t, s, "producer", map[string]any{}).RunID, 30*time.Second); r.State != RunSuccess {
		t.Fatalf("silent producer: %s", r.State)
	}
	if r := waitRun(t, s, trigger(t, s, "producer", map[string]any{"emit": true, "fail": true}).RunID, 30*time.Second); r.State != RunFailed {
		t.Fatalf("failing producer: %s", r.State)
	}
	if evs, err := s.ListAssetEvents(ctx, AssetEventFilter{}); err != nil || len(evs) != 0 {
		t.Fatalf("events of runs that committed nothing: %+v, %v", evs, err)
	}
	prod := waitRun(t, s, trigger(t, s, "producer", map[string]any{"emit": true}).RunID, 30*time.Second)
	if prod.State != RunSuccess {
		t.Fatalf("producer: %s", prod.State)
	}
	var runs []DagRun
	waitFor(t, 30*time.Second, "consumer run", func() bool {
		runs = dagRuns(t, s, "consumer")
		return len(runs) == 1 && runs[0].State == RunSuccess
	})
	run := runs[0]
	if run.RunType != RunTypeAssetTriggered || !strings.HasPrefix(run.RunID, "consumer__asset_triggered__") {
		t.Fatalf("consumer run: %+v", run)
	}
	evs, err := s.RunAssetEvents(ctx, run.RunID)
	if err != nil || len(evs) != 1 {
		t.Fatalf("events of the consumer run: %+v, %v", evs, err)
	}
	ev := evs[0]
	if ev.Asset != "tbl" || ev.SourceDAGID != "producer" || ev.SourceRunID != prod.RunID || ev.SourceTaskID != "write" ||
		ev.SourceTry != 1 || ev.Extra["version"] != float64(7) || len(ev.TriggeredRuns) != 1 || ev.TriggeredRuns[0] != run.RunID {
		t.Fatalf("event: %+v", ev)
	}
	info, err := s.GetAsset(ctx, "tbl")
	if err != nil || len(info.Consumers) != 1 || info.Consumers[0] != "consumer" || len(info.Producers) != 1 ||
		info.Producers[0] != "producer.write" || info.LastEvent == nil || info.LastEvent.ID != ev.ID {
		t.Fatalf("asset info: %+v, %v", info, err)
	}
	if _, err := s.GetAsset(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown asset: %v", err)
	}
	if _, err := s.ListAssetEvents(ctx, AssetEventFilter{Limit: -1}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad limit: %v", err)
	}
	if dag, err := s.GetDAG(ctx, "consumer"); err != nil || len(dag.Assets) != 1 || dag.Assets[0] != "tbl" {
		t.Fatalf("GetDAG assets: %+v, %v", dag.Assets, err)
	}
}

// TestPausedDAGQueuesOnUnpause: events for a paused DAG are recorded but
// queue nothing; unpausing queues one run covering all of them.
func TestPausedDAGQueuesOnUnpause(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	reg := assetPair(t)
	startEngine(t, s, reg, 1)
	if err := s.PauseDAG(ctx, "consumer", true); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		waitRun(t, s, trigger(t, s, "producer", map[string]any{"emit": true}).RunID, 30*time.Second)
	}
	if runs := dagRuns(t, s, "consumer"); len(runs) != 0 {
		t.Fatalf("a paused DAG got runs: %+v", runs)
	}
	if err := s.PauseDAG(ctx, "consumer", false); err != nil {
		t.Fatal(err)
	}
	var runs []DagRun
	waitFor(t, 30*time.Second, "consumer run after unpause", func() bool {
		runs = dagRuns(t, s, "consumer")
		return len(runs) == 1 && runs[0].State == RunSuccess
	})
	if evs, err := s.RunAssetEvents(ctx, runs[0].RunID); err != nil || len(evs) != 2 {
		t.Fatalf("the run after unpause covers %d events (%v), want 2", len(evs), err)
	}
}

// dagRuns returns a DAG's runs, newest first.
func dagRuns(t testing.TB, s *Store, dagID string) []DagRun {
	t.Helper()
	page, err := s.ListRuns(context.Background(), RunFilter{DAGID: dagID, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return page.Runs
}

// TestReservedAssetNamesFailRegistration: an asset named "events" (or
// "." or "..") could not be fetched at /api/v1/assets/{name}, since
// /api/v1/assets/events lists events: AddAsset refuses it with ErrInvalid
// saying so, and a DAG or task naming it is told why it is unknown.
func TestReservedAssetNamesFailRegistration(t *testing.T) {
	d := NewDAG("on_events", DAGOptions{Assets: []string{"events"}})
	d.Task("emit", noop, TaskOptions{Outlets: []string{".."}})
	reg := mustRegistry(t, d)
	for _, name := range []string{"events", ".", ".."} {
		err := reg.AddAsset(Asset{Name: name, Kind: AssetDeltaTable})
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `asset name "`+name+`" is reserved`) ||
			!strings.Contains(err.Error(), "/api/v1/assets/"+name) {
			t.Fatalf("AddAsset(%q): %v; want ErrInvalid saying the name is reserved and why", name, err)
		}
	}
	err := reg.Validate()
	for _, want := range []string{`DAG "on_events" is scheduled on unknown asset "events": asset name "events" is reserved`,
		`DAG "on_events" task "emit" has unknown outlet asset "..": asset name ".." is reserved`} {
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), want) {
			t.Fatalf("Validate: %v\nwant ErrInvalid with %s", err, want)
		}
	}
	for _, name := range []string{"Events", "events_table", "bronze/events", "..."} {
		if err := reg.AddAsset(Asset{Name: name, Kind: AssetDeltaTable}); err != nil {
			t.Errorf("AddAsset(%q): %v", name, err)
		}
	}
}
