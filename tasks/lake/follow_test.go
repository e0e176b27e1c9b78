package lake

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/finpipe/finpipe/delta"
)

// offsets is a Folder that collects Bronze offsets and counts folds, so
// the test can see what the Follower read.
type offsets struct {
	got   map[int64]bool
	folds int
}

func (o *offsets) Columns() []string { return []string{"kafka_offset"} }
func (o *offsets) Reset()            { clear(o.got) }
func (o *offsets) Fold(r delta.Row) error {
	o.folds++
	o.got[r[0].(int64)] = true
	return nil
}

func appendOffsets(t *testing.T, tb *delta.Table, offs ...int64) int64 {
	t.Helper()
	now := time.Now()
	rows := make([]delta.Row, len(offs))
	for i, o := range offs {
		rows[i] = BronzeRow("t", 0, o, now, nil, []byte("x"), now)
	}
	v, err := tb.Append(context.Background(), rows, delta.CommitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// bringUp brings f to l's latest Bronze snapshot.
func bringUp(t *testing.T, l *Lake, f *Follower) {
	t.Helper()
	ctx := context.Background()
	s, err := l.Bronze.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, unlock, err := f.At(ctx, l.Bronze, s)
	if err != nil {
		t.Fatal(err)
	}
	unlock()
}

func TestFollowerFoldsEachRowOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	o := &offsets{got: map[int64]bool{}}
	f := l.Follow("test", l.Bronze, func() Folder { return o })
	at := func() {
		t.Helper()
		bringUp(t, l, f)
	}
	appendOffsets(t, l.Bronze, 0, 1)
	at()
	appendOffsets(t, l.Bronze, 2)
	at()
	at()
	if o.folds != 3 || len(o.got) != 3 {
		t.Fatalf("folded %d rows into %v, want each of 3 once", o.folds, o.got)
	}
	// A commit its owner folded itself is not read back.
	s, _ := l.Bronze.Snapshot(ctx)
	_, unlock, _ := f.At(ctx, l.Bronze, s)
	v := appendOffsets(t, l.Bronze, 3)
	f.Committed(v, func() { o.got[3] = true })
	unlock()
	at()
	if o.folds != 3 || !o.got[3] {
		t.Fatalf("own commit: folds %d, got %v", o.folds, o.got)
	}
	// Removing rows forces a rebuild: the state then matches the table.
	s, _ = l.Bronze.Snapshot(ctx)
	if _, err := l.Bronze.OverwritePartitions(ctx, []map[string]string{{}}, nil, delta.CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	appendOffsets(t, l.Bronze, 9)
	at()
	if fmt.Sprint(o.got) != "map[9:true]" {
		t.Fatalf("after a delete the state is %v, want only offset 9", o.got)
	}
	// An older snapshot (a recovery) rebuilds the past state.
	_, unlock, err = f.At(ctx, l.Bronze, s)
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	if len(o.got) != 4 {
		t.Fatalf("state at version %d has %v, want offsets 0-3", s.Version(), o.got)
	}
}

// Followers belong to their Lake: another Lake on the same directory (a
// restarted process, or another test) starts without them and rebuilds.
func TestFollowersBelongToTheirLake(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	appendOffsets(t, first.Bronze, 0, 1)
	fold := func(l *Lake, o *offsets) *Follower {
		t.Helper()
		f := l.Follow("test", l.Bronze, func() Folder { return o })
		bringUp(t, l, f)
		return f
	}
	a := &offsets{got: map[int64]bool{}}
	fa := fold(first, a)
	if again := first.Follow("test", first.Bronze, nil); again != fa {
		t.Fatal("one Lake returned two Followers for one name and table")
	}
	second, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	b := &offsets{got: map[int64]bool{}}
	if fb := fold(second, b); fb == fa || b.folds != 2 {
		t.Fatalf("a second Lake shares the first's Follower (%v) or folded %d rows, want its own and 2", fb == fa, b.folds)
	}
}

// ordered is a Folder that records the order of the offsets it folds and
// fails on one, so the test sees the order and error of foldFiles.
type ordered struct {
	seq    []int64
	failAt int64
}

func (o *ordered) Columns() []string { return []string{"kafka_offset"} }
func (o *ordered) Reset()            { o.seq = nil }
func (o *ordered) Fold(r delta.Row) error {
	off := r[0].(int64)
	if off == o.failAt {
		return fmt.Errorf("offset %d refused", off)
	}
	o.seq = append(o.seq, off)
	return nil
}

// TestFollowerFoldsManyFilesInOrder: the files of several commits are
// decoded in parallel, yet folded in commit order, every row once, and a
// Fold error stops the advance (the next At rebuilds).
func TestFollowerFoldsManyFilesInOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	o := &ordered{failAt: -1}
	f := l.Follow("ordered", l.Bronze, func() Folder { return o })
	bringUp(t, l, f)
	var want []int64
	for c := range int64(9) {
		batch := []int64{3 * c, 3*c + 1, 3*c + 2}
		appendOffsets(t, l.Bronze, batch...)
		want = append(want, batch...)
	}
	bringUp(t, l, f)
	if fmt.Sprint(o.seq) != fmt.Sprint(want) {
		t.Fatalf("folded %v, want %v", o.seq, want)
	}
	o.seq, o.failAt = nil, 100
	appendOffsets(t, l.Bronze, 99, 100, 101)
	appendOffsets(t, l.Bronze, 102)
	s, err := l.Bronze.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.At(ctx, l.Bronze, s); err == nil {
		t.Fatal("At folded past a Fold error")
	}
	if f.version != -1 {
		t.Fatalf("after a failed rebuild the follower claims version %d", f.version)
	}
}
