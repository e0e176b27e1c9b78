package aggregate

import (
	"cmp"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/money"
	"github.com/shopspring/decimal"
)

// Gold is the content of the three Gold tables for some event dates, rows
// in each table's schema order, sorted so that files are deterministic.
type Gold struct {
	Metrics []delta.Row // gold/daily_user_metrics
	Ranking []delta.Row // gold/daily_user_ranking
	Summary []delta.Row // gold/daily_currency_summary
}

// userKey is the grain of daily_user_metrics. Amounts in different
// currencies are never added together, so currency is part of every key.
type userKey struct {
	day      int64 // days since the epoch of event_date
	user     string
	currency string
}

type userTotals struct {
	count    int64
	total    money.Sum
	min, max int64 // cents
}

// Builder accumulates Silver rows into per-user daily totals, from which
// Gold is computed. It is a lake.Folder, so a Follower keeps one in step
// with Silver. The zero value is not usable; call NewBuilder.
type Builder struct {
	users map[userKey]*userTotals
	// window, newest and seen bound a follower's Builder to recent days
	// (see window.go); window 0 keeps every day.
	window, newest int64
	seen           bool
}

var _ lake.Folder = (*Builder)(nil)

// NewBuilder returns an empty Builder.
func NewBuilder() *Builder { return &Builder{users: make(map[userKey]*userTotals)} }

// Columns are the Silver columns Fold reads, in its order.
func (b *Builder) Columns() []string { return []string{"user_id", "currency", "amount", "event_date"} }

// Reset forgets every total.
func (b *Builder) Reset() {
	clear(b.users)
	b.newest, b.seen = 0, false
}

// Fold adds one Silver row of Columns. A row of the wrong shape is an
// error, never a panic: Silver may have been written by another engine.
func (b *Builder) Fold(r delta.Row) error {
	if len(r) != 4 {
		return fmt.Errorf("aggregate: silver row has %d columns, want 4", len(r))
	}
	user, ok1 := r[0].(string)
	currency, ok2 := r[1].(string)
	amount, ok3 := r[2].(decimal.Decimal)
	date, ok4 := r[3].(time.Time)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return fmt.Errorf("aggregate: silver row has a null or mistyped user_id, currency, amount or event_date: %v", r)
	}
	cents, ok := money.Cents(amount)
	if !ok {
		return fmt.Errorf("aggregate: silver amount %s is not a whole number of cents", amount)
	}
	k := userKey{day: dayOf(date), user: user, currency: currency}
	if !b.admit(k.day) {
		return nil
	}
	t := b.users[k]
	if t == nil {
		t = &userTotals{min: cents, max: cents}
		b.users[k] = t
	}
	t.count++
	t.total.Add(cents)
	t.min = min(t.min, cents)
	t.max = max(t.max, cents)
	return nil
}

// group is one user's totals for a day and currency, resolved from the map
// once so that sorting compares fields, not map lookups.
type group struct {
	userKey
	*userTotals
	index int // the group's place in its run's user order
}

// runKey is one (day, currency): the unit that Gold ranks and summarizes.
type runKey struct {
	day      int64
	currency string
}

// runRows are one run's rows of the three tables.
type runRows struct {
	metrics, ranking []delta.Row
	summary          delta.Row
}

// Gold computes the three tables' rows for the given event dates (days
// since the epoch; nil: every date folded).
//
// A refresh rewrites every row of its dates (about 60,000 groups a day at
// a million transactions), so each (day, currency) run is sorted and turned
// into rows on its own, the runs spread over GOMAXPROCS lanes, and the rows
// are built with few allocations: carved from blocks (lake.Cells), with
// each value that two tables share (user, total, count) or that a whole
// run shares (currency, date) boxed once.
func (b *Builder) Gold(days map[int64]bool) Gold {
	runs := map[runKey][]group{}
	for k, t := range b.users {
		if days == nil || days[k.day] {
			rk := runKey{k.day, k.currency}
			runs[rk] = append(runs[rk], group{userKey: k, userTotals: t})
		}
	}
	keys := slices.SortedFunc(maps.Keys(runs), func(x, y runKey) int {
		return cmp.Or(cmp.Compare(x.day, y.day), strings.Compare(x.currency, y.currency))
	})
	done := make([]runRows, len(keys))
	next := make(chan int, len(keys))
	for i := range keys {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(keys)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				done[i] = runGold(runs[keys[i]])
			}
		}()
	}
	wg.Wait()
	var g Gold
	n := 0
	for _, r := range done {
		n += len(r.metrics)
	}
	g.Metrics, g.Ranking = make([]delta.Row, 0, n), make([]delta.Row, 0, n)
	for _, r := range done {
		g.Metrics = append(g.Metrics, r.metrics...)
		g.Ranking = append(g.Ranking, r.ranking...)
		g.Summary = append(g.Summary, r.summary)
	}
	return g
}

// The widths of daily_user_metrics' and daily_user_ranking's rows.
const (
	metricsWidth = 8
	rankingWidth = 6
)

// boxed are a group's values that both Metrics and Ranking hold, as
// interfaces made once.
type boxed struct{ user, total, count any }

// runGold returns one (day, currency) run's rows: metrics by user_id;
// ranking by total descending, ties by user_id ascending (the groups'
// indexes are in user order, so they break ties without comparing strings,
// and the order is total: no stable sort needed), rank being the row
// number, so ties never share a rank; and the run's summary. It reorders
// run in place.
func runGold(run []group) runRows {
	slices.SortFunc(run, func(x, y group) int { return strings.Compare(x.user, y.user) })
	var currency, date any = run[0].currency, dateOf(run[0].day)
	out := runRows{metrics: make([]delta.Row, len(run)), ranking: make([]delta.Row, len(run))}
	metrics := lake.NewCells(metricsWidth, len(run))
	shared := make([]boxed, len(run))
	for i := range run {
		x := &run[i]
		x.index = i
		v := &shared[i]
		v.user, v.total, v.count = x.user, x.total.Decimal(), x.count
		r := metrics.Row()
		r[0], r[1], r[2], r[3], r[4] = v.user, currency, v.count, v.total, x.total.AverageHalfEven(x.count)
		r[5], r[6], r[7] = money.FromCents(x.min), money.FromCents(x.max), date
		out.metrics[i] = r
	}
	out.summary = summarize(run, currency, date)
	slices.SortFunc(run, func(x, y group) int { return cmp.Or(y.total.Cmp(x.total), cmp.Compare(x.index, y.index)) })
	ranking := lake.NewCells(rankingWidth, len(run))
	for i, x := range run {
		v := shared[x.index]
		r := ranking.Row()
		r[0], r[1], r[2], r[3], r[4], r[5] = currency, int32(i+1), v.user, v.total, v.count, date
		out.ranking[i] = r
	}
	return out
}

func summarize(run []group, currency, date any) delta.Row {
	var count int64
	var total money.Sum
	for _, x := range run {
		count += x.count
		total.AddSum(x.total)
	}
	return delta.Row{currency, count, total.Decimal(), int64(len(run)), date}
}

const secondsPerDay = 24 * 60 * 60

// dayOf is the number of days since 1970-01-01 of a UTC date, floored so
// that dates before the epoch work too.
func dayOf(t time.Time) int64 {
	s := t.Unix()
	d := s / secondsPerDay
	if s%secondsPerDay < 0 {
		d--
	}
	return d
}

func dateOf(day int64) time.Time { return time.Unix(day*secondsPerDay, 0).UTC() }
