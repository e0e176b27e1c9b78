package clean

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/finpipe/finpipe/tasks/record"
)

// nearUUIDs are ids that look like UUIDs but are not in the canonical form,
// and canonical ones with the same hex digits: each pair is two different
// transactions.
var nearUUIDs = []string{
	"abcdef12-3456-789a-bcde-f01234567800",
	"ab-cd-ef-1234-5678-9abc-def012345678",
	"abcdef1234-56-789a-bcde-f01234567800",
	"abcdef12-3456-789a-bcde-f0123456780-",
	"abcdef12-3456-789abcde-f01234567800-",
	"01234567-0123-0123-0123--abcdefabcde",
	"01234567-0123-0123-0123-0abcdefabcde",
	"ABCDEF12-3456-789A-BCDE-F01234567800",
	"abcdef12-3456-789a-bcde-f0123456780g",
	"abcdef12+3456-789a-bcde-f01234567800",
	"------------------------------------",
	"abcdef12-3456-789a-bcde-f0123456780",
	"abcdef12-3456-789a-bcde-f012345678000",
}

func TestOnlyACanonicalUUIDTakesTheCompactForm(t *testing.T) {
	t.Parallel()
	for _, id := range nearUUIDs {
		_, got := parseUUID(id)
		want := id == nearUUIDs[0] || id == "01234567-0123-0123-0123-0abcdefabcde"
		if got != want {
			t.Errorf("parseUUID(%q) ok = %v, want %v", id, got, want)
		}
	}
}

// TestDifferentIdsAreNeverDuplicates: every id of nearUUIDs, added to one
// index, is held on its own (no two share a key).
func TestDifferentIdsAreNeverDuplicates(t *testing.T) {
	t.Parallel()
	for i, a := range nearUUIDs {
		x := NewIndex(0)
		x.add(a, t0)
		for j, b := range nearUUIDs {
			if i != j && x.Contains(b) {
				t.Errorf("after adding %q the index contains %q", a, b)
			}
		}
	}
	x := NewIndex(0)
	for _, id := range nearUUIDs {
		x.add(id, t0)
	}
	if x.Len() != len(nearUUIDs) {
		t.Errorf("Len = %d after adding %d different ids", x.Len(), len(nearUUIDs))
	}
}

