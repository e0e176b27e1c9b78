package scheduler

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/finpipe/finpipe/internal/testenv"
)

// testLogger is quiet unless FINPIPE_TEST_LOG is set.
func testLogger() *slog.Logger {
	if os.Getenv("FINPIPE_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// newTestStore opens a fresh, migrated database.
func newTestStore(t testing.TB) *Store {
	s, _ := newTestStoreURL(t)
	return s
}

// newTestStoreURL is newTestStore that also returns the database's URL,
// for tests that set rows up by hand (pgstore.Exec) or start a subprocess.
func newTestStoreURL(t testing.TB) (*Store, string) {
	t.Helper()
	ctx := context.Background()
	url := testenv.Postgres(t)
	s, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s, url
}

func mustRegistry(t testing.TB, dags ...*DAG) *Registry {
	t.Helper()
	reg, err := NewRegistry(dags...)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// engine is a scheduler plus workers, stopped at test cleanup.
type engine struct {
	sch     *Scheduler
	workers []*Worker
}

// fastSched and fastWorker poll quickly so tests do not wait on fallbacks.
var (
	fastSched  = SchedulerOptions{PollInterval: 100 * time.Millisecond, ReapAfter: 2 * time.Second}
	fastWorker = WorkerOptions{Concurrency: 4, PollInterval: time.Second, HeartbeatInterval: 200 * time.Millisecond, ShutdownGrace: 2 * time.Second}
)

func startEngine(t testing.TB, s *Store, reg *Registry, nWorkers int) *engine {
	t.Helper()
	ctx := context.Background()
	so := fastSched
	so.Logger = testLogger()
	e := &engine{sch: NewScheduler(s, reg, so)}
	if err := e.sch.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.sch.Stop(ctx) })
	for i := 0; i < nWorkers; i++ {
		wo := fastWorker
		wo.Logger = testLogger()
		w := NewWorker(s, reg, wo)
		if err := w.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = w.Stop(ctx) })
		e.workers = append(e.workers, w)
	}
	return e
}

// waitRun polls until the run is finished or the timeout passes.
func waitRun(t testing.TB, s *Store, runID string, timeout time.Duration) DagRun {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		r, err := s.GetRun(context.Background(), runID)
		if err != nil {
			t.Fatal(err)
		}
		if r.State.Finished() {
			return r
		}
		if time.Now().After(deadline) {
			tis, _ := s.ListTaskInstances(context.Background(), runID)
			for _, ti := range tis {
				t.Logf("  %s: %s try %d %s", ti.TaskID, ti.State, ti.TryNumber, ti.Error)
			}
			t.Fatalf("run %s still %s after %s", runID, r.State, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// taskStates maps task id → state for a run.
func taskStates(t testing.TB, s *Store, runID string) map[string]TaskState {
	t.Helper()
	tis, err := s.ListTaskInstances(context.Background(), runID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]TaskState{}
	for _, ti := range tis {
		out[ti.TaskID] = ti.State
	}
	return out
}

func noop(context.Context, *TaskContext) error { return nil }

func trigger(t testing.TB, s *Store, dagID string, conf map[string]any) DagRun {
	t.Helper()
	r, err := s.TriggerRun(context.Background(), dagID, TriggerOptions{Conf: conf})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// waitFor polls cond until it holds; giving up after limit is a guard
// against a hang, not a timed assertion.
func waitFor(t testing.TB, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	giveUp := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(giveUp) {
			t.Fatalf("no %s after %s", what, limit)
		}
		time.Sleep(20 * time.Millisecond) // the poll's period; the test waits for cond
	}
}

// fakeClock is a Clock that tests set by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t.UTC()
	c.mu.Unlock()
}
