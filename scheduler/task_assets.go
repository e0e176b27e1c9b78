package scheduler

import (
	"encoding/json"
	"fmt"
	"sort"
	"sync"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
)

// attemptOutputs are what an attempt tells the engine about the data it
// produced and consumed. They are buffered, not written: only the
// transaction that records the attempt's success (fenced by its try
// number) inserts them, so a failed, timed-out or fenced-off attempt
// emits nothing and a retry does not emit twice.
type attemptOutputs struct {
	mu       sync.Mutex
	outlets  map[string]bool
	reg      *Registry
	events   []AssetEvent
	consumed map[consumedKey]int64
}

type consumedKey struct {
	asset     string
	partition int32
}

// bindAssets lets the attempt of task emit its outlets and report what it
// consumed of the registry's topics.
func (tc *TaskContext) bindAssets(reg *Registry, task *Task) {
	o := &tc.outputs
	o.reg = reg
	o.outlets = map[string]bool{}
	for _, a := range task.Opts.Outlets {
		o.outlets[a] = true
	}
}

// EmitAssetEvent records that the attempt changed asset (a Delta table
// committed a version, say), with extra describing the change (for a
// table: "version"). asset must be one of the task's Outlets, and extra
// JSON-able. The event is stored, and DAGs scheduled on the asset queued,
// in the transaction that records the attempt's success; nothing is
// emitted if the attempt does not succeed. On a TaskContext that no
// attempt owns (a struct literal) it fails with ErrNoAttempt.
func (tc *TaskContext) EmitAssetEvent(asset string, extra map[string]any) error {
	o := &tc.outputs
	if o.reg == nil {
		return fmt.Errorf("task %q of DAG %q: EmitAssetEvent(%q): %w", tc.TaskID, tc.DAGID, asset, ErrNoAttempt)
	}
	if !o.outlets[asset] {
		return fmt.Errorf("%w: task %q of DAG %q emitted asset %q, which is not one of its outlets", ErrInvalid, tc.TaskID, tc.DAGID, asset)
	}
	if extra == nil {
		extra = map[string]any{}
	}
	raw, err := json.Marshal(extra)
	if err != nil {
		return fmt.Errorf("%w: extra of asset %q is not JSON-able: %v", ErrInvalid, asset, err)
	}
	var copied map[string]any // the task may reuse its map
	if err := json.Unmarshal(raw, &copied); err != nil {
		return fmt.Errorf("%w: extra of asset %q: %v", ErrInvalid, asset, err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.events = append(o.events, AssetEvent{Asset: asset, SourceDAGID: tc.DAGID, SourceRunID: tc.RunID,
		SourceTaskID: tc.TaskID, SourceTry: tc.TryNumber, Extra: copied})
	return nil
}

// Consumed reports that the DAG's runs have now consumed a Kafka topic
// asset's partition up to nextOffset (exclusive). It is stored, never
// lowering an earlier report, with the attempt's success; the Kafka
// watcher queues another run while what the DAG consumed is behind the
// topic's end (a run that read only a bounded batch is followed by
// another even when nothing new arrives). asset must be a registered
// Kafka topic. Like EmitAssetEvent, it fails with ErrNoAttempt on a
// TaskContext that no attempt owns.
func (tc *TaskContext) Consumed(asset string, partition int32, nextOffset int64) error {
	o := &tc.outputs
	if o.reg == nil {
		return fmt.Errorf("task %q of DAG %q: Consumed(%q): %w", tc.TaskID, tc.DAGID, asset, ErrNoAttempt)
	}
	a, ok := o.reg.Asset(asset)
	if !ok || a.Kind != AssetKafkaTopic {
		return fmt.Errorf("%w: task %q reported consuming %q, which is not a registered Kafka topic asset", ErrInvalid, tc.TaskID, asset)
	}
	if partition < 0 || nextOffset < 0 {
		return fmt.Errorf("%w: asset %q: partition %d, offset %d must not be negative", ErrInvalid, asset, partition, nextOffset)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.consumed == nil {
		o.consumed = map[consumedKey]int64{}
	}
	k := consumedKey{asset, partition}
	if cur, ok := o.consumed[k]; !ok || nextOffset > cur {
		o.consumed[k] = nextOffset
	}
	return nil
}

// take returns the buffered outputs, in a stable order.
func (o *attemptOutputs) take() ([]AssetEvent, []driver.ConsumedOffset) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var consumed []driver.ConsumedOffset
	for k, v := range o.consumed {
		consumed = append(consumed, driver.ConsumedOffset{Asset: k.asset, Partition: k.partition, NextOffset: v})
	}
	sort.Slice(consumed, func(i, j int) bool {
		a, b := consumed[i], consumed[j]
		return a.Asset < b.Asset || (a.Asset == b.Asset && a.Partition < b.Partition)
	})
	return append([]AssetEvent(nil), o.events...), consumed
}