// FuzzDuplicateIndex: the duplicate rule's index says "seen" for exactly
// the ids added, so two different ids are never duplicates, and the compact
// form of a UUID always spells back to the id it came from.
func FuzzDuplicateIndex(f *testing.F) {
	for i := range nearUUIDs {
		f.Add(nearUUIDs[i], nearUUIDs[(i+1)%len(nearUUIDs)])
	}
	f.Add("order-17", "order-17")
	// Found by the fuzzer: the nil UUID and the empty id shared a key.
	f.Add("00000000-0000-0000-0000-000000000000", "")
	f.Add("", "\x00")
	f.Fuzz(func(t *testing.T, a, b string) {
		if u, ok := parseUUID(a); ok && uuid.UUID(u).String() != a {
			t.Fatalf("parseUUID(%q) decodes to %s", a, uuid.UUID(u))
		}
		x := NewIndex(0)
		x.add(a, t0)
		if !x.Contains(a) {
			t.Fatalf("%q added but not contained", a)
		}
		if x.Contains(b) != (a == b) {
			t.Fatalf("after adding only %q, Contains(%q) = %v", a, b, x.Contains(b))
		}
		x.add(b, t0)
		if want := 1 + btoi(a != b); x.Len() != want {
			t.Fatalf("Len = %d after adding %q and %q, want %d", x.Len(), a, b, want)
		}
	})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestIndexIsBoundedByTheLatenessWindow: a month of accepted transactions,
// one an hour, arriving up to 47 h late. The index holds the dates the
// watermark has not passed, no more, yet every transaction whose re-send
// would not be late is still caught as a duplicate.
func TestIndexIsBoundedByTheLatenessWindow(t *testing.T) {
	t.Parallel()
	const lateness = 48 * time.Hour
	x := NewIndex(lateness)
	type accepted struct {
		id string
		at time.Time
	}
	var all []accepted
	rng := rand.New(rand.NewPCG(1, 2))
	for h := 0; h < 30*24; h++ {
		now := t0.Add(time.Duration(h) * time.Hour)
		at := now.Add(-time.Duration(rng.Int64N(int64(47 * time.Hour))))
		if record.CheckLate(at, x.MaxEventTime, lateness) {
			continue // clean would reject it before asking the index
		}
		id := uuid.New().String()
		if h%3 == 0 {
			id = fmt.Sprint("order-", h)
		}
		x.add(id, at)
		all = append(all, accepted{id, at})
		if x.Days() > 3 {
			t.Fatalf("hour %d: %d dates held; a 48 h window spans at most 3", h, x.Days())
		}
	}
	held, want := 0, 0
	for _, a := range all {
		if dayOf(a.at) >= dayOf(x.MaxEventTime.Add(-lateness)) {
			want++ // of a date the watermark has not passed
		}
		late := record.CheckLate(a.at, x.MaxEventTime, lateness)
		switch {
		case !late && !x.Contains(a.id):
			t.Fatalf("%s at %s is within the window of %s but not held", a.id, a.at, x.MaxEventTime)
		case x.Contains(a.id):
			held++
		}
	}
	if held != want || x.Len() != want {
		t.Errorf("%d of %d ids held (Len %d), want the %d of the dates the watermark has not passed", held, len(all), x.Len(), want)
	}
}

// TestIndexRebuiltFromSilverHoldsTheSameIds: a restarted process folds
// Silver's rows in file order; it must end with the ids a long-running
// one holds, so that a retried batch is classified the same.
func TestIndexRebuiltFromSilverHoldsTheSameIds(t *testing.T) {
	t.Parallel()
	const lateness = 48 * time.Hour
	live, rebuilt := NewIndex(lateness), NewIndex(lateness)
	var ids []string
	var times []time.Time
	for h := 0; h < 10*24; h += 5 {
		ids = append(ids, fmt.Sprint("t", h))
		times = append(times, t0.Add(time.Duration(h)*time.Hour))
		live.add(ids[len(ids)-1], times[len(times)-1])
	}
	for i := len(ids) - 1; i >= 0; i-- { // newest first: the other extreme
		rebuilt.add(ids[i], times[i])
	}
	if live.Len() != rebuilt.Len() || !live.MaxEventTime.Equal(rebuilt.MaxEventTime) {
		t.Fatalf("live holds %d ids up to %s, rebuilt %d up to %s", live.Len(), live.MaxEventTime, rebuilt.Len(), rebuilt.MaxEventTime)
	}
	for _, id := range ids {
		if live.Contains(id) != rebuilt.Contains(id) {
			t.Errorf("%s: live %v, rebuilt %v", id, live.Contains(id), rebuilt.Contains(id))
		}
	}
}

// TestAddAllIsAddOneByOne: a batch's ids added at once, on several
// goroutines, leave the index exactly as adding them one by one does:
// the same ids held, the same dates, the same watermark. The batch spans
// dates beyond the lateness window, so some are dropped on the way.
func TestAddAllIsAddOneByOne(t *testing.T) {
	t.Parallel()
	const lateness = 48 * time.Hour
	rng := rand.New(rand.NewPCG(3, 4))
	for round := 0; round < 3; round++ {
		serial, batched := NewIndex(lateness), NewIndex(lateness)
		var probes []string
		for b := 0; b < 4; b++ { // batches, the later ones newer
			var entries []indexEntry
			for i := 0; i < 10_000; i++ {
				id := uuid.New().String()
				if i%5 == 0 {
					id = fmt.Sprint("order-", round, "-", b, "-", i)
				}
				at := t0.Add(time.Duration(b)*30*time.Hour - time.Duration(rng.Int64N(int64(100*time.Hour))))
				serial.add(id, at)
				entries = append(entries, indexEntry{key: keyOf(id), eventTime: at, day: dayOf(at)})
				probes = append(probes, id)
			}
			batched.addAll(entries)
			if serial.Len() != batched.Len() || serial.Days() != batched.Days() || !serial.MaxEventTime.Equal(batched.MaxEventTime) {
				t.Fatalf("batch %d: one by one %d ids of %d dates up to %s; at once %d of %d up to %s", b,
					serial.Len(), serial.Days(), serial.MaxEventTime, batched.Len(), batched.Days(), batched.MaxEventTime)
			}
		}
		for _, id := range probes {
			if serial.Contains(id) != batched.Contains(id) {
				t.Fatalf("%s: one by one %v, at once %v", id, serial.Contains(id), batched.Contains(id))
			}
		}
	}
}
