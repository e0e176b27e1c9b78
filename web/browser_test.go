package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Browser tests drive the real pages in headless Chromium. They need a
// Chromium binary (Debian: apt-get install -y chromium); without one they
// skip, saying so.

// findChromium returns FINPIPE_CHROMIUM, or the first browser on PATH.
func findChromium() string {
	if p := os.Getenv("FINPIPE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newBrowser starts a headless Chromium with a fresh profile; the flags keep
// it from reaching for the network (update checks, QUIC), which a closed CI
// network would refuse.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := findChromium()
	if path == "" {
		t.Skip("browser tests skipped: no chromium binary found (apt-get install -y chromium, or set FINPIPE_CHROMIUM)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser, without a deadline
		t.Fatalf("start chromium %s: %v", path, err)
	}
	return ctx
}

// step runs browser actions with a deadline, failing the test with what
// the page shows when they do not complete.
func step(t *testing.T, ctx context.Context, what string, timeout time.Duration, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		failWithPage(t, ctx, what, err)
	}
}

// read runs one action that returns a value.
func read[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(sctx, a)
	if err != nil {
		failWithPage(t, ctx, what, err)
	}
	return v
}

func failWithPage(t *testing.T, ctx context.Context, what string, err error) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	url, _ := chromedp.Run(sctx, chromedp.Location())
	text, _ := chromedp.Run(sctx, chromedp.Text(chromedp.CSS("main")))
	if len(text) > 1500 {
		text = text[:1500]
	}
	t.Fatalf("%s: %v\nat %s:\n%s", what, err, url, text)
}

func css(sel string) chromedp.CSS { return chromedp.CSS(sel) }

// snapshot saves a full-page PNG to $FINPIPE_SCREENSHOTS/<name>.png when
// that variable is set: a way to look at the pages a test went through.
func snapshot(t *testing.T, ctx context.Context, name string) {
	saveShot(t, ctx, name, chromedp.FullScreenshot(100))
}

// snapshotViewport is snapshot for pages too long to save whole (the API
// reference is ~22,000 px): what the first screen shows.
func snapshotViewport(t *testing.T, ctx context.Context, name string) {
	saveShot(t, ctx, name, chromedp.CaptureScreenshot())
}

func saveShot(t *testing.T, ctx context.Context, name string, shot chromedp.Action[[]byte]) {
	dir := os.Getenv("FINPIPE_SCREENSHOTS")
	if dir == "" {
		return
	}
	png := read(t, ctx, "screenshot", shot)
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Log(err)
	}
}

func login(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	loginUntil(t, ctx, base, "#dag-flaky")
}

// loginUntil logs in and waits for sel on the DAGs page (a DAG of the
// test's registry).
func loginUntil(t *testing.T, ctx context.Context, base, sel string) {
	t.Helper()
	step(t, ctx, "log in", 20*time.Second,
		chromedp.Navigate(base+"/dags"),
		chromedp.WaitVisible(css("#token")), // redirected to the login form
		chromedp.SendKeys(css("#token"), testToken),
		chromedp.Click(css("#login")),
		chromedp.WaitVisible(css(sel)),
	)
}

func TestBrowserLoginRejectsAWrongToken(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	h := newHarness(t, false)
	step(t, ctx, "wrong token", 20*time.Second,
		chromedp.Navigate(h.srv.URL+"/dags"),
		chromedp.WaitVisible(css("#token")),
		chromedp.SendKeys(css("#token"), "not-the-token"),
		chromedp.Click(css("#login")),
		chromedp.WaitVisible(css("#error")),
	)
	if flash := read(t, ctx, "flash", chromedp.Text(css("#error"))); !strings.Contains(flash, "Wrong token") {
		t.Fatalf("flash %q", flash)
	}
}

