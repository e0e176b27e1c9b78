package check

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/tasks/aggregate"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/money"
	"github.com/shopspring/decimal"
)

// group is the grain at which Gold must add up to Silver.
type group struct {
	date     string
	currency string
}

type totals struct {
	count int64
	sum   money.Sum
}

// goldTables are the Gold tables with their column names: all three have
// event_date, currency, total_amount and tx_count.
var goldTables = []struct {
	name  string
	table func(*lake.Lake) *delta.Table
}{
	{lake.GoldDailyUserMetrics, func(l *lake.Lake) *delta.Table { return l.UserMetrics }},
	{lake.GoldDailyUserRanking, func(l *lake.Lake) *delta.Table { return l.UserRanking }},
	{lake.GoldDailyCurrencySummary, func(l *lake.Lake) *delta.Table { return l.CurrencySummary }},
}

// checkGold compares each Gold table with Silver at the version the table
// says it was computed from (its txn): that holds at every instant, also
// while aggregate lags behind or after it crashed between two tables.
func checkGold(ctx context.Context, l *lake.Lake, r *Report) error {
	silver, err := l.Silver.Snapshot(ctx)
	if err != nil {
		return fmt.Errorf("check: read silver: %w", err)
	}
	silverSums := map[int64]map[group]*totals{} // by Silver version
	for _, g := range goldTables {
		snap, err := g.table(l).Snapshot(ctx)
		if err != nil {
			return fmt.Errorf("check: read %s: %w", g.name, err)
		}
		v := txn(snap, aggregate.AppID)
		if v != silver.Version() {
			r.note("%s reflects silver version %d of %d", g.name, v, silver.Version())
		}
		want, ok := silverSums[v]
		if !ok {
			s, err := snapshotAt(ctx, l.Silver, v)
			if err != nil {
				return fmt.Errorf("check: read silver version %d: %w", v, err)
			}
			if want, _, err = sums(ctx, s, "amount", ""); err != nil {
				return fmt.Errorf("check: read silver: %w", err)
			}
			silverSums[v] = want
		}
		got, rows, err := sums(ctx, snap, "total_amount", "tx_count")
		if err != nil {
			return fmt.Errorf("check: read %s: %w", g.name, err)
		}
		r.Rows[g.name] = rows
		compare(g.name, v, want, got, r)
	}
	return nil
}

// sums totals a table per (event_date, currency) and counts its rows; with
// countCol "" each row counts as one transaction.
func sums(ctx context.Context, s *delta.Snapshot, sumCol, countCol string) (map[group]*totals, int64, error) {
	out := map[group]*totals{}
	if s == nil {
		return out, 0, nil
	}
	var rows int64
	cols := []string{"event_date", "currency", sumCol}
	if countCol != "" {
		cols = append(cols, countCol)
	}
	err := s.ScanColumns(ctx, cols, nil, func(row delta.Row) error {
		d, ok1 := row[0].(time.Time)
		c, ok2 := row[1].(string)
		amount, ok3 := row[2].(decimal.Decimal)
		if !ok1 || !ok2 || !ok3 {
			return fmt.Errorf("row with a null or mistyped event_date, currency or %s: %v", sumCol, row)
		}
		rows++
		k := group{lake.DateString(d), c}
		t := out[k]
		if t == nil {
			t = &totals{}
			out[k] = t
		}
		if err := t.sum.AddDecimal(amount); err != nil {
			return err
		}
		if countCol == "" {
			t.count++
		} else if n, ok := row[3].(int64); ok {
			t.count += n
		} else {
			return fmt.Errorf("row with a null %s: %v", countCol, row)
		}
		return nil
	})
	return out, rows, err
}

// compare reports every (date, currency) whose Gold totals differ from
// Silver's, in date order.
func compare(name string, silverVersion int64, want, got map[group]*totals, r *Report) {
	keys := make([]group, 0, len(want)+len(got))
	for k := range want {
		keys = append(keys, k)
	}
	for k := range got {
		if want[k] == nil {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b group) int {
		if c := strings.Compare(a.date, b.date); c != 0 {
			return c
		}
		return strings.Compare(a.currency, b.currency)
	})
	zero := &totals{}
	for _, k := range keys {
		w, g := want[k], got[k]
		if w == nil {
			w = zero
		}
		if g == nil {
			g = zero
		}
		if w.count != g.count || !w.sum.Equal(g.sum) {
			r.violation("%s %s %s: %d transactions totalling %s, but silver version %d has %d totalling %s",
				name, k.date, k.currency, g.count, g.sum.Decimal().StringFixed(2), silverVersion, w.count, w.sum.Decimal().StringFixed(2))
		}
	}
}
