package clean

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/finpipe/finpipe/internal/panics"
)

// TestJudgedRecordsAreSettledInFileOrder: records are judged on several
// goroutines at once, and settle must still see them as one loop over the
// files would, every record once, since the duplicate rule depends on the
// order.
func TestJudgedRecordsAreSettledInFileOrder(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const perCommit = 5*chunkRows + 17 // several chunks in flight, a short one last
	for c := 0; c < 3; c++ {
		var msgs []msg
		for i := 0; i < perCommit; i++ {
			msgs = append(msgs, msg{int32(c), tx(fmt.Sprint("t", c, "-", i), t0)})
		}
		f.ingest(msgs...)
	}
	ctx := context.Background()
	snap, err := f.lake.Bronze.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var want []position
	if _, err := eachBronze(ctx, snap, snap.Files(), func(r bronzeRecord) {
		want = append(want, position{r.partition, r.offset})
	}); err != nil {
		t.Fatal(err)
	}
	var got []position
	n, err := eachJudged(ctx, snap, snap.Files(), func() func(bronzeRecord) position {
		return func(r bronzeRecord) position { return position{r.partition, r.offset} }
	}, func(p position) { got = append(got, p) })
	if err != nil {
		t.Fatal(err)
	}
	if n != 3*perCommit || len(got) != n || len(want) != n {
		t.Fatalf("judged %d records, settled %d, a plain read gives %d; want %d each", n, len(got), len(want), 3*perCommit)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("record %d settled is %v, want %v (file order)", i, got[i], want[i])
		}
	}
}

// TestAPanicInAJudgeIsTheRunsError: judges run on goroutines of their own;
// a panic there must come back as the error with its stack, not end the
// process, and must stop the read.
func TestAPanicInAJudgeIsTheRunsError(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var msgs []msg
	for i := 0; i < 8*chunkRows; i++ {
		msgs = append(msgs, msg{0, tx(fmt.Sprint("t", i), t0)})
	}
	f.ingest(msgs...)
	ctx := context.Background()
	snap, err := f.lake.Bronze.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	settled := 0
	_, err = eachJudged(ctx, snap, snap.Files(), func() func(bronzeRecord) int64 {
		return func(r bronzeRecord) int64 {
			if r.offset == 2*chunkRows+5 {
				explodeInClassifier()
			}
			return r.offset
		}
	}, func(int64) { settled++ })
	var pe *panics.Error
	if !errors.As(err, &pe) {
		t.Fatalf("eachJudged returned %v, want the recovered panic", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "clean.explodeInClassifier") {
		t.Fatalf("error %q lacks the stack naming where it happened", msg)
	}
	if settled > 2*chunkRows {
		t.Fatalf("settled %d records: the chunk that failed (from record %d) or a later one was settled", settled, 2*chunkRows)
	}
}
