// Package ingest is the Bronze step of the medallion pipeline: it copies
// Kafka records, byte for byte, into bronze/transactions. Kafka offsets are
// stored in Bronze itself, as txn actions committed atomically with the
// records, so a crash at any point neither loses nor duplicates a record:
// either the commit happened and the offsets moved with it, or neither did.
package ingest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/tasks/lake"
)

// DefaultMaxRecords bounds one run: the batch is held in memory.
const DefaultMaxRecords = 200_000

// Options configure a run.
type Options struct {
	Brokers string // bootstrap servers, comma-separated
	// Security is the cluster's TLS and SASL (zero: PLAINTEXT).
	Security kafka.Security
	Topic    string
	// Partitions restricts the run to some partitions of the topic (see
	// PartitionGroup); nil means all. Runs over disjoint partition sets may
	// run at the same time: their blind appends to Bronze do not conflict.
	Partitions []int32
	// MaxRecords bounds the records of one run, shared evenly among the
	// partitions read (default DefaultMaxRecords).
	MaxRecords int
	// Now stamps ingested_at (default time.Now).
	Now func() time.Time
}

// Result describes a run.
type Result struct {
	Records int
	// Ranges holds, per partition that had records, the first and last
	// offsets written.
	Ranges map[int32][2]int64
	// Version is the Bronze version committed, -1 when nothing was new.
	Version int64
	// Next holds, per partition read, the offset the next run continues
	// at: what Bronze now holds of the partition. The scheduler compares it
	// with the topic's end to know whether a run must follow.
	Next map[int32]int64
}

// AppID is the txn application id that records the last offset written of
// one topic partition.
func AppID(topic string, partition int32) string {
	return "ingest-" + topic + "-" + strconv.Itoa(int(partition))
}

// PartitionGroup returns the partitions of group number group (0-based) out
// of groups: every groups-th partition, so that groups stay balanced as
// partitions are added.
func PartitionGroup(partitions []int32, group, groups int) []int32 {
	var out []int32
	for i, p := range partitions {
		if groups > 0 && i%groups == group {
			out = append(out, p)
		}
	}
	return out
}

// Run ingests what each partition holds beyond the offset recorded in
// Bronze, up to its high watermark at the start of the read and at most
// MaxRecords in all, as one Bronze commit.
func Run(ctx context.Context, bronze *delta.Table, opts Options) (Result, error) {
	res := Result{Version: -1, Ranges: map[int32][2]int64{}, Next: map[int32]int64{}}
	if opts.Topic == "" || opts.Brokers == "" {
		return res, errors.New("ingest: brokers and topic are required")
	}
	if opts.MaxRecords <= 0 {
		opts.MaxRecords = DefaultMaxRecords
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	parts := opts.Partitions
	if parts == nil {
		var err error
		if parts, err = kafka.Partitions(ctx, opts.conn(), opts.Topic); err != nil {
			return res, fmt.Errorf("ingest: %w", err)
		}
	}
	if len(parts) == 0 {
		return res, nil
	}
	snap, err := bronze.Snapshot(ctx)
	if err != nil {
		return res, fmt.Errorf("ingest: read bronze: %w", err)
	}
	starts, err := startOffsets(ctx, snap, opts, parts)
	if err != nil {
		return res, err
	}
	perPartition := max(1, opts.MaxRecords/len(parts))
	batches, err := readAll(ctx, opts, parts, starts, perPartition)
	if err != nil {
		return res, err
	}

	now := opts.Now()
	n := 0
	for _, recs := range batches {
		n += len(recs)
	}
	rows := make([]delta.Row, 0, n)
	build := lake.NewBronzeRows(opts.Topic, now, n)
	var txns []delta.Txn
	for i, recs := range batches {
		res.Next[parts[i]] = starts[i]
		if len(recs) == 0 {
			continue
		}
		p := parts[i]
		for _, r := range recs {
			rows = append(rows, build.Row(p, r.Offset, r.Timestamp, r.Key, r.Value))
		}
		last := recs[len(recs)-1].Offset
		txns = append(txns, delta.Txn{AppID: AppID(opts.Topic, p), Version: last})
		res.Ranges[p] = [2]int64{recs[0].Offset, last}
		res.Next[p] = last + 1
	}
	if len(rows) == 0 {
		return res, nil
	}
	for i, p := range parts {
		if len(batches[i]) == 0 {
			continue
		}
		if err := lake.CheckTxn(ctx, bronze, AppID(opts.Topic, p), lake.TxnVersion(snap, AppID(opts.Topic, p))); err != nil {
			return res, fmt.Errorf("ingest: %w", err)
		}
	}
	v, err := bronze.Append(ctx, rows, delta.CommitOptions{Txns: txns,
		OperationParameters: map[string]any{"source": "kafka:" + opts.Topic}})
	if err != nil {
		return res, fmt.Errorf("ingest: write bronze: %w", err)
	}
	res.Version, res.Records = v, len(rows)
	return res, nil
}

// startOffsets is where each partition continues: after the last offset
// Bronze recorded, or at the log start for a partition never ingested.
func startOffsets(ctx context.Context, snap *delta.Snapshot, opts Options, parts []int32) ([]int64, error) {
	starts := make([]int64, len(parts))
	var low map[int32]int64
	for i, p := range parts {
		if last := lake.TxnVersion(snap, AppID(opts.Topic, p)); last >= 0 {
			starts[i] = last + 1
			continue
		}
		if low == nil {
			var err error
			if low, err = kafka.LowWatermarks(ctx, opts.conn(), opts.Topic); err != nil {
				return nil, fmt.Errorf("ingest: %w", err)
			}
		}
		o, ok := low[p]
		if !ok {
			return nil, fmt.Errorf("ingest: topic %s has no partition %d", opts.Topic, p)
		}
		starts[i] = o
	}
	return starts, nil
}

// readAll reads the partitions with one Kafka client; batches[i] belongs
// to parts[i].
func readAll(ctx context.Context, opts Options, parts []int32, starts []int64, limit int) ([][]kafka.Record, error) {
	from := make(map[int32]int64, len(parts))
	for i, p := range parts {
		from[p] = starts[i]
	}
	ranges, err := kafka.ReadRanges(ctx, opts.conn(), opts.Topic, from, limit)
	var oor *kafka.OffsetRangeError
	if errors.As(err, &oor) && oor.From < oor.Low {
		err = fmt.Errorf("%w: records %d to %d were deleted by retention before they were ingested; "+
			"this is data loss that ingest will not skip silently", err, oor.From, oor.Low-1)
	}
	if err != nil {
		return nil, fmt.Errorf("ingest: read %s: %w", opts.Topic, err)
	}
	batches := make([][]kafka.Record, len(parts))
	for i, p := range parts { // the txn scheme relies on increasing offsets
		recs := ranges[p].Records
		if !slices.IsSortedFunc(recs, func(a, b kafka.Record) int { return cmp.Compare(a.Offset, b.Offset) }) {
			return nil, fmt.Errorf("ingest: %s/%d returned offsets out of order", opts.Topic, p)
		}
		if len(recs) > 0 && recs[0].Offset < starts[i] {
			return nil, fmt.Errorf("ingest: %s/%d returned offset %d before the requested %d", opts.Topic, p, recs[0].Offset, starts[i])
		}
		batches[i] = recs
	}
	return batches, nil
}

func (o Options) conn() kafka.Conn { return kafka.Conn{Brokers: o.Brokers, Security: o.Security} }
