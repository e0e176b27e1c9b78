package dags

import (
	"context"
	"fmt"
	"time"

	"github.com/finpipe/finpipe/scheduler"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/medallion"
)

// aggregateDue says whether the medallion run's aggregate task refreshes
// Gold now. It does, unless AggregateEvery is set, Gold was refreshed less
// than that long ago and Kafka still holds records that Bronze has not: a
// backlog that the next runs are about to bring into Silver. Deferring is
// safe: Gold's txn keeps the Silver version it reflects, so a later run
// recomputes every date changed since; and the run that catches up with
// Kafka always refreshes, so a stream that keeps up has Gold after every
// batch, as with no interval at all.
func (p Pipeline) aggregateDue(ctx context.Context, tc *scheduler.TaskContext, l *lake.Lake) (bool, error) {
	if p.AggregateEvery <= 0 {
		return true, nil
	}
	gold, err := l.CurrencySummary.Snapshot(ctx)
	if err != nil {
		return false, fmt.Errorf("read gold: %w", err)
	}
	var last int64 // Gold's newest file: when it was last refreshed
	for _, f := range gold.Files() {
		last = max(last, f.ModificationTime)
	}
	since := time.Since(time.UnixMilli(last))
	if last == 0 || since >= p.AggregateEvery {
		return true, nil
	}
	lag, err := medallion.KafkaLag(ctx, l.Bronze, p.Brokers, p.topic())
	if err != nil {
		return false, err
	}
	var backlog int64
	for _, n := range lag {
		backlog += n
	}
	if backlog == 0 {
		return true, nil
	}
	tc.Log.Info("Gold refresh deferred: Kafka holds a backlog", "backlog_records", backlog,
		"gold_refreshed_ago", since.Round(time.Millisecond), "aggregate_every", p.AggregateEvery)
	return false, nil
}
