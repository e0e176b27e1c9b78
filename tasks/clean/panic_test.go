package clean

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/finpipe/finpipe/internal/panics"
)

// TestAPanicInTheClassifierIsTheRunsError: classification runs on a
// goroutine of its own, beyond the engine's recover. Unrecovered, a panic
// there ends the process (this test binary included); it must come back as
// the run's error with the stack, so the attempt fails and says where.
func TestAPanicInTheClassifierIsTheRunsError(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var msgs []msg
	for i := 0; i < 3*chunkRows; i++ { // the reader is still sending when the classifier dies
		msgs = append(msgs, msg{0, tx(fmt.Sprint("t", i), t0)})
	}
	f.ingest(msgs...)
	ctx := context.Background()
	snap, err := f.lake.Bronze.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	_, err = eachBronze(ctx, snap, snap.Files(), func(bronzeRecord) {
		if seen++; seen == chunkRows+1 {
			explodeInClassifier()
		}
	})
	var pe *panics.Error
	if !errors.As(err, &pe) {
		t.Fatalf("eachBronze returned %v, want the recovered panic", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "index out of range [36] with length 36") || !strings.Contains(msg, "clean.explodeInClassifier") {
		t.Fatalf("error %q lacks the panic or the stack naming where it happened", msg)
	}
}

// explodeInClassifier fails as parseUUID did on a near-UUID id.
func explodeInClassifier() {
	s := "01234567-0123-0123-0123--abcdefabcde"
	i := len(s)
	_ = s[i]
}

// TestNearUUIDIdsAreAcceptedOnce: ids shaped almost like UUIDs are valid
// transaction ids ([A-Za-z0-9_.:-], 1–64 characters). Each lands in Silver
// (none stops the batch), and each is a different transaction from a
// canonical UUID with the same hex digits.
func TestNearUUIDIdsAreAcceptedOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ids := []string{
		"01234567-0123-0123-0123--abcdefabcde", // made parseUUID index past the end
		"abcdef12-3456-789a-bcde-f01234567800",
		"ab-cd-ef-1234-5678-9abc-def012345678", // same 32 hex digits as the one above
		"abcdef12-3456-789a-bcde-f0123456780-",
		"-bcdef12-3456-789a-bcde-f012345678000",
		"abcdef1234-56-789a-bcde-f01234567800",
		"ABCDEF12-3456-789A-BCDE-F01234567800",
		"abcdef12-3456-789a-bcde-f0123456780g",
		"------------------------------------",
	}
	var msgs []msg
	for _, id := range ids {
		msgs = append(msgs, msg{0, tx(id, t0)})
	}
	f.ingest(msgs[:2]...) // the canonical one is accepted in an earlier batch
	f.run(Options{})
	f.ingest(msgs[2:]...)
	f.run(Options{})
	got := f.where()
	for i, id := range ids {
		if w := got[[2]int64{0, int64(i)}]; w != "silver" {
			t.Errorf("%q landed as %q, want silver", id, w)
		}
	}
}
