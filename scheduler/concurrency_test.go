package scheduler

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/finpipe/finpipe/internal/testenv"
)

// execLog records task executions across workers to catch a task running
// twice at once, or twice at all.
type execLog struct {
	mu      sync.Mutex
	running map[string]bool
	count   map[string]int
	overlap []string
}

func (e *execLog) task(ctx context.Context, tc *TaskContext) error {
	key := tc.RunID + "/" + tc.TaskID
	e.mu.Lock()
	if e.running[key] {
		e.overlap = append(e.overlap, key)
	}
	e.running[key] = true
	e.count[key]++
	e.mu.Unlock()
	time.Sleep(5 * time.Millisecond)
	e.mu.Lock()
	e.running[key] = false
	e.mu.Unlock()
	return nil
}

func TestTwoSchedulersNoDuplicateRunsNoDoubleExecution(t *testing.T) {
	url := testenv.Postgres(t)
	ctx := context.Background()
	ex := &execLog{running: map[string]bool{}, count: map[string]int{}}
	build := func() *Registry {
		d := NewDAG("busy", DAGOptions{Schedule: "@every 1s", Catchup: true, MaxActiveRuns: 50,
			StartDate: time.Now().Add(-30 * time.Second).Truncate(time.Second)})
		d.Task("a", ex.task, TaskOptions{})
		d.Task("b", ex.task, TaskOptions{Upstream: []string{"a"}})
		d.Task("c", ex.task, TaskOptions{Upstream: []string{"a"}})
		d.Task("d", ex.task, TaskOptions{Upstream: []string{"b", "c"}})
		return mustRegistry(t, d)
	}
	var stores []*Store
	for i := 0; i < 2; i++ {
		s, err := Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		if _, err := s.Migrate(ctx); err != nil { // concurrent-safe; second is a no-op
			t.Fatal(err)
		}
		stores = append(stores, s)
	}
	// Hammer run creation from both "schedulers" at once.
	reg := build()
	if err := stores[0].SyncDAGs(ctx, reg); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(s *Store) {
			defer wg.Done()
			if _, err := s.createDueRuns(ctx, reg.DAG("busy"), time.Now()); err != nil {
				t.Error(err)
			}
		}(stores[i%2])
	}
	wg.Wait()
	started := time.Now()
	for _, s := range stores {
		startEngine(t, s, build(), 2)
	}
	// Let both schedulers tick together: wait for runs whose logical dates
	// come after both started (the event), not for a fixed time.
	waitFor(t, 30*time.Second, "runs created by live ticks", func() bool {
		page, err := stores[0].ListRuns(ctx, RunFilter{DAGID: "busy", From: started.Add(2 * time.Second), Limit: 1})
		return err == nil && len(page.Runs) > 0
	})
	// Runs keep coming every second; check those up to now once finished.
	cutoff := time.Now()
	deadline := time.Now().Add(30 * time.Second)
	var page RunPage
	for {
		var err error
		page, err = stores[1].ListRuns(ctx, RunFilter{DAGID: "busy", To: cutoff, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		active := 0
		for _, r := range page.Runs {
			if !r.State.Finished() {
				active++
			}
		}
		if active == 0 && len(page.Runs) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d runs still active", active)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(page.Runs) < 30 {
		t.Fatalf("only %d runs: catchup did not create one per second", len(page.Runs))
	}
	dates := map[time.Time]bool{}
	for _, r := range page.Runs {
		if dates[r.LogicalDate] {
			t.Fatalf("two runs for %s", r.LogicalDate)
		}
		dates[r.LogicalDate] = true
		if r.State != RunSuccess {
			t.Fatalf("run %s: %s", r.RunID, r.State)
		}
	}
	ex.mu.Lock()
	defer ex.mu.Unlock()
	if len(ex.overlap) > 0 {
		t.Fatalf("executed twice at once: %v", ex.overlap)
	}
	for _, r := range page.Runs {
		for _, task := range []string{"a", "b", "c", "d"} {
			if n := ex.count[r.RunID+"/"+task]; n != 1 {
				t.Fatalf("%s executed %d times", fmt.Sprint(r.RunID, "/", task), n)
			}
		}
	}
}

func TestTickLockerAdmitsOneScheduler(t *testing.T) {
	url := testenv.Postgres(t)
	ctx := context.Background()
	var lockers []tickLocker
	for i := 0; i < 2; i++ {
		s, err := Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		lockers = append(lockers, tickLocker{drv: s.drv})
	}
	held, err := lockers[0].Lock(ctx, "dag:x")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lockers[1].Lock(ctx, "dag:x"); err == nil {
		t.Fatal("a second scheduler took a tick that is held")
	}
	other, err := lockers[1].Lock(ctx, "dag:y")
	if err != nil {
		t.Fatalf("another DAG's tick: %v", err)
	}
	_ = other.Unlock(ctx)
	if err := held.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	again, err := lockers[1].Lock(ctx, "dag:x")
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	_ = again.Unlock(ctx)
}
