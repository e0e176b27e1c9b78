package aggregate

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/shopspring/decimal"
)

var day0 = time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)

func openLake(t *testing.T) *lake.Lake {
	l, err := lake.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// reopen opens l's directory afresh, as a restarted worker does: no state
// kept in step with the tables.
func reopen(t *testing.T, l *lake.Lake) *lake.Lake {
	t.Helper()
	fresh, err := lake.Open(l.Dir)
	if err != nil {
		t.Fatal(err)
	}
	return fresh
}

func silverRow(id, user, currency, amount string, eventTime time.Time) delta.Row {
	return delta.Row{id, user, decimal.RequireFromString(amount), currency, nil, nil, nil, nil, "approved",
		eventTime, int32(0), int64(0), eventTime, lake.Date(eventTime)}
}

func appendSilver(t *testing.T, l *lake.Lake, rows ...delta.Row) {
	t.Helper()
	if _, err := l.Silver.Append(context.Background(), rows, delta.CommitOptions{}); err != nil {
		t.Fatal(err)
	}
}

func runAgg(t *testing.T, l *lake.Lake, opts Options) Result {
	t.Helper()
	res, err := Run(context.Background(), l, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func readAll(t *testing.T, tb *delta.Table) []delta.Row {
	t.Helper()
	return testenv.TableRows(t, tb)
}

type dc struct {
	date     string
	currency string
}

// TestGoldSumsAreExact checks Gold against totals the test computes on its
// own with decimal.Decimal, over amounts whose float64 sums would drift.
func TestGoldSumsAreExact(t *testing.T) {
	t.Parallel()
	l := openLake(t)
	r := rand.New(rand.NewPCG(1, 2))
	want := map[dc]decimal.Decimal{}
	wantCount := map[dc]int64{}
	users := map[dc]map[string]bool{}
	for batch := 0; batch < 3; batch++ {
		var rows []delta.Row
		for i := 0; i < 2000; i++ {
			cents := r.Int64N(100_000_000_00) + 1
			amount := decimal.New(cents, -2).String()
			et := day0.Add(time.Duration(r.IntN(72)) * time.Hour)
			cur := []string{"EUR", "USD", "JPY"}[r.IntN(3)]
			user := fmt.Sprint("u", r.IntN(50))
			rows = append(rows, silverRow(fmt.Sprint(batch, "-", i), user, cur, amount, et))
			k := dc{lake.DateString(et), cur}
			want[k] = want[k].Add(decimal.RequireFromString(amount))
			wantCount[k]++
			if users[k] == nil {
				users[k] = map[string]bool{}
			}
			users[k][user] = true
		}
		appendSilver(t, l, rows...)
		runAgg(t, l, Options{})
		if batch == 1 {
			l = reopen(t, l) // a restarted worker rebuilds its totals from Silver
		}
	}
	got := map[dc]decimal.Decimal{}
	for _, row := range readAll(t, l.CurrencySummary) {
		k := dc{lake.DateString(row[lake.SummaryEventDate].(time.Time)), row[lake.SummaryCurrency].(string)}
		got[k] = row[lake.SummaryTotalAmount].(decimal.Decimal)
		if n := row[lake.SummaryTxCount].(int64); n != wantCount[k] {
			t.Errorf("%v: tx_count %d, want %d", k, n, wantCount[k])
		}
		if n := row[lake.SummaryUniqueUsers].(int64); n != int64(len(users[k])) {
			t.Errorf("%v: unique_users %d, want %d", k, n, len(users[k]))
		}
	}
	if len(got) != len(want) {
		t.Fatalf("summary has %d (date, currency) rows, want %d", len(got), len(want))
	}
	for k, w := range want {
		if !got[k].Equal(w) {
			t.Errorf("%v: total %s, want %s", k, got[k], w)
		}
	}
	// The per-user metrics add up to the same totals.
	perUser := map[dc]decimal.Decimal{}
	for _, row := range readAll(t, l.UserMetrics) {
		k := dc{lake.DateString(row[lake.MetricsEventDate].(time.Time)), row[lake.MetricsCurrency].(string)}
		perUser[k] = perUser[k].Add(row[lake.MetricsTotalAmount].(decimal.Decimal))
	}
	for k, w := range want {
		if !perUser[k].Equal(w) {
			t.Errorf("%v: user metrics sum to %s, want %s", k, perUser[k], w)
		}
	}
}

func TestMetricsAndRanking(t *testing.T) {
	t.Parallel()
	l := openLake(t)
	at := day0.Add(9 * time.Hour)
	appendSilver(t, l,
		silverRow("1", "bob", "EUR", "0.01", at),
		silverRow("2", "bob", "EUR", "0.02", at), // avg 0.015 → 0.02 (half-even)
		silverRow("3", "amy", "EUR", "0.03", at), // ties bob: amy ranks first
		silverRow("4", "cat", "EUR", "10.00", at),
		silverRow("5", "cat", "USD", "1.00", at), // another currency, never mixed
	)
	runAgg(t, l, Options{})
	m := map[string]delta.Row{}
	for _, r := range readAll(t, l.UserMetrics) {
		m[r[lake.MetricsUserID].(string)+"/"+r[lake.MetricsCurrency].(string)] = r
	}
	bob := m["bob/EUR"]
	if bob[lake.MetricsTxCount].(int64) != 2 || bob[lake.MetricsAvgAmount].(decimal.Decimal).String() != "0.02" ||
		bob[lake.MetricsMinAmount].(decimal.Decimal).String() != "0.01" || bob[lake.MetricsMaxAmount].(decimal.Decimal).String() != "0.02" {
		t.Errorf("bob/EUR metrics = %v", bob)
	}
	var ranking []string
	rows := readAll(t, l.UserRanking)
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a[lake.RankingCurrency] != b[lake.RankingCurrency] {
			return a[lake.RankingCurrency].(string) < b[lake.RankingCurrency].(string)
		}
		return a[lake.RankingRank].(int32) < b[lake.RankingRank].(int32)
	})
	for _, r := range rows {
		ranking = append(ranking, fmt.Sprintf("%s#%d:%s", r[lake.RankingCurrency], r[lake.RankingRank], r[lake.RankingUserID]))
	}
	if got, want := fmt.Sprint(ranking), "[EUR#1:cat EUR#2:amy EUR#3:bob USD#1:cat]"; got != want {
		t.Errorf("ranking %s, want %s", got, want)
	}
}

func TestOnlyChangedDatesAreRecomputedAndRerunIsNoOp(t *testing.T) {
	t.Parallel()
	l := openLake(t)
	appendSilver(t, l, silverRow("1", "a", "EUR", "1", day0), silverRow("2", "a", "EUR", "2", day0.AddDate(0, 0, 1)))
	res := runAgg(t, l, Options{})
	if len(res.Dates) != 2 {
		t.Fatalf("first run dates %v", res.Dates)
	}
	// Late data for the first day only.
	appendSilver(t, l, silverRow("3", "b", "EUR", "5", day0.Add(time.Hour)))
	res = runAgg(t, l, Options{})
	if len(res.Dates) != 1 || !res.Dates[0].Equal(day0) || res.SilverRows != 2 {
		t.Fatalf("second run %+v", res)
	}
	versions := func() (v [3]int64) {
		for i, tb := range []*delta.Table{l.UserMetrics, l.UserRanking, l.CurrencySummary} {
			s, _ := tb.Snapshot(context.Background())
			v[i] = s.Version()
		}
		return v
	}
	before := versions()
	if res := runAgg(t, l, Options{}); len(res.Rows) != 0 {
		t.Fatalf("rerun wrote %v", res.Rows)
	}
	if versions() != before {
		t.Fatal("rerun committed")
	}
	// An explicit refresh rewrites the date with the same content.
	res = runAgg(t, l, Options{Dates: []time.Time{day0.Add(5 * time.Hour)}})
	if res.Rows[lake.GoldDailyCurrencySummary] != 1 {
		t.Fatalf("refresh %+v", res)
	}
	var total decimal.Decimal
	for _, r := range readAll(t, l.CurrencySummary) {
		total = total.Add(r[lake.SummaryTotalAmount].(decimal.Decimal))
	}
	if total.String() != "8" {
		t.Fatalf("total after refresh %s", total)
	}
}

// TestDatesOutsideTheWindowStayExact: the follower keeps only recent days;
// an older day that changes or is rebuilt is computed from its partition.
func TestDatesOutsideTheWindowStayExact(t *testing.T) {
	t.Parallel()
	l := openLake(t)
	old, recent := day0, day0.AddDate(0, 0, DefaultWindowDays+5)
	appendSilver(t, l, silverRow("1", "a", "EUR", "1.10", old), silverRow("2", "a", "EUR", "2.20", recent))
	runAgg(t, l, Options{})
	appendSilver(t, l, silverRow("3", "b", "EUR", "3.30", old.Add(time.Hour))) // late data for the old day
	res := runAgg(t, l, Options{})
	if len(res.Dates) != 1 || !res.Dates[0].Equal(old) {
		t.Fatalf("dates %v", res.Dates)
	}
	runAgg(t, l, Options{Dates: []time.Time{old}}) // a rebuild of the old day
	totals := map[string]string{}
	for _, r := range readAll(t, l.CurrencySummary) {
		totals[lake.DateString(r[lake.SummaryEventDate].(time.Time))] = r[lake.SummaryTotalAmount].(decimal.Decimal).String()
	}
	if totals[lake.DateString(old)] != "4.4" || totals[lake.DateString(recent)] != "2.2" {
		t.Fatalf("totals %v", totals)
	}
}