// The story, in the browser: log in, trigger a run and watch it
// finish without reloading, see the retried task's attempts and the failed
// attempt's log, clear the task and watch it run again, then backfill with
// a dry run first and watch the backfill complete.
func TestBrowserOperatorStory(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	h := newHarness(t, true)
	base := h.srv.URL
	login(t, ctx, base)

	step(t, ctx, "trigger flaky and watch the run succeed", 40*time.Second,
		chromedp.Click(css("#trigger-flaky")),
		chromedp.WaitVisible(css("#run-state")),
		chromedp.WaitVisible(css(`#run-state[data-state="success"]`)),
	)
	snapshot(t, ctx, "run")

	step(t, ctx, "open the retried task: two attempts, the first failed", 20*time.Second,
		chromedp.Click(css("#ti-extract a")),
		chromedp.WaitVisible(css(`tr.attempt[data-try="2"][data-state="success"]`)),
		chromedp.WaitVisible(css(`tr.attempt[data-try="1"][data-state="failed"]`)),
	)
	firstErr := read(t, ctx, "first attempt's error", chromedp.Text(css(`tr.attempt[data-try="1"] .error-text`)))
	step(t, ctx, "open the first attempt's log", 20*time.Second,
		chromedp.Click(css("#log-link-1")),
		chromedp.WaitVisible(css("#log")),
	)
	logText := read(t, ctx, "log", chromedp.Text(css("#log")))
	snapshot(t, ctx, "task")
	if !strings.Contains(firstErr, "source not ready") || !strings.Contains(logText, "source not ready") {
		t.Fatalf("first attempt error %q, log %q", firstErr, logText)
	}

	step(t, ctx, "clear the task and watch it run again", 40*time.Second,
		chromedp.Click(css("#clear-task")),
		chromedp.WaitVisible(css("#flash")),
		chromedp.WaitVisible(css(`tr.attempt[data-try="3"][data-state="success"]`)),
		chromedp.WaitVisible(css(`#task-state[data-state="success"]`)),
	)

	step(t, ctx, "backfill: dry run first", 20*time.Second,
		chromedp.Navigate(base+"/dags/flaky"),
		chromedp.WaitVisible(css(`.grid a.cell[data-try="3"]`)), // retries visible in the grid
		chromedp.SendKeys(css("#bf-from"), "2024-03-01"),
		chromedp.SendKeys(css("#bf-to"), "2024-03-07"),
		chromedp.Click(css("#bf-dry-run")),
		chromedp.WaitVisible(css("#bf-preview")),
	)
	if n := read(t, ctx, "preview", chromedp.Evaluate[int](`document.querySelectorAll("#bf-preview li.bf-date").length`)); n != 7 {
		t.Fatalf("dry run previews %d dates, want 7", n)
	}
	snapshot(t, ctx, "dag-dry-run")
	step(t, ctx, "start the backfill and watch it complete", 90*time.Second,
		chromedp.Click(css("#bf-start")),
		chromedp.WaitVisible(css("#flash")),
		chromedp.WaitVisible(css(`#backfillsLive .bf-completed`)),
	)
	if p := read(t, ctx, "progress", chromedp.Text(css(`#backfillsLive .bf-progress`))); !strings.Contains(p, "7 / 7") {
		t.Fatalf("progress %q", p)
	}
	snapshot(t, ctx, "dag-backfilled")
	step(t, ctx, "runs list filtered by state", 10*time.Second,
		chromedp.Click(css("#all-runs")),
		chromedp.WaitVisible(css("#runs-filter")),
		chromedp.SetValue(css(`#runs-filter select[name="state"]`), "success"),
		chromedp.Submit(css("#runs-filter")),
		chromedp.WaitVisible(css(`tr.run[data-state="success"]`)),
	)
	if n := read(t, ctx, "runs", chromedp.Evaluate[int](`document.querySelectorAll("tr.run").length`)); n != 8 {
		t.Fatalf("runs page lists %d successful runs, want 8 (1 triggered + 7 backfilled)", n)
	}
	step(t, ctx, "DAGs page", 10*time.Second, chromedp.Navigate(base+"/dags"), chromedp.WaitVisible(css("#dag-flaky")))
	snapshot(t, ctx, "dags")
}

// A running attempt's log grows on the task page without a reload.
func TestBrowserFollowsALiveLog(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	h := newHarness(t, true)
	login(t, ctx, h.srv.URL)
	step(t, ctx, "trigger slow", 20*time.Second,
		chromedp.Click(css("#trigger-slow")),
		chromedp.WaitVisible(css("#ti-crawl a")),
	)
	runURL := read(t, ctx, "run page", chromedp.Location())
	// Open the task page as soon as the attempt has started.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		step(t, ctx, "open the task page", 10*time.Second, chromedp.Navigate(runURL+"/tasks/crawl"))
		if state := read(t, ctx, "state", chromedp.AttributeValue(css("#task-state"), "data-state")); state.Value == "running" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !read(t, ctx, "follow", chromedp.Evaluate[bool](`document.querySelector("#log[data-log]") !== null`)) {
		t.Fatal("the task page does not follow the running attempt's log")
	}
	step(t, ctx, "the log follows to the last line", 20*time.Second,
		chromedp.WaitVisible(css(`#task-state[data-state="success"]`)),
		ignore(chromedp.Poll[bool](`document.querySelector("#log").textContent.includes("n=15")`, chromedp.WithPollingTimeout(10*time.Second))),
	)
}

// ignore drops an action's value so it can run among other steps.
func ignore[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := a(ctx, t)
		return chromedp.Void{}, err
	}
}
