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
}

// Gold computes the three tables' rows for the given event dates (days
// since the epoch; nil: every date folded).
func (b *Builder) Gold(days map[int64]bool) Gold {
	groups := make([]group, 0, len(b.users))
	for k, t := range b.users {
		if days == nil || days[k.day] {
			groups = append(groups, group{k, t})
		}
	}
	slices.SortFunc(groups, func(x, y group) int {
		return cmp.Or(cmp.Compare(x.day, y.day), strings.Compare(x.currency, y.currency), strings.Compare(x.user, y.user))
	})
	var g Gold
	g.Metrics = make([]delta.Row, 0, len(groups))
	for _, x := range groups {
		g.Metrics = append(g.Metrics, delta.Row{
			x.user, x.currency, x.count, x.total.Decimal(), x.total.AverageHalfEven(x.count),
			money.FromCents(x.min), money.FromCents(x.max), dateOf(x.day),
		})
	}
	// groups are sorted by (day, currency, user): each (day, currency) is
	// one run, ranked and summarized in turn.
	g.Ranking = make([]delta.Row, 0, len(groups))
	for start := 0; start < len(groups); {
		end := start + 1
		for end < len(groups) && groups[end].day == groups[start].day && groups[end].currency == groups[start].currency {
			end++
		}
		g.Ranking = append(g.Ranking, rank(groups[start:end])...)
		g.Summary = append(g.Summary, summarize(groups[start:end]))
		start = end
	}
	return g
}

// rank orders one (day, currency) run's users by total descending, ties by
// user_id ascending (the run is in user order already, and the sort is
// stable); rank is the row number, so ties never share a rank. It reorders
// the run in place.
func rank(run []group) []delta.Row {
	slices.SortStableFunc(run, func(x, y group) int { return y.total.Cmp(x.total) })
	rows := make([]delta.Row, len(run))
	for i, x := range run {
		rows[i] = delta.Row{x.currency, int32(i + 1), x.user, x.total.Decimal(), x.count, dateOf(x.day)}
	}
	return rows
}

func summarize(run []group) delta.Row {
	var count int64
	var total money.Sum
	for _, x := range run {
		count += x.count
		total.AddSum(x.total)
	}
	return delta.Row{run[0].currency, count, total.Decimal(), int64(len(run)), dateOf(run[0].day)}
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
