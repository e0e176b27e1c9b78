// Package clean is the Silver step of the medallion pipeline: it moves the
// Bronze records added since its last run into silver/transactions when
// they pass every rule of DESIGN.md, and into silver/rejected with the first
// failing reason code otherwise. Every Bronze record lands in exactly one of
// the two tables, also across crashes and retries.
package clean

import (
	"context"
	"fmt"
	"time"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/record"
)

// AppID is the txn application id clean commits to both Silver tables; its
// version is the Bronze version consumed.
const AppID = "silver<-bronze"

// DefaultMaxRecords bounds a run's batch: memory grows with the batch.
const DefaultMaxRecords = 500_000

// Options tune a run. The zero value uses the defaults.
type Options struct {
	// AllowedLateness is how far behind the newest accepted event time a
	// record may be (default record.DefaultAllowedLateness, 48 h).
	AllowedLateness time.Duration
	// MaxRecords bounds the Bronze records of one run, counted in whole
	// Bronze commits; a single larger commit is still taken whole (default
	// DefaultMaxRecords).
	MaxRecords int64
	// Now stamps rejected_at (default time.Now).
	Now func() time.Time
	// AfterRejected, when set, runs between the rejected and the Silver
	// commit, and its error ends the run there: crash tests inject the fault
	// the commit order is designed for.
	AfterRejected func() error
	// CountRejected, when set, is told how many committed silver/rejected
	// rows carry each reason code: the process's metrics
	// (finpipe_rejected_records_total), handed in so that clean keeps no
	// counters of its own.
	CountRejected func(reason string, n int)
}

