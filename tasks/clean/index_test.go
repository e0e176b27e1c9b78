package clean

import (
	"testing"

	"github.com/google/uuid"
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
	for i, a := range nearUUIDs {
		x := NewIndex()
		x.add(a, t0)
		for j, b := range nearUUIDs {
			if i != j && x.Contains(b) {
				t.Errorf("after adding %q the index contains %q", a, b)
			}
		}
	}
	x := NewIndex()
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
	f.Fuzz(func(t *testing.T, a, b string) {
		if u, ok := parseUUID(a); ok && uuid.UUID(u).String() != a {
			t.Fatalf("parseUUID(%q) decodes to %s", a, uuid.UUID(u))
		}
		x := NewIndex()
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
