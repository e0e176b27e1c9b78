package medallion

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/tasks/lake"
)

// Summary is what a person (or a script) wants to know about a lake after a
// run: how many rows each table holds, why records were rejected, and the
// Gold totals per day and currency.
type Summary struct {
	Rows             map[string]int64 `json:"rows"`
	RejectedByReason map[string]int64 `json:"rejected_by_reason"`
	CurrencyTotals   []CurrencyTotal  `json:"gold_currency_totals"`
}

// CurrencyTotal is one row of gold/daily_currency_summary. Amounts are
// decimal strings so that JSON consumers never see a float.
type CurrencyTotal struct {
	EventDate   string `json:"event_date"`
	Currency    string `json:"currency"`
	TxCount     int64  `json:"tx_count"`
	TotalAmount string `json:"total_amount"`
	UniqueUsers int64  `json:"unique_users"`
}

// Summarize reads the lake's current state.
func Summarize(ctx context.Context, l *lake.Lake) (Summary, error) {
	s := Summary{Rows: map[string]int64{}, RejectedByReason: map[string]int64{}, CurrencyTotals: []CurrencyTotal{}}
	tables := map[string]*delta.Table{
		lake.BronzeTransactions: l.Bronze, lake.SilverTransactions: l.Silver, lake.SilverRejected: l.Rejected,
		lake.GoldDailyUserMetrics: l.UserMetrics, lake.GoldDailyUserRanking: l.UserRanking,
		lake.GoldDailyCurrencySummary: l.CurrencySummary,
	}
	for name, t := range tables {
		snap, err := t.Snapshot(ctx)
		if err != nil {
			return s, fmt.Errorf("read %s: %w", name, err)
		}
		var n int64
		for _, f := range snap.Files() {
			if k := f.NumRecords(); k >= 0 {
				n += k
				continue
			}
			n = -1 // a file without stats: count by reading
			break
		}
		if n < 0 || name == lake.SilverRejected || name == lake.GoldDailyCurrencySummary {
			if n, err = scanTable(ctx, name, snap, &s); err != nil {
				return s, err
			}
		}
		s.Rows[name] = n
	}
	slices.SortFunc(s.CurrencyTotals, func(a, b CurrencyTotal) int {
		if c := strings.Compare(a.EventDate, b.EventDate); c != 0 {
			return c
		}
		return strings.Compare(a.Currency, b.Currency)
	})
	return s, nil
}

// scanTable counts a table's rows, collecting the reasons of rejected and
// the rows of the currency summary on the way.
func scanTable(ctx context.Context, name string, snap *delta.Snapshot, s *Summary) (int64, error) {
	var n int64
	err := snap.Scan(ctx, nil, func(r delta.Row) error {
		n++
		switch name {
		case lake.SilverRejected:
			reason, _ := r[lake.RejectedReason].(string)
			s.RejectedByReason[reason]++
		case lake.GoldDailyCurrencySummary:
			date, _ := r[lake.SummaryEventDate].(time.Time)
			currency, _ := r[lake.SummaryCurrency].(string)
			count, _ := r[lake.SummaryTxCount].(int64)
			total, _ := r[lake.SummaryTotalAmount].(decimal.Decimal)
			users, _ := r[lake.SummaryUniqueUsers].(int64)
			s.CurrencyTotals = append(s.CurrencyTotals, CurrencyTotal{
				EventDate: lake.DateString(date), Currency: currency, TxCount: count,
				TotalAmount: total.StringFixed(2), UniqueUsers: users,
			})
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", name, err)
	}
	return n, nil
}
