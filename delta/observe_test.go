package delta

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestCommitObserverSeesRowsAndConflicts: the hook reports each commit's
// new rows and the races it lost, and nothing for an Optimize's rewrite.
func TestCommitObserverSeesRowsAndConflicts(t *testing.T) {
	ctx := context.Background()
	type call struct {
		path      string
		conflicts int
		rows      int64
	}
	var calls []call
	observe := func(path string, d time.Duration, conflicts int, rows int64) {
		if d <= 0 {
			t.Errorf("duration %s", d)
		}
		calls = append(calls, call{path, conflicts, rows})
	}

	path := filepath.Join(t.TempDir(), "t")
	tbl, err := Create(path, counterSchema, []string{"day"})
	if err != nil {
		t.Fatal(err)
	}
	tbl.Observe(observe)
	rows := []Row{{"a", int64(1), date(2024, 1, 1)}, {"b", int64(2), date(2024, 1, 1)}}
	if _, err := tbl.Append(ctx, rows, CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	stale, _ := tbl.Snapshot(ctx)
	other, _ := Open(path)
	other.Observe(observe)
	unobserved, _ := Open(path) // another owner's table: its commits are not ours
	if _, err := unobserved.Append(ctx, rows[:1], CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Append(ctx, rows[:1], CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	// A blind append on the stale snapshot loses one race, then commits.
	adds, err := writeFiles(ctx, fileStore{path}, stale.st.lay, rows[1:])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tbl.commit(ctx, stale, &commitPlan{adds: adds, op: "WRITE", params: map[string]any{}}); err != nil {
		t.Fatal(err)
	}
	if _, err := tbl.Optimize(ctx, nil); err != nil {
		t.Fatal(err)
	}
	want := []call{{path, 0, 2}, {path, 0, 1}, {path, 1, 1}, {path, 0, 0}}
	if len(calls) != len(want) {
		t.Fatalf("calls %+v, want %+v", calls, want)
	}
	for i := range want {
		if calls[i] != want[i] {
			t.Errorf("commit %d: %+v, want %+v", i, calls[i], want[i])
		}
	}
}
