package aggregate

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
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
	index int // the group's place in (day, currency, user) order
}

// Gold computes the three tables' rows for the given event dates (days
// since the epoch; nil: every date folded).
//
// A refresh rewrites every row of its dates (about 60,000 groups a day at
// a million transactions), so the rows are built with as few allocations
// as can be: rows carved from blocks (lake.Cells), and each value that two
// tables share (user, total, count) or that a whole run shares (currency,
// date) boxed once.
func (b *Builder) Gold(days map[int64]bool) Gold {
	groups := make([]group, 0, len(b.users))
	for k, t := range b.users {
		if days == nil || days[k.day] {
			groups = append(groups, group{userKey: k, userTotals: t})
		}
	}
	slices.SortFunc(groups, func(x, y group) int {
		return cmp.Or(cmp.Compare(x.day, y.day), strings.Compare(x.currency, y.currency), strings.Compare(x.user, y.user))
	})
	for i := range groups {
		groups[i].index = i
	}
	g := Gold{Metrics: make([]delta.Row, len(groups)), Ranking: make([]delta.Row, 0, len(groups))}
	metrics := lake.NewCells(metricsWidth, len(groups))
	ranking := lake.NewCells(rankingWidth, len(groups))
	shared := make([]boxed, len(groups))
	// groups are sorted by (day, currency, user): each (day, currency) is
	// one run, ranked and summarized in turn.
	for start := 0; start < len(groups); {
		end := start + 1
		for end < len(groups) && groups[end].day == groups[start].day && groups[end].currency == groups[start].currency {
			end++
		}
		run := groups[start:end]
		var currency, date any = run[0].currency, dateOf(run[0].day)
		for i, x := range run {
			v := &shared[start+i]
			v.user, v.total, v.count = x.user, x.total.Decimal(), x.count
			r := metrics.Row()
			r[0], r[1], r[2], r[3], r[4] = v.user, currency, v.count, v.total, x.total.AverageHalfEven(x.count)
			r[5], r[6], r[7] = money.FromCents(x.min), money.FromCents(x.max), date
			g.Metrics[start+i] = r
		}
		g.Ranking = rank(g.Ranking, ranking, run, shared, currency, date)
		g.Summary = append(g.Summary, summarize(run, currency, date))
		start = end
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

// rank appends one (day, currency) run's ranking rows to out: users by
// total descending, ties by user_id ascending (the run's indexes are in
// user order, so they break ties without comparing strings, and the order
// is total: no stable sort needed); rank is the row number, so ties never
// share a rank. It reorders the run in place; each group's index finds its
// boxed values in shared.
func rank(out []delta.Row, cells *lake.Cells, run []group, shared []boxed, currency, date any) []delta.Row {
	slices.SortFunc(run, func(x, y group) int { return cmp.Or(y.total.Cmp(x.total), cmp.Compare(x.index, y.index)) })
	for i, x := range run {
		v := shared[x.index]
		r := cells.Row()
		r[0], r[1], r[2], r[3], r[4], r[5] = currency, int32(i+1), v.user, v.total, v.count, date
		out = append(out, r)
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
