package web_test

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/internal/reference"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/medallion"
	"github.com/finpipe/finpipe/web"
)

// withLake points the server at the lake in dir with the pipeline's table
// layout, as cmd wires it.
func withLake(o *web.Options, dir string) {
	o.LakeDir = dir
	for _, s := range lake.Specs() {
		o.Lake.Tables = append(o.Lake.Tables, s.Name)
	}
	o.Lake.Summary = web.SummaryTable{Name: lake.GoldDailyCurrencySummary,
		EventDate: "event_date", Currency: "currency", TxCount: "tx_count", TotalAmount: "total_amount", UniqueUsers: "unique_users"}
	o.Lake.Ranking = web.RankingTable{Name: lake.GoldDailyUserRanking,
		EventDate: "event_date", Currency: "currency", Rank: "rank", UserID: "user_id", TotalAmount: "total_amount"}
}

// The lake page counts a table's live rows: a deletion vector's rows are
// gone though the file's stats still count them. Spark's table after a
// DELETE holds 2,720 rows.
func TestLakePageCountsRowsWithoutDeletedOnes(t *testing.T) {
	t.Parallel()
	dir := reference.Need(t, "delta/spark/deletion_vectors")
	dir = filepath.Dir(dir)
	h := newHarness(t, false, func(o *web.Options) {
		o.LakeDir = dir
		o.Lake.Tables = []string{"deletion_vectors/delta"}
	})
	c := browserClient(t)
	uiLogin(t, c, h.srv.URL, "/lake")
	resp, err := c.Get(h.srv.URL + "/lake?fragment=lakeLive")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := `id="table-deletion_vectors/delta" data-version="4" data-rows="2720"`; !strings.Contains(string(b), want) {
		t.Errorf("lake page lacks %q:\n%s", want, b)
	}
}

// The lake page lists each table's version, files and rows, Kafka lag from
// Bronze's txn positions, and draws the Gold charts from the Gold tables.
func TestLakePageShowsTablesLagAndCharts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "dev", "lake")
	l, err := lake.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)
	amount := func(s string) decimal.Decimal { return decimal.RequireFromString(s) }
	summary := []delta.Row{
		{"EUR", int64(3), amount("1234.56"), int64(2), day},
		{"USD", int64(1), amount("99.99"), int64(1), day},
		{"EUR", int64(1), amount("10.00"), int64(1), day.AddDate(0, 0, -1)},
	}
	if _, err := l.CurrencySummary.Append(ctx, summary, delta.CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	ranking := []delta.Row{
		{"EUR", int32(1), "user_big", amount("1000.00"), int64(2), day},
		{"EUR", int32(2), "user_<small>", amount("234.56"), int64(1), day},
		{"USD", int32(1), "user_usd", amount("99.99"), int64(1), day},
	}
	if _, err := l.UserRanking.Append(ctx, ranking, delta.CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	bronze := []delta.Row{lake.BronzeRow("transactions", 0, 41, day, nil, []byte(`{}`), day)}
	if _, err := l.Bronze.Append(ctx, bronze, delta.CommitOptions{Txns: []delta.Txn{{AppID: "ingest-transactions-0", Version: 41}}}); err != nil {
		t.Fatal(err)
	}

	h := newHarness(t, false, func(o *web.Options) {
		withLake(o, dir)
		o.KafkaLag = func(ctx context.Context) ([]web.PartitionLag, error) {
			snap, err := l.Bronze.Snapshot(ctx)
			if err != nil {
				return nil, err
			}
			var out []web.PartitionLag
			low, high := map[int32]int64{0: 0, 1: 2}, map[int32]int64{0: 50, 1: 7}
			for _, p := range medallion.Positions(snap, "transactions", low, high) {
				out = append(out, web.PartitionLag{Partition: p.Partition, HighWatermark: p.High, Ingested: p.Next, Lag: p.Lag})
			}
			return out, nil
		}
	})
	c := browserClient(t)
	uiLogin(t, c, h.srv.URL, "/lake")
	resp, err := c.Get(h.srv.URL + "/lake")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(b)
	for _, want := range []string{
		`id="table-gold/daily_currency_summary" data-version="1" data-rows="3"`,
		`id="lag-0"><td>0</td><td>50</td><td>42</td><td>8</td>`, // 50 - (41 + 1)
		`id="lag-1"><td>1</td><td>7</td><td>2</td><td>5</td>`,   // nothing ingested yet: counted from the low watermark
		// one chart for every currency and day, a row of exact amounts per currency
		`id="volume"`, `id="currency-EUR"`, `id="currency-USD"`, `<td class="num">1234.56</td>`, `<td class="num">1244.56</td>`,
		`id="latest-tx">4<`,                                     // 3 EUR + 1 USD on the latest day
		`user_big`, `user_&lt;small&gt;`, `1000.00 EUR`, `<svg`, // the busiest currency's ranking, escaped labels
	} {
		if !strings.Contains(page, want) {
			t.Errorf("lake page lacks %q", want)
		}
	}
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	// One chart for the volume, not one per currency (issue 13: 14 charts
	// of one bar each, 5,000 px tall), and one ranking at a time.
	if n := strings.Count(page, `<svg class="chart"`); n != 2 {
		t.Errorf("the page draws %d charts, want 2 (volume, top users)", n)
	}
	if strings.Contains(page, "user_usd") {
		t.Error("the USD ranking is drawn though EUR was the busiest currency")
	}
	resp, err = c.Get(h.srv.URL + "/lake?day=2024-05-02&currency=USD")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "user_usd") || strings.Contains(string(b), "user_big") {
		t.Error("?currency=USD does not show the USD ranking alone")
	}

	// The page's poll sees a new commit.
	if _, err := l.CurrencySummary.Append(ctx, summary[:1], delta.CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	resp, err = c.Get(h.srv.URL + "/lake?fragment=lakeLive")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `id="table-gold/daily_currency_summary" data-version="2" data-rows="4"`) {
		t.Errorf("poll after a commit:\n%s", b)
	}
}
