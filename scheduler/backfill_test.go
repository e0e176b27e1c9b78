package scheduler

import (
	"context"
	"errors"
	"testing"
	"time"
)

// backfillFixture syncs an @daily DAG and creates runs on 2026-01-02
// (success) and 2026-01-03 (failed) by hand.
func backfillFixture(t *testing.T) *Store {
	t.Helper()
	s := newTestStore(t)
	ctx := context.Background()
	d := NewDAG("daily", DAGOptions{Schedule: "@daily", StartDate: mustTime("2026-01-01T00:00:00Z")})
	d.Task("rebuild", noop, TaskOptions{})
	if err := s.SyncDAGs(ctx, mustRegistry(t, d)); err != nil {
		t.Fatal(err)
	}
	for day, st := range map[string]RunState{"2026-01-02": RunSuccess, "2026-01-03": RunFailed} {
		r, err := s.TriggerRun(ctx, "daily", TriggerOptions{LogicalDate: mustTime(day + "T00:00:00Z")})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.MarkRun(ctx, r.RunID, st); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func TestBackfillReprocessModesAndDryRun(t *testing.T) {
	want := map[string][]string{ // reprocess → action per day 01..04
		ReprocessNone:      {BackfillCreate, BackfillSkip, BackfillSkip, BackfillCreate},
		ReprocessFailed:    {BackfillCreate, BackfillSkip, BackfillReprocess, BackfillCreate},
		ReprocessCompleted: {BackfillCreate, BackfillReprocess, BackfillReprocess, BackfillCreate},
	}
	for mode, actions := range want {
		t.Run(mode, func(t *testing.T) {
			s := backfillFixture(t)
			ctx := context.Background()
			req := BackfillRequest{DAGID: "daily", From: mustTime("2026-01-01T00:00:00Z"), To: mustTime("2026-01-04T00:00:00Z"),
				Reprocess: mode, DryRun: true}
			res, err := s.CreateBackfill(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if res.Backfill != nil || len(res.Dates) != 4 {
				t.Fatalf("dry run: %+v", res)
			}
			for i, d := range res.Dates {
				if d.Action != actions[i] {
					t.Errorf("day %d: %s, want %s", i+1, d.Action, actions[i])
				}
			}
			page, _ := s.ListRuns(ctx, RunFilter{DAGID: "daily"})
			if len(page.Runs) != 2 {
				t.Fatalf("dry run created runs: %d", len(page.Runs))
			}
			req.DryRun = false
			res, err = s.CreateBackfill(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			b, err := s.GetBackfill(ctx, res.Backfill.ID)
			if err != nil {
				t.Fatal(err)
			}
			reprocessed := 0
			for _, a := range actions {
				if a != BackfillSkip {
					reprocessed++
				}
			}
			if b.RunCounts["queued"] != reprocessed {
				t.Fatalf("run counts %v, want %d queued", b.RunCounts, reprocessed)
			}
			if _, err := s.CreateBackfill(ctx, req); !errors.Is(err, ErrConflict) {
				t.Fatalf("second active backfill: %v, want ErrConflict", err)
			}
		})
	}
}

func TestBackfillRunsWithinItsLimitAndCompletes(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	d := NewDAG("bf", DAGOptions{Schedule: "@daily", StartDate: mustTime("2026-01-01T00:00:00Z")})
	d.Task("t", func(ctx context.Context, tc *TaskContext) error { time.Sleep(20 * time.Millisecond); return nil }, TaskOptions{})
	reg := mustRegistry(t, d)
	if err := s.SyncDAGs(ctx, reg); err != nil {
		t.Fatal(err)
	}
	if err := s.PauseDAG(ctx, "bf", true); err != nil { // no scheduled runs in the way
		t.Fatal(err)
	}
	res, err := s.CreateBackfill(ctx, BackfillRequest{DAGID: "bf", From: mustTime("2026-02-01T00:00:00Z"),
		To: mustTime("2026-02-06T00:00:00Z"), MaxActiveRuns: 2, RunBackwards: true})
	if err != nil {
		t.Fatal(err)
	}
	if first := res.Dates[0].LogicalDate; !first.Equal(mustTime("2026-02-06T00:00:00Z")) {
		t.Fatalf("run backwards: first date %s", first)
	}
	id := res.Backfill.ID
	if err := s.PauseBackfill(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := s.PauseBackfill(ctx, id); !errors.Is(err, ErrConflict) {
		t.Fatalf("pausing twice: %v", err)
	}
	if err := s.UnpauseBackfill(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := s.PauseDAG(ctx, "bf", false); err != nil {
		t.Fatal(err)
	}
	// One sweep may start at most 2 of the backfill's runs.
	if _, err := s.promoteRuns(ctx); err != nil {
		t.Fatal(err)
	}
	if b, _ := s.GetBackfill(ctx, id); b.RunCounts["running"] != 2 {
		t.Fatalf("max_active_runs 2: %v", b.RunCounts)
	}
	startEngine(t, s, reg, 1)
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, _ := s.GetBackfill(ctx, id)
		if b.State == BackfillCompleted {
			if b.RunCounts["success"] != 6 {
				t.Fatalf("completed with %v", b.RunCounts)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("backfill still %s: %v", b.State, b.RunCounts)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := s.CancelBackfill(ctx, id); !errors.Is(err, ErrConflict) {
		t.Fatalf("cancelling a completed backfill: %v", err)
	}
}

func TestCancelBackfillFailsQueuedRuns(t *testing.T) {
	s := backfillFixture(t)
	ctx := context.Background()
	res, err := s.CreateBackfill(ctx, BackfillRequest{DAGID: "daily", From: mustTime("2026-01-05T00:00:00Z"), To: mustTime("2026-01-08T00:00:00Z")})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CancelBackfill(ctx, res.Backfill.ID); err != nil {
		t.Fatal(err)
	}
	b, _ := s.GetBackfill(ctx, res.Backfill.ID)
	if b.State != BackfillCancelled || b.RunCounts["failed"] != 4 {
		t.Fatalf("%s %v", b.State, b.RunCounts)
	}
	if _, err := s.CreateBackfill(ctx, BackfillRequest{DAGID: "daily", From: mustTime("2026-01-05T00:00:00Z"), To: mustTime("2026-01-01T00:00:00Z")}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("from > to: %v", err)
	}
	if _, err := s.CreateBackfill(ctx, BackfillRequest{DAGID: "nope", From: mustTime("2026-01-05T00:00:00Z"), To: mustTime("2026-01-06T00:00:00Z")}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown DAG: %v", err)
	}
}
