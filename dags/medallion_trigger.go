package dags

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/scheduler"
	"github.com/finpipe/finpipe/tasks/aggregate"
	"github.com/finpipe/finpipe/tasks/ingest"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/medallion"
)

// DefaultAggregateEvery is Pipeline.AggregateEvery's default: while the
// medallion DAG drains a backlog, Gold lags Silver by at most about this
// long (plus one run), as a Spark stream with a 10-second processing-time
// trigger would; a stream that keeps up is not deferred at all.
//
// Why defer at all: Gold is recomputed per event date, and during a
// backlog every batch changes the same few dates, so refreshing after each
// 100,000-record batch recomputes today's Gold ten times per million
// transactions, all but the last soon overwritten. Why only under a real
// backlog: in a steady stream Kafka always holds the few records that
// arrived during the run, and deferring on those would make Gold wait out
// the whole interval instead of the second it takes today.
const DefaultAggregateEvery = 10 * time.Second

// aggregateDue says whether the medallion run's aggregate task refreshes
// Gold now. It defers only when all of these hold:
//
//   - AggregateEvery is not negative (negative: refresh after every run);
//   - Gold is behind Silver, and the oldest Silver commit it lacks is
//     younger than AggregateEvery (so no Silver row waits longer than that,
//     plus a run, for Gold);
//   - Kafka holds a real backlog: at least half a run's batch more than
//     Bronze. A run that keeps up with a stream leaves only what arrived
//     while it ran, a small part of a batch; a backlog makes each ingest
//     take a full batch. The newest Bronze commit is checked first, from
//     the lake: only a run that ingested at least half a batch asks Kafka
//     (over TopicEnds' long-lived session when the process gives one).
//
// Deferring is safe: Gold's txn keeps the Silver version it reflects, so a
// later run recomputes every date changed since; a backlog makes the
// scheduler queue the next run (the topic's end is past what was
// consumed); and the run that catches up with Kafka finds less than half a
// batch there and refreshes.
func (p Pipeline) aggregateDue(ctx context.Context, tc *scheduler.TaskContext, l *lake.Lake) (bool, error) {
	every := p.AggregateEvery
	if every == 0 {
		every = DefaultAggregateEvery
	}
	if every < 0 {
		return true, nil
	}
	pending, err := pendingSince(ctx, l)
	if err != nil || pending <= 0 || pending >= every {
		return true, err
	}
	batch := p.MaxBatch
	if batch <= 0 {
		batch = ingest.DefaultMaxRecords
	}
	if full, err := newestIngestFull(ctx, l.Bronze, int64(batch)); err != nil || !full {
		return true, err
	}
	backlog, err := p.backlog(ctx, l)
	if err != nil {
		return false, err
	}
	if backlog < int64(max(p.IngestGroups, 1)*batch)/2 {
		return true, nil
	}
	tc.Log.Info("Gold refresh deferred: Kafka holds a backlog", "backlog_records", backlog,
		"silver_waiting", pending.Round(time.Millisecond), "aggregate_every", every)
	return false, nil
}

// pendingSince is how long the oldest Silver rows that Gold does not
// reflect have waited (since their files were written), or 0 when Gold is
// up to date or they cannot be timed (the log entry cleaned up): then the
// refresh is due. Commits without data files (the table's creation) are
// passed over; they are read one at a time, since the first usually
// answers.
func pendingSince(ctx context.Context, l *lake.Lake) (time.Duration, error) {
	gold, err := l.CurrencySummary.Snapshot(ctx)
	if err != nil {
		return 0, fmt.Errorf("read gold: %w", err)
	}
	silver, err := l.Silver.Snapshot(ctx)
	if err != nil {
		return 0, fmt.Errorf("read silver: %w", err)
	}
	for v := lake.TxnVersion(gold, aggregate.AppID) + 1; v <= silver.Version(); v++ {
		changes, err := l.Silver.Changes(ctx, v-1, v)
		if errors.Is(err, delta.ErrVersionNotFound) {
			return 0, nil
		}
		if err != nil {
			return 0, fmt.Errorf("read silver changes: %w", err)
		}
		var written int64 // milliseconds since the epoch
		for _, c := range changes {
			for _, f := range c.Adds {
				if written == 0 || f.ModificationTime < written {
					written = f.ModificationTime
				}
			}
		}
		if written != 0 {
			return max(time.Since(time.UnixMilli(written)), time.Nanosecond), nil
		}
	}
	return 0, nil
}

// newestIngestFull says whether Bronze's newest commit added at least half
// of batch records: the ingest that made it stopped at its limit (or
// nearly), not for want of records, so Kafka may hold a backlog.
func newestIngestFull(ctx context.Context, bronze *delta.Table, batch int64) (bool, error) {
	s, err := bronze.Snapshot(ctx)
	if err != nil {
		return false, fmt.Errorf("read bronze: %w", err)
	}
	if s.Version() < 0 {
		return false, nil
	}
	changes, err := bronze.Changes(ctx, s.Version()-1, s.Version())
	if errors.Is(err, delta.ErrVersionNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read bronze changes: %w", err)
	}
	var rows int64
	for _, c := range changes {
		for _, f := range c.Adds {
			if n := f.NumRecords(); n >= 0 {
				rows += n
			} else {
				return true, nil // no stats: let Kafka tell
			}
		}
	}
	return rows >= batch/2, nil
}

// backlog is how many records Kafka holds beyond Bronze's exactly-once
// positions. A partition Bronze never read counts from offset 0: at worst
// retention makes that an overestimate, which only defers Gold within its
// bound.
func (p Pipeline) backlog(ctx context.Context, l *lake.Lake) (int64, error) {
	var high map[int32]int64
	var err error
	if p.TopicEnds != nil {
		high, err = p.TopicEnds.EndOffsets(ctx, p.topic())
	} else {
		high, err = kafka.HighWatermarks(ctx, kafka.Conn{Brokers: p.Brokers, Security: p.Security}, p.topic())
	}
	if err != nil {
		return 0, err
	}
	bronze, err := l.Bronze.Snapshot(ctx)
	if err != nil {
		return 0, fmt.Errorf("read bronze: %w", err)
	}
	var n int64
	for _, pos := range medallion.Positions(bronze, p.topic(), nil, high) {
		n += pos.Lag
	}
	return n, nil
}
