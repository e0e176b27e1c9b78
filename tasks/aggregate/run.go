// Package aggregate is the Gold step of the medallion pipeline: it
// recomputes, from Silver, the Gold tables' rows of every event date that
// Silver changed since the last run (or of dates asked for explicitly: the
// hourly refresh and the daily rebuild), exactly, and replaces those
// partitions with remove + add + txn in one commit per table.
package aggregate

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/tasks/lake"
)

// AppID is the txn application id of every Gold commit; its version is the
// Silver version the Gold rows were computed from.
const AppID = "gold<-silver"

// Options choose what a run recomputes. The zero value recomputes the dates
// Silver changed since each Gold table was last written.
type Options struct {
	// Dates are event dates (any time of day; the UTC date counts) to
	// recompute in addition, even if Silver did not change them.
	Dates []time.Time
}

// Result describes a run.
type Result struct {
	SilverVersion int64       // the Silver version Gold now reflects
	Dates         []time.Time // the event dates recomputed, ascending
	SilverRows    int         // Silver rows of the dates recomputed
	// Rows written per Gold table, by table name; tables already up to
	// date are absent.
	Rows map[string]int
}

// maxAttempts bounds retries when a concurrent Gold writer (the hourly
// refresh running beside the micro-batch) wins a commit race.
const maxAttempts = 5

// Run brings the Gold tables up to date with Silver. It is idempotent: a
// table whose txn already equals Silver's version is left alone unless
// Dates asks for a recomputation.
func Run(ctx context.Context, l *lake.Lake, opts Options) (Result, error) {
	for attempt := 1; ; attempt++ {
		res, err := run(ctx, l, opts)
		if !errors.Is(err, delta.ErrConflict) || attempt == maxAttempts {
			return res, err
		}
	}
}

// target is one Gold table with the partitions it must replace.
type target struct {
	name  string
	table *delta.Table
	pick  func(Gold) []delta.Row
	dates map[int64]bool
	done  int64 // the Silver version the table reflected when read
}

func run(ctx context.Context, l *lake.Lake, opts Options) (Result, error) {
	silver, err := l.Silver.Snapshot(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("aggregate: read silver: %w", err)
	}
	res := Result{SilverVersion: silver.Version(), Rows: map[string]int{}}
	explicit := map[int64]bool{}
	for _, d := range opts.Dates {
		explicit[dayOf(lake.Date(d))] = true
	}
	targets := []*target{
		{name: lake.GoldDailyUserMetrics, table: l.UserMetrics, pick: func(g Gold) []delta.Row { return g.Metrics }},
		{name: lake.GoldDailyUserRanking, table: l.UserRanking, pick: func(g Gold) []delta.Row { return g.Ranking }},
		{name: lake.GoldDailyCurrencySummary, table: l.CurrencySummary, pick: func(g Gold) []delta.Row { return g.Summary }},
	}
	all := map[int64]bool{}
	var todo []*target
	changed := map[int64]map[int64]bool{} // by the version a table reflected: usually one read for all three
	for _, t := range targets {
		snap, err := t.table.Snapshot(ctx)
		if err != nil {
			return res, fmt.Errorf("aggregate: read %s: %w", t.name, err)
		}
		done := lake.TxnVersion(snap, AppID)
		if done > silver.Version() || (done == silver.Version() && len(explicit) == 0) {
			continue // up to date, or written from a newer Silver by a concurrent run
		}
		t.done = done
		if changed[done] == nil {
			if changed[done], err = changedDates(ctx, l.Silver, silver, done); err != nil {
				return res, err
			}
		}
		t.dates = maps.Clone(changed[done])
		for d := range explicit {
			t.dates[d] = true
		}
		for d := range t.dates {
			all[d] = true
		}
		todo = append(todo, t)
	}
	if len(todo) == 0 {
		return res, nil
	}
	gold, err := compute(ctx, l, silver, all)
	if err != nil {
		return res, err
	}
	for _, r := range gold.Summary {
		res.SilverRows += int(r[lake.SummaryTxCount].(int64))
	}
	// The tables are independent Delta tables, each with its own txn, so
	// they are written at once: encoding and committing one table's files
	// no longer waits for the other's (two of them hold a row per user).
	// A table whose write fails is retried by the next run (or by Run's
	// retry on a conflict): its txn still names the older Silver version.
	commit := delta.CommitOptions{Txns: []delta.Txn{{AppID: AppID, Version: silver.Version()}}}
	written := make([]int, len(todo))
	errs := make([]error, len(todo))
	var wg sync.WaitGroup
	for i, t := range todo {
		wg.Add(1)
		go func() {
			defer wg.Done()
			written[i], errs[i] = write(ctx, t, rowsIn(t.pick(gold), t.dates), commit)
		}()
	}
	wg.Wait()
	for i, t := range todo {
		if errs[i] == nil {
			res.Rows[t.name] = written[i]
		}
	}
	if err := errors.Join(errs...); err != nil {
		return res, err
	}
	for d := range all {
		res.Dates = append(res.Dates, dateOf(d))
	}
	slices.SortFunc(res.Dates, func(a, b time.Time) int { return a.Compare(b) })
	return res, nil
}

