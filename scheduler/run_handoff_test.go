package scheduler

import (
	"context"
	"testing"
	"time"
)

// A run that ends starts the run queued behind it (max_active_runs 1) in
// the finishing attempt's report, so the reporting worker's next claim
// gets its root task: no scheduler sweep runs in this test, and without
// the promotion in the report the second run stays queued. Both ways a
// run ends are covered: a leaf without outputs (one round trip) and a
// leaf that records asset events (transaction, then the run's finish).
func TestFinishingARunStartsTheQueuedRun(t *testing.T) {
	for _, withEvents := range []bool{false, true} {
		name := "leaf"
		if withEvents {
			name = "leaf with asset events"
		}
		t.Run(name, func(t *testing.T) {
			s := newTestStore(t)
			ctx := context.Background()
			d := NewDAG("serial", DAGOptions{MaxActiveRuns: 1})
			d.Task("only", noop, TaskOptions{Outlets: []string{"tbl"}})
			reg := mustRegistry(t, d)
			if err := reg.AddAsset(Asset{Name: "tbl", Kind: AssetDeltaTable}); err != nil {
				t.Fatal(err)
			}
			if err := s.SyncDAGs(ctx, reg); err != nil {
				t.Fatal(err)
			}
			now := time.Now()
			var runs []DagRun
			for i := range 2 {
				r, err := s.TriggerRun(ctx, "serial", TriggerOptions{LogicalDate: now.Add(time.Duration(i) * time.Second)})
				if err != nil {
					t.Fatal(err)
				}
				runs = append(runs, r)
			}
			if _, err := s.promoteRuns(ctx); err != nil { // the scheduler's one sweep
				t.Fatal(err)
			}
			first := claimOne(t, s, runs[0].RunID)
			end := attemptEnd{RunID: first.RunID, TaskID: first.TaskID, Try: first.Try, From: []TaskState{TaskRunning},
				To: TaskSuccess, Leaf: true, DAGID: "serial"}
			if withEvents {
				end.Events = []AssetEvent{{Asset: "tbl", Extra: map[string]any{"version": 1}}}
			}
			if ok, err := s.finishAttempt(ctx, end); err != nil || !ok {
				t.Fatalf("finish: %v %v", ok, err)
			}
			if r, err := s.GetRun(ctx, runs[0].RunID); err != nil || r.State != RunSuccess {
				t.Fatalf("first run: %+v %v", r, err)
			}
			claimOne(t, s, runs[1].RunID)
		})
	}
}

// claimOne claims for one worker and wants exactly one attempt, of runID.
func claimOne(t *testing.T, s *Store, runID string) claimedTask {
	t.Helper()
	got, err := s.claim(context.Background(), "w1", "host", nil, []string{"serial"}, 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].RunID != runID {
		ids := make([]string, len(got))
		for i, c := range got {
			ids[i] = c.RunID
		}
		t.Fatalf("claimed runs %v, want only %s (the queued run was not started)", ids, runID)
	}
	return got[0]
}
