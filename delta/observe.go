package delta

import (
	"sync/atomic"
	"time"
)

// CommitObserver receives one call per successful commit: the table's root
// path, the time the commit took (waiting for the table's writer lock and
// re-reading winners after lost races included), how many times it lost
// the race for its version, and the rows it added as new data (files with
// dataChange=false, e.g. Optimize's rewrites, do not count).
//
// It is a hook rather than a dependency so that this package stays free of
// any metrics library: whoever opens a table and wants Prometheus series
// installs one on it with Observe. It belongs to the Table, not to the
// process, so that two owners of tables (two tests, two lakes) never see
// each other's commits.
type CommitObserver func(tablePath string, d time.Duration, conflicts int, rowsAdded int64)

// observer holds a Table's CommitObserver; atomic, so that Observe may be
// called while another goroutine commits.
type observer struct {
	f atomic.Pointer[CommitObserver]
}

// Observe installs f for this table's commits; nil removes it. f runs on
// the committing goroutine, so it must be quick.
func (t *Table) Observe(f CommitObserver) {
	if f == nil {
		t.observer.f.Store(nil)
		return
	}
	t.observer.f.Store(&f)
}

// observeCommit reports a successful commit to the observer, if any.
func (t *Table) observeCommit(began time.Time, conflicts int, plan *commitPlan) {
	f := t.observer.f.Load()
	if f == nil {
		return
	}
	var rows int64
	for _, a := range plan.adds {
		if n := a.NumRecords(); a.DataChange && n > 0 {
			rows += n
		}
	}
	(*f)(t.root.String(), time.Since(began), conflicts, rows)
}
