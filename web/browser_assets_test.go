package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// In the browser: the Assets link opens the assets page, an asset opens
// its events, and an event leads to the run it triggered and to the run
// that emitted it. The hostile extra shows as text and runs nothing.
func TestBrowserAssetsPageFollowsAnEventToItsRuns(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	h := newHarnessWith(t, assetRegistry(t), true)
	st := runAssetStory(t, h)
	loginUntil(t, ctx, h.srv.URL, "#dag-producer")

	step(t, ctx, "the Assets link opens the assets page", 20*time.Second,
		chromedp.Click(css(`header a[href="/assets"]`)),
		chromedp.WaitVisible(css(`tr.asset[data-asset="lake/orders"]`)),
	)
	snapshot(t, ctx, "assets")
	step(t, ctx, "open the table asset", 20*time.Second,
		chromedp.Click(css(`tr.asset[data-asset="lake/orders"] a.asset-link`)),
		chromedp.WaitVisible(css("#events tr.event")),
	)
	if n := read(t, ctx, "events", chromedp.Evaluate[int](`document.querySelectorAll("#events tr.event").length`)); n != 2 {
		t.Fatalf("the asset page shows %d events, want 2", n)
	}
	extra := read(t, ctx, "extra", chromedp.Text(css("#events tr.event pre.extra")))
	scripts := read(t, ctx, "scripts", chromedp.Evaluate[int](`document.querySelectorAll("main script, main img").length`))
	if !strings.Contains(extra, `<script>alert(`) || scripts != 0 {
		t.Fatalf("the newest event's extra shows %q; %d script/img elements in the page", extra, scripts)
	}
	snapshot(t, ctx, "asset")

	step(t, ctx, "follow the event to the run it triggered", 20*time.Second,
		chromedp.Click(css("#events tr.event a.ev-triggered")),
		chromedp.WaitVisible(css(`#run-state[data-state="success"]`)),
		chromedp.WaitVisible(css("#run-events tr.event")),
	)
	if loc := read(t, ctx, "location", chromedp.Location()); !strings.Contains(loc, "/dags/consumer/runs/") {
		t.Fatalf("the triggered run's link led to %s", loc)
	}
	snapshot(t, ctx, "asset-triggered-run")

	step(t, ctx, "and from the run's event to the run that emitted it", 20*time.Second,
		chromedp.Click(css("#run-events tr.event a.ev-run")),
		chromedp.WaitVisible(css(`#run-state[data-state="success"]`)),
	)
	loc := read(t, ctx, "location", chromedp.Location())
	if !strings.Contains(loc, "/dags/producer/runs/") || !(strings.Contains(loc, st.producerRuns[0]) || strings.Contains(loc, st.producerRuns[1])) {
		t.Fatalf("the source run's link led to %s", loc)
	}
}