func (o Options) withDefaults() Options {
	if o.AllowedLateness <= 0 {
		o.AllowedLateness = record.DefaultAllowedLateness
	}
	if o.MaxRecords <= 0 {
		o.MaxRecords = DefaultMaxRecords
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Result describes a run.
type Result struct {
	// BronzeFrom and BronzeTo are the Bronze versions consumed: (From, To].
	// Equal when there was nothing to do.
	BronzeFrom, BronzeTo int64
	Records              int // Bronze records read
	Accepted             int // rows written to Silver
	Rejected             int // rows written to silver/rejected
	// Recovered is set when the run finished a batch that a crashed run
	// had committed to only one of the two tables.
	Recovered bool
	// Behind is set when Bronze already held more than this batch when the
	// run started: another run has work to do at once.
	Behind bool
	// IndexIDs and IndexDays are the size of the duplicate index after the
	// batch: the ids it holds and their event dates. The log shows with
	// them that the index is bounded by the lateness window.
	IndexIDs, IndexDays int
}

// Run cleans the next batch of Bronze. It is idempotent: run it again after
// success and it does nothing; run it after a crash and it completes the
// interrupted batch exactly as it would have been.
//
// The two tables are two commits (Delta has no multi-table transaction).
// Rejected is written first: Silver is then still as it was before the
// batch, so a retry after a crash between the two commits sees the same
// watermark and the same accepted ids, classifies every record as before,
// and writes only the table whose txn is behind.
func Run(ctx context.Context, l *lake.Lake, opts Options) (Result, error) {
	opts = opts.withDefaults()
	bronze, err := l.Bronze.Snapshot(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("clean: read bronze: %w", err)
	}
	silver, err := l.Silver.Snapshot(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("clean: read silver: %w", err)
	}
	rejected, err := l.Rejected.Snapshot(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("clean: read rejected: %w", err)
	}
	sTxn, rTxn := txnOf(silver), txnOf(rejected)
	res := Result{BronzeFrom: min(sTxn, rTxn)}
	var files []delta.AddFile
	switch {
	case sTxn == rTxn:
		res.BronzeTo, files, err = nextBatch(ctx, l.Bronze, sTxn, bronze.Version(), opts.MaxRecords)
	case rTxn > sTxn: // crashed after the rejected commit: redo that batch
		res.BronzeTo, res.Recovered = rTxn, true
		files, err = batchFiles(ctx, l.Bronze, sTxn, rTxn)
	default: // Silver ahead: only possible if another writer ordered it so
		res.BronzeTo, res.Recovered = sTxn, true
		files, err = batchFiles(ctx, l.Bronze, rTxn, sTxn)
		if err == nil {
			silver, err = silverAsOf(ctx, l.Silver, silver, rTxn)
		}
	}
	if err != nil {
		return res, err
	}
	res.Behind = res.BronzeTo < bronze.Version()
	if res.BronzeTo == res.BronzeFrom {
		return res, nil
	}

	// One index per allowed lateness: it has dropped the dates beyond its
	// window, which a larger window would need again.
	follower := l.Follow(fmt.Sprint("clean-index-", opts.AllowedLateness), l.Silver,
		func() lake.Folder { return NewIndex(opts.AllowedLateness) })
	folder, unlock, err := follower.At(ctx, l.Silver, silver)
	if err != nil {
		return res, fmt.Errorf("clean: index silver: %w", err)
	}
	defer unlock()
	index := folder.(*Index)
	var expected int64
	for _, f := range files {
		expected += max(f.NumRecords(), 0)
	}
	b := newBatch(index, opts.AllowedLateness, opts.Now(), int(expected))
	if sTxn < res.BronzeTo {
		app, err := l.Silver.NewAppender(ctx, delta.AppenderOptions{})
		if err != nil {
			return res, fmt.Errorf("clean: write silver: %w", err)
		}
		defer app.Abort() // after Commit: nothing to do
		b.silver = newSilverStream(app)
	}
	res.Records, err = classify(ctx, bronze, files, b)
	if err != nil {
		return res, fmt.Errorf("clean: read bronze batch (%d, %d]: %w", res.BronzeFrom, res.BronzeTo, err)
	}
	if b.silver != nil {
		b.silver.flush()
		if b.silver.err != nil {
			return res, fmt.Errorf("clean: write silver: %w", b.silver.err)
		}
	}
	commit := delta.CommitOptions{Txns: []delta.Txn{{AppID: AppID, Version: res.BronzeTo}}}
	if rTxn < res.BronzeTo {
		if err := lake.CheckTxn(ctx, l.Rejected, AppID, rTxn); err != nil {
			return res, fmt.Errorf("clean: %w", err)
		}
		if _, err := l.Rejected.Append(ctx, b.rejected, commit); err != nil {
			return res, fmt.Errorf("clean: write rejected: %w", err)
		}
		res.Rejected = len(b.rejected)
		countRejected(b.rejected, opts.CountRejected)
		if opts.AfterRejected != nil {
			if err := opts.AfterRejected(); err != nil {
				return res, err
			}
		}
	}
	if sTxn < res.BronzeTo {
		if err := lake.CheckTxn(ctx, l.Silver, AppID, sTxn); err != nil {
			return res, fmt.Errorf("clean: %w", err)
		}
		rows := b.silverRows()
		var v int64
		if b.silver.usable() {
			v, err = b.silver.app.Commit(ctx, commit)
		} else {
			b.silver.app.Abort()
			v, err = l.Silver.Append(ctx, rows, commit)
		}
		if err != nil {
			return res, fmt.Errorf("clean: write silver: %w", err)
		}
		res.Accepted = len(rows)
		follower.Committed(v, b.commitToIndex)
	}
	res.IndexIDs, res.IndexDays = index.Len(), index.Days()
	return res, nil
}

// txnOf is the Bronze version a Silver table has consumed, -1 for none.
func txnOf(s *delta.Snapshot) int64 { return lake.TxnVersion(s, AppID) }

// nextBatch picks the Bronze versions after from to clean now: as many
// whole commits as fit in maxRecords (at least one), and their data files.
// It reads the log a window of commits at a time, so that a long backlog
// (after an outage) costs each run only the commits it takes.
func nextBatch(ctx context.Context, bronze *delta.Table, from, latest, maxRecords int64) (int64, []delta.AddFile, error) {
	const window = 64
	to, n := from, int64(0)
	var files []delta.AddFile
	for lo := from; lo < latest; lo += window {
		changes, err := bronze.Changes(ctx, lo, min(lo+window, latest))
		if err != nil {
			return from, nil, fmt.Errorf("clean: read bronze changes: %w", err)
		}
		for _, c := range changes {
			var rows int64
			for _, f := range c.Adds {
				rows += max(f.NumRecords(), 0)
			}
			if to > from && n+rows > maxRecords {
				return to, files, nil
			}
			if err := noRemovals(c); err != nil {
				return from, nil, err
			}
			files = append(files, c.Adds...)
			to, n = c.Version, n+rows
		}
	}
	return to, files, nil
}

// batchFiles returns the Bronze files of an exact range: the batch of a run
// that crashed half-way, which must be redone identically.
func batchFiles(ctx context.Context, bronze *delta.Table, from, to int64) ([]delta.AddFile, error) {
	changes, err := bronze.Changes(ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("clean: read bronze changes: %w", err)
	}
	var files []delta.AddFile
	for _, c := range changes {
		if err := noRemovals(c); err != nil {
			return nil, err
		}
		files = append(files, c.Adds...)
	}
	return files, nil
}

// noRemovals refuses a Bronze commit that deleted records: Bronze is
// append-only, and a deletion cannot be undone downstream.
func noRemovals(c delta.Change) error {
	if len(c.Removes) > 0 {
		return fmt.Errorf("clean: bronze version %d deletes data (%s): bronze must be append-only", c.Version, c.Removes[0].Path)
	}
	return nil
}

// silverAsOf finds the newest Silver snapshot that had consumed at most
// bronzeVersion: the Silver state a batch starting there was judged with.
func silverAsOf(ctx context.Context, t *delta.Table, cur *delta.Snapshot, bronzeVersion int64) (*delta.Snapshot, error) {
	for v := cur.Version(); v >= 0; v-- {
		s, err := t.SnapshotAt(ctx, v)
		if err != nil {
			return nil, fmt.Errorf("clean: read silver version %d: %w", v, err)
		}
		if txnOf(s) <= bronzeVersion {
			return s, nil
		}
	}
	return nil, fmt.Errorf("clean: no silver version before bronze version %d", bronzeVersion)
}