// write replaces t's partitions with rows, if no other run wrote t since
// it was read, and returns how many rows it wrote.
func write(ctx context.Context, t *target, rows []delta.Row, commit delta.CommitOptions) (int, error) {
	if err := lake.CheckTxn(ctx, t.table, AppID, t.done); err != nil {
		return 0, fmt.Errorf("aggregate: %w", err)
	}
	if _, err := t.table.OverwritePartitions(ctx, partitions(t.dates), rows, commit); err != nil {
		return 0, fmt.Errorf("aggregate: write %s: %w", t.name, err)
	}
	return len(rows), nil
}

// compute returns the Gold rows of days from Silver at snapshot s: the
// recent ones from the follower's running totals, older ones by reading
// their Silver partitions.
func compute(ctx context.Context, l *lake.Lake, s *delta.Snapshot, days map[int64]bool) (Gold, error) {
	follower := l.Follow("gold-totals", l.Silver, func() lake.Folder { return NewWindowedBuilder(DefaultWindowDays) })
	folder, unlock, err := follower.At(ctx, l.Silver, s)
	if err != nil {
		return Gold{}, fmt.Errorf("aggregate: %w", err)
	}
	recent, old := map[int64]bool{}, map[int64]bool{}
	for d := range days {
		if folder.(*Builder).Covers(d) {
			recent[d] = true
		} else {
			old[d] = true
		}
	}
	gold := folder.(*Builder).Gold(recent)
	unlock()
	if len(old) == 0 {
		return gold, nil
	}
	b := NewBuilder()
	err = s.ScanColumns(ctx, b.Columns(), func(pv map[string]string) bool {
		d, err := time.Parse(time.DateOnly, pv["event_date"])
		return err == nil && old[dayOf(d)]
	}, b.Fold)
	if err != nil {
		return Gold{}, fmt.Errorf("aggregate: read silver version %d: %w", s.Version(), err)
	}
	past := b.Gold(old)
	gold.Metrics = append(gold.Metrics, past.Metrics...)
	gold.Ranking = append(gold.Ranking, past.Ranking...)
	gold.Summary = append(gold.Summary, past.Summary...)
	return gold, nil
}

// changedDates returns the event dates of the Silver files added or removed
// after version done up to the snapshot: only their partitions can have
// changed. When that part of the log is gone, every date is recomputed.
func changedDates(ctx context.Context, t *delta.Table, s *delta.Snapshot, done int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	changes, err := t.Changes(ctx, done, s.Version())
	if errors.Is(err, delta.ErrVersionNotFound) {
		for _, f := range s.Files() {
			if err := addDate(out, f.PartitionValues); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("aggregate: read silver changes: %w", err)
	}
	for _, c := range changes {
		for _, f := range c.Adds {
			if err := addDate(out, f.PartitionValues); err != nil {
				return nil, err
			}
		}
		for _, f := range c.Removes {
			if err := addDate(out, f.PartitionValues); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func addDate(dates map[int64]bool, pv map[string]string) error {
	d, err := time.Parse(time.DateOnly, pv["event_date"])
	if err != nil {
		return fmt.Errorf("aggregate: silver file with event_date %q: %w", pv["event_date"], err)
	}
	dates[dayOf(d)] = true
	return nil
}

// rowsIn keeps the rows whose event_date (the last column) is in dates.
func rowsIn(rows []delta.Row, dates map[int64]bool) []delta.Row {
	out := make([]delta.Row, 0, len(rows))
	for _, r := range rows {
		if dates[dayOf(r[len(r)-1].(time.Time))] {
			out = append(out, r)
		}
	}
	return out
}

// partitions lists the event_date partitions to replace. Dates without
// Silver rows are included so that their stale Gold rows are removed.
func partitions(dates map[int64]bool) []map[string]string {
	out := make([]map[string]string, 0, len(dates))
	for d := range dates {
		out = append(out, map[string]string{"event_date": lake.DateString(dateOf(d))})
	}
	return out
}
