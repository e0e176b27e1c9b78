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
}

var _ lake.Folder = (*Builder)(nil)

// NewBuilder returns an empty Builder.
func NewBuilder() *Builder { return &Builder{users: make(map[userKey]*userTotals)} }

// Columns are the Silver columns Fold reads, in its order.
func (b *Builder) Columns() []string { return []string{"user_id", "currency", "amount", "event_date"} }

// Reset forgets every total.
func (b *Builder) Reset() { clear(b.users) }

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

// Gold computes the three tables' rows for the given event dates (days
// since the epoch; nil: every date folded).
func (b *Builder) Gold(days map[int64]bool) Gold {
	keys := make([]userKey, 0, len(b.users))
	for k := range b.users {
		if days == nil || days[k.day] {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(x, y userKey) int {
		return cmp.Or(cmp.Compare(x.day, y.day), strings.Compare(x.currency, y.currency), strings.Compare(x.user, y.user))
	})
	var g Gold
	g.Metrics = make([]delta.Row, 0, len(keys))
	for _, k := range keys {
		t := b.users[k]
		g.Metrics = append(g.Metrics, delta.Row{
			k.user, k.currency, t.count, t.total.Decimal(), t.total.AverageHalfEven(t.count),
			money.FromCents(t.min), money.FromCents(t.max), dateOf(k.day),
		})
	}
	// keys are sorted by (day, currency, user): each (day, currency) group
	// is one run, ranked and summarized in turn.
	for start := 0; start < len(keys); {
		end := start + 1
		for end < len(keys) && keys[end].day == keys[start].day && keys[end].currency == keys[start].currency {
			end++
		}
		g.Ranking = append(g.Ranking, b.rank(keys[start:end])...)
		g.Summary = append(g.Summary, b.summarize(keys[start:end]))
		start = end
	}
	return g
}

// rank orders one (day, currency) group's users by total descending, ties by
// user_id ascending; rank is the row number, so ties never share a rank.
func (b *Builder) rank(group []userKey) []delta.Row {
	order := slices.Clone(group)
	slices.SortStableFunc(order, func(x, y userKey) int {
		return cmp.Or(b.users[y].total.Cmp(b.users[x].total), strings.Compare(x.user, y.user))
	})
	rows := make([]delta.Row, len(order))
	for i, k := range order {
		t := b.users[k]
		rows[i] = delta.Row{k.currency, int32(i + 1), k.user, t.total.Decimal(), t.count, dateOf(k.day)}
	}
	return rows
}

func (b *Builder) summarize(group []userKey) delta.Row {
	var count int64
	var total money.Sum
	for _, k := range group {
		t := b.users[k]
		count += t.count
		total.AddSum(t.total)
	}
	k := group[0]
	return delta.Row{k.currency, count, total.Decimal(), int64(len(group)), dateOf(k.day)}
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
