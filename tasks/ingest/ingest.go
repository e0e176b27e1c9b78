// Package ingest is the Bronze step of the medallion pipeline: it copies
// Kafka records, byte for byte, into bronze/transactions. Kafka offsets are
// stored in Bronze itself, as txn actions committed atomically with the
// records, so a crash at any point neither loses nor duplicates a record:
// either the commit happened and the offsets moved with it, or neither did.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"time"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/tasks/lake"
)

// DefaultMaxRecords bounds one run: its records are one Bronze commit.
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
//
// Records become Bronze rows as they arrive, several partitions at a time
// (see kafka.Reader.Stream), and each chunk of rows goes at once to a
// streaming append (delta.Appender), so that building and encoding rows
// overlap fetching instead of waiting for the whole read. Nothing is
// committed before the whole read has succeeded: a failed read aborts the
// append and commits nothing.
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
	reader, err := kafka.OpenReader(ctx, opts.conn(), opts.Topic)
	if err != nil {
		return res, fmt.Errorf("ingest: %w", err)
	}
	defer reader.Close()
	parts := opts.Partitions
	if parts == nil {
		parts = reader.Partitions()
	}
	if len(parts) == 0 {
		return res, nil
	}
	snap, err := bronze.Snapshot(ctx)
	if err != nil {
		return res, fmt.Errorf("ingest: read bronze: %w", err)
	}
	// A lane per partition (up to two per core): a partition's rows stay
	// in order in Bronze's files, and a few partitions of uneven size
	// still keep every core busy.
	app, err := bronze.NewAppender(ctx, delta.AppenderOptions{Lanes: min(len(parts), 2*runtime.GOMAXPROCS(0))})
	if err != nil {
		return res, fmt.Errorf("ingest: write bronze: %w", err)
	}
	defer app.Abort() // after Commit: nothing to do
	b, err := read(ctx, reader, snap, opts, parts, app)
	if err != nil {
		return res, err
	}

	var txns []delta.Txn
	for _, p := range parts {
		pb := b.parts[p]
		res.Next[p] = pb.span.From
		if pb.last < 0 {
			continue
		}
		txns = append(txns, delta.Txn{AppID: AppID(opts.Topic, p), Version: pb.last})
		res.Ranges[p] = [2]int64{pb.first, pb.last}
		res.Next[p] = pb.last + 1
	}
	if b.records == 0 {
		return res, nil
	}
	for _, p := range parts {
		if b.parts[p].last < 0 {
			continue
		}
		if err := lake.CheckTxn(ctx, bronze, AppID(opts.Topic, p), lake.TxnVersion(snap, AppID(opts.Topic, p))); err != nil {
			return res, fmt.Errorf("ingest: %w", err)
		}
	}
	v, err := app.Commit(ctx, delta.CommitOptions{Txns: txns,
		OperationParameters: map[string]any{"source": "kafka:" + opts.Topic}})
	if err != nil {
		return res, fmt.Errorf("ingest: write bronze: %w", err)
	}
	res.Version, res.Records = v, b.records
	return res, nil
}

func (o Options) conn() kafka.Conn { return kafka.Conn{Brokers: o.Brokers, Security: o.Security} }
