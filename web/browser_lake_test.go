package web_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/shopspring/decimal"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/web"
)

// The lake page with 14 currencies fits on a screen or two, whether Gold
// holds one day or many (issue 13: one day drew 14 one-bar charts, 5,000 px).
func TestBrowserLakePageFitsAtAGlance(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	curs := []string{"AUD", "BRL", "CAD", "CHF", "CNY", "EUR", "GBP", "HKD", "INR", "JPY", "MXN", "SEK", "SGD", "USD"}
	for _, days := range []int{1, 10} {
		dir := filepath.Join(t.TempDir(), "dev", "lake")
		l, err := lake.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		var summary, ranking []delta.Row
		for d := range days {
			day := time.Date(2026, 11, 20+d, 0, 0, 0, 0, time.UTC)
			for i, cur := range curs {
				n := int64(40 + 13*i + 7*d)
				summary = append(summary, delta.Row{cur, n, decimal.New(n*5123, -2), n / 2, day})
				for r := int32(1); r <= 10; r++ {
					ranking = append(ranking, delta.Row{cur, r, fmt.Sprintf("user_%s_%d", cur, r), decimal.New(int64(1000-r*50), 0), int64(3), day})
				}
			}
		}
		if _, err := l.CurrencySummary.Append(context.Background(), summary, delta.CommitOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := l.UserRanking.Append(context.Background(), ranking, delta.CommitOptions{}); err != nil {
			t.Fatal(err)
		}
		h := newHarness(t, false, func(o *web.Options) { withLake(o, dir) })
		if days == 1 { // the cookie stays valid for the second server: same host and token
			login(t, ctx, h.srv.URL)
		}
		step(t, ctx, "lake page", 20*time.Second, chromedp.Navigate(h.srv.URL+"/lake"), chromedp.WaitVisible(css("#volume svg")))
		height := read(t, ctx, "page height", chromedp.Evaluate[int](`document.documentElement.scrollHeight`))
		charts := read(t, ctx, "charts", chromedp.Evaluate[int](`document.querySelectorAll("svg.chart").length`))
		rows := read(t, ctx, "currency rows", chromedp.Evaluate[int](`document.querySelectorAll("#currencies tbody tr").length`))
		snapshot(t, ctx, fmt.Sprintf("lake-%dd", days))
		if charts != 2 || rows != len(curs) || height > 2400 {
			t.Errorf("%d day(s): %d charts, %d currency rows, page %d px tall; want 2 charts, %d rows, at most 2400 px", days, charts, rows, height, len(curs))
		}
	}
}
