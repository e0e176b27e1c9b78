package ingest

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/tasks/lake"
)

// batch is what one run read of each partition; its rows went to the
// run's Appender.
type batch struct {
	parts   map[int32]*partRows
	records int
}

// partRows is what one partition's read handed to the Appender, in offset
// order. Only the goroutine that reads the partition touches it until the
// read ends.
type partRows struct {
	build       *lake.BronzeRows
	chunk       []delta.Row // the rows of the records being handed over, reused
	first, last int64       // offsets of the first and last row; last is -1 before the first
	span        kafka.Span
}

// read streams each partition from where Bronze's txn left it (the log
// start for a partition never ingested), at most MaxRecords in all shared
// evenly, turns the records into Bronze rows as they arrive and hands
// them to app, each partition as a stream of its own (its number), so
// that its rows keep their offset order in Bronze's files.
func read(ctx context.Context, reader *kafka.Reader, snap *delta.Snapshot, opts Options, parts []int32, app *delta.Appender) (batch, error) {
	limit := max(1, opts.MaxRecords/len(parts))
	now := opts.Now()
	from := make(map[int32]int64, len(parts))
	b := batch{parts: make(map[int32]*partRows, len(parts))}
	for _, p := range parts {
		from[p] = kafka.FromStart
		if last := lake.TxnVersion(snap, AppID(opts.Topic, p)); last >= 0 {
			from[p] = last + 1
		}
		// Rows live until their lane has encoded them: the builder's
		// blocks need hold no more than a chunk or so.
		b.parts[p] = &partRows{build: lake.NewBronzeRows(opts.Topic, now, min(limit, 1<<12)), last: -1}
	}
	var records atomic.Int64
	keep := func(p int32, recs []kafka.Record) error {
		pr := b.parts[p]
		pr.chunk = pr.chunk[:0]
		for _, r := range recs { // the txn scheme relies on increasing offsets
			if r.Offset <= pr.last || r.Offset < from[p] {
				return fmt.Errorf("ingest: %s/%d returned offset %d after %d (reading from %d): offsets out of order",
					opts.Topic, p, r.Offset, pr.last, from[p])
			}
			if pr.last < 0 {
				pr.first = r.Offset
			}
			pr.last = r.Offset
			pr.chunk = append(pr.chunk, pr.build.Row(p, r.Offset, r.Timestamp, r.Key, r.Value))
		}
		if err := app.Write(int(p), pr.chunk); err != nil {
			return fmt.Errorf("ingest: write bronze: %w", err)
		}
		clear(pr.chunk) // the appender holds the rows it still needs
		records.Add(int64(len(recs)))
		return nil
	}
	spans, err := reader.Stream(ctx, from, limit, keep)
	var oor *kafka.OffsetRangeError
	if errors.As(err, &oor) && oor.From < oor.Low {
		err = fmt.Errorf("%w: records %d to %d were deleted by retention before they were ingested; "+
			"this is data loss that ingest will not skip silently", err, oor.From, oor.Low-1)
	}
	if err != nil {
		return batch{}, fmt.Errorf("ingest: read %s: %w", opts.Topic, err)
	}
	for p, s := range spans {
		b.parts[p].span = s
	}
	b.records = int(records.Load())
	return b, nil
}
