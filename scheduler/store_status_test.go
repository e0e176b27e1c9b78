package scheduler

import (
	"context"
	"testing"
	"time"
)

// TestListSchedulersSeesALiveScheduler: a running scheduler shows up, a
// stopped one disappears, and workers are not mistaken for schedulers.
func TestListSchedulersSeesALiveScheduler(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	count := func(want int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			got, err := s.ListSchedulers(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d schedulers listed (%+v), want %d", len(got), got, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	count(0)
	d := NewDAG("idle", DAGOptions{})
	d.Task("a", noop, TaskOptions{})
	e := startEngine(t, s, mustRegistry(t, d), 2)
	count(1)
	if err := e.sch.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	count(0)
}
