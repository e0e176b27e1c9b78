package web_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Issue 13's UI items, in the browser: the pause toggle is a switch that
// posts its form, times say UTC, the grid has a legend, the backfill list
// picks up a backfill started elsewhere, the cancel dialog says what
// happens to runs that exist, and the "API" link opens a rendered
// reference, not raw JSON.
func TestBrowserUIToggleLegendBackfillsAPIReference(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	h := newHarness(t, false)
	base := h.srv.URL
	login(t, ctx, base)

	if on := read(t, ctx, "toggle", chromedp.AttributeValue(css("#pause-idle"), "aria-checked")); on.Value != "true" {
		t.Fatalf("idle's toggle: aria-checked %q, want true (unpaused)", on.Value)
	}
	step(t, ctx, "click the toggle: the DAG pauses", 20*time.Second,
		chromedp.Click(css("#pause-idle")),
		chromedp.WaitVisible(css(`#pause-idle[aria-checked="false"]`)),
	)
	var dag struct {
		IsPaused bool `json:"is_paused"`
	}
	h.json("GET", "/api/v1/dags/idle", "", 200, &dag)
	if !dag.IsPaused {
		t.Fatal("the toggle did not pause the DAG")
	}
	h.json("POST", "/api/v1/dags/idle/runs", `{"logical_date": "2024-05-01T00:00:00Z"}`, 201, nil)
	step(t, ctx, "DAGs page with a run", 10*time.Second, chromedp.Navigate(base+"/dags"), chromedp.WaitVisible(css("#dag-idle .legend, #dagsLive .legend")))
	if txt := read(t, ctx, "last run", chromedp.Text(css("#dag-idle"))); !strings.Contains(txt, "2024-05-01 00:00:00 UTC") {
		t.Fatalf("the last run's time has no zone: %q", txt)
	}
	snapshot(t, ctx, "dags-toggle")

	step(t, ctx, "DAG page", 10*time.Second, chromedp.Navigate(base+"/dags/idle"), chromedp.WaitVisible(css("#gridLive")))
	legend := read(t, ctx, "legend", chromedp.Text(css(".legend")))
	for _, s := range []string{"success", "failed", "up_for_retry", "upstream_failed", "skipped", "queued", "UTC"} {
		if !strings.Contains(legend, s) {
			t.Errorf("the grid's legend lacks %q: %q", s, legend)
		}
	}
	// A backfill started from the API while the page is open appears on it.
	h.json("POST", "/api/v1/backfills", `{"dag_id": "idle", "from_date": "2024-01-01", "to_date": "2024-01-03"}`, 201, nil)
	step(t, ctx, "the backfill list refreshes by itself", 20*time.Second, chromedp.WaitVisible(css("#backfillsLive .bf-running")))
	confirm := read(t, ctx, "cancel dialog", chromedp.AttributeValue(css(`#backfillsLive form[data-confirm]`), "data-confirm"))
	if strings.Contains(confirm.Value, "will not be created") || !strings.Contains(confirm.Value, "queued runs") {
		t.Errorf("cancel dialog: %q", confirm.Value)
	}
	snapshot(t, ctx, "dag-legend-backfill")

	step(t, ctx, "the API link opens the reference", 30*time.Second,
		chromedp.Click(css(`header a[href="/api"]`)),
		chromedp.WaitVisible(css(".api-content")),
		ignore(chromedp.Poll[bool](`document.body.innerText.includes("Trigger a run")`, chromedp.WithPollingTimeout(20*time.Second))),
	)
	snapshotViewport(t, ctx, "api-reference")
}

// The favicon is served (it was a 404 on every page), and pages link it.
func TestFaviconIsServed(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	for _, path := range []string{"/favicon.ico", "/static/favicon.svg"} {
		resp, err := http.Get(h.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/svg+xml" {
			t.Errorf("GET %s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	resp, err := http.Get(h.srv.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	_, _ = io.Copy(&b, resp.Body)
	if !strings.Contains(b.String(), `rel="icon" href="/static/favicon.svg"`) {
		t.Error("the login page does not link the favicon")
	}
}
