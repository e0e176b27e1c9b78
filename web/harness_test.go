package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/scheduler"
	"github.com/finpipe/finpipe/web"
)

// The harness runs the real thing: a fresh PostgreSQL database, the
// scheduler's store, optionally its engine (scheduler + workers in this
// process) and the web handler on an httptest server.

const testToken = "test-token-0123456789abcdef"

// Test DAGs. Their start date is far in the future so the scheduler makes
// no scheduled runs of its own; tests trigger and backfill explicitly.
const (
	flakyDAG = "flaky" // extract fails on its first try, then succeeds; load follows
	slowDAG  = "slow"  // one task that logs a line every 100 ms for ~1.5 s
	idleDAG  = "idle"  // never run by an engine: for paging and validation tests
)

var future = time.Now().UTC().AddDate(5, 0, 0).Truncate(24 * time.Hour)

func testDAGs() []*scheduler.DAG {
	flaky := scheduler.NewDAG(flakyDAG, scheduler.DAGOptions{Schedule: "@daily", StartDate: future, Description: "fails once, then succeeds"})
	flaky.Task("extract", func(ctx context.Context, tc *scheduler.TaskContext) error {
		tc.Log.Info("extracting", "try", tc.TryNumber)
		if tc.TryNumber == 1 {
			tc.Log.Error("source not ready")
			return errors.New("source not ready (first try always fails)")
		}
		tc.Log.Info("extracted 42 rows")
		return nil
	}, scheduler.TaskOptions{Retries: 2, RetryDelay: 50 * time.Millisecond})
	flaky.Task("load", func(ctx context.Context, tc *scheduler.TaskContext) error {
		tc.Log.Info("loaded")
		return nil
	}, scheduler.TaskOptions{Upstream: []string{"extract"}})

	slow := scheduler.NewDAG(slowDAG, scheduler.DAGOptions{Schedule: "@daily", StartDate: future})
	slow.Task("crawl", func(ctx context.Context, tc *scheduler.TaskContext) error {
		for i := 1; i <= 15; i++ {
			tc.Log.Info("step", "n", i)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
		return nil
	}, scheduler.TaskOptions{})

	idle := scheduler.NewDAG(idleDAG, scheduler.DAGOptions{Schedule: "@daily", StartDate: future})
	idle.Task("noop", func(context.Context, *scheduler.TaskContext) error { return nil }, scheduler.TaskOptions{})
	return []*scheduler.DAG{flaky, slow, idle}
}

type harness struct {
	t     testing.TB
	store *scheduler.Store
	dbURL string // for fixtures written straight into the tables
	srv   *httptest.Server
}

func quietLogger() *slog.Logger {
	if os.Getenv("FINPIPE_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// newHarness starts everything; with engine false only the DAG definitions
// are synced (runs stay queued), which keeps paging tests deterministic.
func newHarness(t testing.TB, engine bool, opts ...func(*web.Options)) *harness {
	t.Helper()
	reg, err := scheduler.NewRegistry(testDAGs()...)
	if err != nil {
		t.Fatal(err)
	}
	return newHarnessWith(t, reg, engine, opts...)
}

// newHarnessWith is newHarness for a registry of the test's own (one that
// declares assets, say).
func newHarnessWith(t testing.TB, reg *scheduler.Registry, engine bool, opts ...func(*web.Options)) *harness {
	t.Helper()
	ctx := context.Background()
	dbURL := testenv.Postgres(t)
	store, err := scheduler.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	if _, err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := store.SyncDAGs(ctx, reg); err != nil {
		t.Fatal(err)
	}
	if engine {
		startEngine(t, store, reg)
	}
	o := web.Options{Orchestrator: store, Token: testToken, Logger: quietLogger(), PollInterval: 300 * time.Millisecond,
		Health: []web.HealthCheck{{Name: "database", Check: store.Ping}}}
	for _, f := range opts {
		f(&o)
	}
	h, err := web.New(o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &harness{t: t, store: store, dbURL: dbURL, srv: srv}
}

// startEngine runs a scheduler and a worker; tweak adjusts the scheduler's
// options (a Kafka watcher's topics, say).
func startEngine(t testing.TB, store *scheduler.Store, reg *scheduler.Registry, tweak ...func(*scheduler.SchedulerOptions)) {
	ctx := context.Background()
	so := scheduler.SchedulerOptions{PollInterval: 100 * time.Millisecond, Logger: quietLogger()}
	for _, f := range tweak {
		f(&so)
	}
	sch := scheduler.NewScheduler(store, reg, so)
	if err := sch.Start(ctx); err != nil {
		t.Fatal(err)
	}
	wrk := scheduler.NewWorker(store, reg, scheduler.WorkerOptions{Concurrency: 4, PollInterval: 100 * time.Millisecond,
		HeartbeatInterval: 200 * time.Millisecond, ShutdownGrace: 2 * time.Second, Logger: quietLogger()})
	if err := wrk.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = wrk.Stop(ctx)
		_ = sch.Stop(ctx)
	})
}

// call sends a request with the test token (auth=true) and returns the
// status and body.
func (h *harness) call(method, path, body string, auth bool) (int, []byte) {
	h.t.Helper()
	req, err := http.NewRequest(method, h.srv.URL+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	if auth {
		req.Header.Set("Authorization", "Bearer "+testToken)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp.StatusCode, b
}

// json calls and decodes the answer into out, failing unless status matches.
func (h *harness) json(method, path, body string, want int, out any) {
	h.t.Helper()
	status, b := h.call(method, path, body, true)
	if status != want {
		h.t.Fatalf("%s %s: status %d, want %d; body: %s", method, path, status, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			h.t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
}

// waitRun polls the API until the run reaches a finished state.
func (h *harness) waitRun(dagID, runID string, timeout time.Duration) scheduler.DagRun {
	h.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var run scheduler.DagRun
		h.json("GET", "/api/v1/dags/"+dagID+"/runs/"+runID, "", 200, &run)
		if run.State.Finished() || time.Now().After(deadline) {
			return run
		}
		time.Sleep(50 * time.Millisecond)
	}
}
