package dags

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
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
//   - Kafka holds a real backlog: on some partition, at least half of what
//     one run reads of it (ingest splits its batch evenly over its
//     partitions) beyond Bronze, so the next run will read a batch, not
//     a trickle. A run that keeps up with a stream leaves only what
//     arrived while it ran, a small part of that. The newest Bronze
//     commit is checked first, from the lake: only a run that ingested at
//     least that much asks Kafka (over TopicEnds' long-lived session when
//     the process gives one).
//
// Deferring is safe: Gold's txn keeps the Silver version it reflects, so a
// later run recomputes every date changed since; a backlog makes the
// scheduler queue the next run (the topic's end is past what was
// consumed); and the run that catches up with Kafka finds less than that
// there and refreshes.
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
	bronze, err := l.Bronze.Snapshot(ctx)
	if err != nil {
		return false, fmt.Errorf("read bronze: %w", err)
	}
	if full, err := newestIngestFull(ctx, l.Bronze, bronze, p.perPartition(ingestedPartitions(bronze, p.topic()))/2); err != nil || !full {
		return true, err
	}
	var high map[int32]int64
	if p.TopicEnds != nil {
		high, err = p.TopicEnds.EndOffsets(ctx, p.topic())
	} else {
		high, err = kafka.HighWatermarks(ctx, kafka.Conn{Brokers: p.Brokers, Security: p.Security}, p.topic())
	}
	if err != nil {
		return false, err
	}
	// A partition Bronze never read counts from offset 0: at worst
	// retention makes that an overestimate, which only defers Gold within
	// its bound.
	var backlog, busiest int64
	for _, pos := range medallion.Positions(bronze, p.topic(), nil, high) {
		backlog += pos.Lag
		busiest = max(busiest, pos.Lag)
	}
	if busiest < p.perPartition(len(high))/2 {
		return true, nil
	}
	tc.Log.Info("Gold refresh deferred: Kafka holds a backlog", "backlog_records", backlog,
		"silver_waiting", pending.Round(time.Millisecond), "aggregate_every", every)
	return false, nil
}

// perPartition is how many records one run reads at most of each of the
// topic's partitions: each ingest task splits its batch evenly over its
// share of them.
func (p Pipeline) perPartition(partitions int) int64 {
	batch := p.MaxBatch
	if batch <= 0 {
		batch = ingest.DefaultMaxRecords
	}
	return max(int64(batch*max(p.IngestGroups, 1)/max(partitions, 1)), 1)
}

// ingestedPartitions counts the topic's partitions Bronze has read (its
// ingest txns), at least 1.
func ingestedPartitions(bronze *delta.Snapshot, topic string) int {
	prefix := strings.TrimSuffix(ingest.AppID(topic, 0), "0") // ingest's txn id less the partition number
	n := 0
	for id := range bronze.Txns() {
		if rest, ok := strings.CutPrefix(id, prefix); ok {
			if _, err := strconv.Atoi(rest); err == nil {
				n++
			}
		}
	}
	return max(n, 1)
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

// newestIngestFull says whether Bronze's newest commit (in snapshot s)
// added at least min records: the ingest that made it may have stopped at
// its limit, not for want of records.
func newestIngestFull(ctx context.Context, bronze *delta.Table, s *delta.Snapshot, min int64) (bool, error) {
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
			n := f.NumRecords()
			if n < 0 {
				return true, nil // no stats: let Kafka tell
			}
			rows += n
		}
	}
	return rows >= min, nil
}
