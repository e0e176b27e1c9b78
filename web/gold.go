package web

import (
	"context"
	"errors"
	"html/template"
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"github.com/finpipe/finpipe/delta"
)

// The Gold dashboard: daily volume per currency and the top users of a day,
// read from the Gold tables and drawn as SVG. Amounts in different
// currencies are never added together, so each currency gets its own chart.

const (
	dashboardDays = 14 // days of volume shown
	topUsers      = 10 // ranks shown per currency
)

type currencyChart struct {
	Currency string
	Chart    template.HTML
}

type goldDashboard struct {
	Days    []string // event dates with data, newest first (the day picker)
	Day     string   // the day of the top-users charts
	Volume  []currencyChart
	TopUser []currencyChart
}

func decimalOf(v any) decimal.Decimal {
	d, _ := v.(decimal.Decimal)
	return d
}

func strOf(v any) string {
	str, _ := v.(string)
	return str
}

func dateOf(v any) string {
	t, _ := v.(time.Time)
	return t.Format(time.DateOnly)
}

// loadGold builds the dashboard; day is the requested day ("" = latest),
// already validated as a date by the caller.
func (s *server) loadGold(ctx context.Context, day string) (goldDashboard, error) {
	var g goldDashboard
	type key struct{ day, cur string }
	totals := map[key]decimal.Decimal{}
	days := map[string]bool{}
	err := s.scanTable(ctx, "gold/daily_currency_summary", []string{"event_date", "currency", "total_amount"}, nil, func(r delta.Row) error {
		k := key{dateOf(r[0]), strOf(r[1])}
		totals[k] = totals[k].Add(decimalOf(r[2]))
		days[k.day] = true
		return nil
	})
	if err != nil {
		return g, err
	}
	for d := range days {
		g.Days = append(g.Days, d)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(g.Days)))
	shown := g.Days[:min(len(g.Days), dashboardDays)]
	// Every currency's chart has a bar slot for every shown day, so the
	// charts line up day by day; a day without data is an empty slot.
	byCur := map[string][]datum{}
	for k := range totals {
		byCur[k.cur] = nil
	}
	for cur := range byCur {
		for i := len(shown) - 1; i >= 0; i-- { // oldest day on the left
			d := datum{Label: shown[i][5:], Text: "no data"}
			if v, ok := totals[key{shown[i], cur}]; ok {
				d.Value, d.Text = v.InexactFloat64(), v.StringFixed(2)+" "+cur
			}
			byCur[cur] = append(byCur[cur], d)
		}
	}
	for i, cur := range sortedKeys(byCur) {
		g.Volume = append(g.Volume, currencyChart{cur, columnChart("Daily volume, "+cur, byCur[cur], 460, 200, colorFor(i))})
	}
	if g.Day = day; g.Day == "" && len(g.Days) > 0 {
		g.Day = g.Days[0]
	}
	if g.Day == "" {
		return g, nil
	}
	type ranked struct {
		rank int32
		d    datum
	}
	ranks := map[string][]ranked{}
	onDay := func(pv map[string]string) bool { return pv["event_date"] == g.Day }
	err = s.scanTable(ctx, "gold/daily_user_ranking", []string{"currency", "rank", "user_id", "total_amount"}, onDay, func(r delta.Row) error {
		if rank, _ := r[1].(int32); rank >= 1 && rank <= topUsers {
			amt := decimalOf(r[3])
			cur := strOf(r[0])
			ranks[cur] = append(ranks[cur], ranked{rank, datum{Label: strOf(r[2]), Value: amt.InexactFloat64(), Text: amt.StringFixed(2)}})
		}
		return nil
	})
	if err != nil {
		return g, err
	}
	for i, cur := range sortedKeys(ranks) {
		rs := ranks[cur]
		sort.Slice(rs, func(a, b int) bool { return rs[a].rank < rs[b].rank })
		rows := make([]datum, len(rs))
		for j, r := range rs {
			rows[j] = r.d
		}
		g.TopUser = append(g.TopUser, currencyChart{cur, barChart("Top users on "+g.Day+", "+cur, rows, 460, colorFor(i))})
	}
	return g, nil
}

// scanTable reads columns of a table's latest snapshot; a table that does
// not exist yet reads as empty.
func (s *server) scanTable(ctx context.Context, name string, cols []string, filter func(map[string]string) bool, fn func(delta.Row) error) error {
	t, err := s.openTable(name)
	if errors.Is(err, delta.ErrNotATable) {
		return nil
	}
	if err != nil {
		return err
	}
	snap, err := t.Snapshot(ctx)
	if err != nil {
		return err
	}
	return snap.ScanColumns(ctx, cols, filter, fn)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
