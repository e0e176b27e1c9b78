package dags

import (
	"context"
	"fmt"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/scheduler"
	"github.com/finpipe/finpipe/tasks/lake"
)

// The assets of the pipeline: its Kafka topic (named by the topic, see
// Pipeline.topic) and the lake's six Delta tables, named as in the lake.
var (
	goldTables   = []string{lake.GoldDailyUserMetrics, lake.GoldDailyUserRanking, lake.GoldDailyCurrencySummary}
	silverTables = []string{lake.SilverTransactions, lake.SilverRejected}
)

// Assets returns the assets the shipped DAGs are scheduled on and emit.
// A table's URI is its location in the lake (lake://<name> when the
// pipeline does not know the lake's directory).
func Assets(p Pipeline) []scheduler.Asset {
	out := []scheduler.Asset{{Name: p.topic(), Kind: scheduler.AssetKafkaTopic, URI: scheduler.KafkaURI(p.topic()),
		Description: "the transactions as produced (JSON, key = user_id)"}}
	for _, s := range lake.Specs() {
		uri := "lake://" + s.Name
		if p.LakeDir != "" {
			uri = delta.JoinLocation(p.LakeDir, s.Name)
		}
		out = append(out, scheduler.Asset{Name: s.Name, Kind: scheduler.AssetDeltaTable, URI: uri})
	}
	return out
}

// emitTables emits the asset event of each named table of l, with the
// version it is at now: called by a task right after its commits, so the
// version is the one it committed (or a later one).
func emitTables(ctx context.Context, tc *scheduler.TaskContext, l *lake.Lake, names ...string) error {
	tables := map[string]*delta.Table{}
	for _, t := range l.Tables() {
		tables[t.Spec.Name] = t.Delta
	}
	for _, name := range names {
		t := tables[name]
		if t == nil {
			return fmt.Errorf("lake has no table %s", name)
		}
		snap, err := t.Snapshot(ctx)
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		if err := tc.EmitAssetEvent(name, map[string]any{"version": snap.Version()}); err != nil {
			return err
		}
	}
	return nil
}

// withOutlets adds outlets to a task's options.
func withOutlets(o scheduler.TaskOptions, outlets ...string) scheduler.TaskOptions {
	o.Outlets = append(append([]string(nil), o.Outlets...), outlets...)
	return o
}
