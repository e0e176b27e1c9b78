package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"github.com/finpipe/finpipe/delta"
)

// The Gold dashboard, to read at a glance: the latest day's figures, one
// chart of transactions per day stacked by currency, a table of each
// currency's exact amounts with its trend, and the top users of one day in
// one currency. Amounts in different currencies are never added together
// or drawn on one scale: the shared chart counts transactions, which do
// add up; money stays per currency, exact, in the table.

const (
	dashboardDays = 14 // days of volume shown
	topUsers      = 10 // ranks shown
)

// currencyDay is one (event_date, currency) row of the currency summary.
type currencyDay struct {
	tx, users int64
	total     decimal.Decimal
}

// currencyRow is one line of the dashboard's table.
type currencyRow struct {
	Currency, Color string
	Tx, Users       int64  // on the latest day
	Total           string // on the latest day, exact
	WindowTx        int64  // over the shown days
	WindowTotal     string // over the shown days, exact
	Trend           template.HTML
}

type goldDashboard struct {
	Days       []string // event dates with data, newest first (the day picker)
	Shown      []string // the days of the chart, oldest first
	Latest     string   // the newest day
	LatestTx   int64    // transactions on it, every currency
	Currencies []currencyRow
	Volume     template.HTML // transactions per day, stacked by currency
	Day        string        // the day of the top-users chart
	Currency   string        // its currency
	DayCurs    []string      // currencies with a ranking that day (the currency picker)
	TopUser    template.HTML
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

func int64Of(v any) int64 {
	n, _ := v.(int64)
	return n
}

type dayCur struct{ day, cur string }

// loadGold builds the dashboard; day is the requested day of the ranking
// ("" = latest) and cur its currency ("" = the day's busiest), already
// checked by the caller.
func (s *server) loadGold(ctx context.Context, day, cur string) (goldDashboard, error) {
	var g goldDashboard
	sum := map[dayCur]currencyDay{}
	days, curs := map[string]bool{}, map[string]bool{}
	st := s.layout.Summary
	err := s.scanTable(ctx, st.Name, []string{st.EventDate, st.Currency, st.TxCount, st.TotalAmount, st.UniqueUsers}, nil,
		func(r delta.Row) error {
			k := dayCur{dateOf(r[0]), strOf(r[1])}
			c := sum[k]
			c.tx += int64Of(r[2])
			c.total = c.total.Add(decimalOf(r[3]))
			c.users += int64Of(r[4])
			sum[k] = c
			days[k.day], curs[k.cur] = true, true
			return nil
		})
	if err != nil {
		return g, err
	}
	g.Days = sortedKeys(days)
	sort.Sort(sort.Reverse(sort.StringSlice(g.Days)))
	if len(g.Days) == 0 {
		return g, nil
	}
	g.Latest = g.Days[0]
	for i := min(len(g.Days), dashboardDays) - 1; i >= 0; i-- {
		g.Shown = append(g.Shown, g.Days[i])
	}
	g.Currencies, g.Volume = currencyRows(sum, g.Shown, sortedKeys(curs))
	for _, c := range g.Currencies {
		g.LatestTx += c.Tx
	}
	err = s.loadTopUsers(ctx, &g, day, cur)
	return g, err
}

// currencyRows makes the table and the stacked chart, currencies in
// alphabetical order with one colour each in both.
func currencyRows(sum map[dayCur]currencyDay, shown, curs []string) ([]currencyRow, template.HTML) {
	latest := shown[len(shown)-1]
	labels := make([]string, len(shown))
	for i, d := range shown {
		labels[i] = d[5:] // MM-DD
	}
	var rows []currencyRow
	var layers []series
	for i, cur := range curs {
		row := currencyRow{Currency: cur, Color: colorFor(i)}
		l := series{Name: cur, Color: row.Color}
		var amounts []float64
		var amountTexts []string
		window := decimal.Zero
		for _, d := range shown {
			c := sum[dayCur{d, cur}]
			window = window.Add(c.total)
			row.WindowTx += c.tx
			l.Values = append(l.Values, float64(c.tx))
			l.Texts = append(l.Texts, fmt.Sprintf("%d transactions, %s %s", c.tx, c.total.StringFixed(2), cur))
			amounts = append(amounts, c.total.InexactFloat64())
			amountTexts = append(amountTexts, d+": "+c.total.StringFixed(2)+" "+cur)
		}
		c := sum[dayCur{latest, cur}]
		row.Tx, row.Users, row.Total = c.tx, c.users, c.total.StringFixed(2)
		row.WindowTotal = window.StringFixed(2)
		row.Trend = sparkBars(cur+" per day", amounts, amountTexts, row.Color)
		rows = append(rows, row)
		layers = append(layers, l)
	}
	chart := stackedChart(fmt.Sprintf("Transactions per day by currency, %s to %s", shown[0], latest), labels, layers, 920, 240)
	return rows, chart
}

// loadTopUsers draws the ranking of one day in one currency: the requested
// ones, else the latest day and its busiest currency.
func (s *server) loadTopUsers(ctx context.Context, g *goldDashboard, day, cur string) error {
	if g.Day = day; g.Day == "" {
		g.Day = g.Latest
	}
	type ranked struct {
		rank int32
		d    datum
	}
	ranks := map[string][]ranked{}
	rt := s.layout.Ranking
	onDay := func(pv map[string]string) bool { return pv[rt.EventDate] == g.Day }
	err := s.scanTable(ctx, rt.Name, []string{rt.Currency, rt.Rank, rt.UserID, rt.TotalAmount}, onDay, func(r delta.Row) error {
		if rank, _ := r[1].(int32); rank >= 1 && rank <= topUsers {
			amt := decimalOf(r[3])
			c := strOf(r[0])
			ranks[c] = append(ranks[c], ranked{rank, datum{Label: strOf(r[2]), Value: amt.InexactFloat64(), Text: amt.StringFixed(2) + " " + c}})
		}
		return nil
	})
	if err != nil {
		return err
	}
	g.DayCurs = sortedKeys(ranks)
	if g.Currency = cur; g.Currency == "" {
		g.Currency = busiest(g, ranks)
	}
	rs := ranks[g.Currency]
	sort.Slice(rs, func(a, b int) bool { return rs[a].rank < rs[b].rank })
	rows := make([]datum, len(rs))
	for j, r := range rs {
		rows[j] = r.d
	}
	color := colorFor(0)
	for _, c := range g.Currencies {
		if c.Currency == g.Currency {
			color = c.Color
		}
	}
	g.TopUser = barChart("Top users on "+g.Day+", "+g.Currency, rows, 620, color)
	return nil
}

// busiest is the currency with the most transactions on the latest day
// among those ranked on g.Day (the first ranked one otherwise).
func busiest[V any](g *goldDashboard, ranked map[string]V) string {
	best, most := "", int64(-1)
	for _, c := range g.Currencies {
		if _, ok := ranked[c.Currency]; ok && c.Tx > most {
			best, most = c.Currency, c.Tx
		}
	}
	if best == "" && len(g.DayCurs) > 0 {
		best = g.DayCurs[0]
	}
	return best
}

// scanTable reads columns of a table's latest snapshot; a table that does
// not exist yet reads as empty.
func (s *server) scanTable(ctx context.Context, name string, cols []string, filter func(map[string]string) bool, fn func(delta.Row) error) error {
	if name == "" { // the wiring named no such table
		return nil
	}
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
