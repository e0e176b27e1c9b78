package clean

import (
	"fmt"
	"time"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/tasks/lake"
)

// Index is what the clean task must know about Silver to judge a batch: the
// transaction ids already accepted (duplicate rule) and the newest event
// time accepted (late_event's watermark). A lake.Follower keeps it at one
// Silver version, advanced along Silver's change feed, so a long-running
// worker pays for each Silver row once.
//
// The ids are held exactly (a hash alone could reject a valid transaction as
// a duplicate of another), yet compactly: producers almost always use UUIDs,
// and an id in the canonical lower-case UUID form is held as its 16 bytes,
// which map back to that text one to one. Any other id is held as a string.
type Index struct {
	// MaxEventTime is the newest event_time in Silver (zero when empty).
	MaxEventTime time.Time

	uuids  map[[16]byte]struct{}
	others map[string]struct{}
}

var _ lake.Folder = (*Index)(nil)

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{uuids: make(map[[16]byte]struct{}), others: make(map[string]struct{})}
}

// Columns are the Silver columns the index reads.
func (x *Index) Columns() []string { return []string{"transaction_id", "event_time"} }

// Fold adds one Silver row of Columns.
func (x *Index) Fold(r delta.Row) error {
	id, ok1 := r[0].(string)
	et, ok2 := r[1].(time.Time)
	if !ok1 || !ok2 {
		return fmt.Errorf("silver row with a null transaction_id or event_time: %v", r)
	}
	x.add(id, et)
	return nil
}

// Len is the number of distinct transaction ids held.
func (x *Index) Len() int { return len(x.uuids) + len(x.others) }

// Contains reports whether Silver holds the transaction id.
func (x *Index) Contains(id string) bool {
	if u, ok := parseUUID(id); ok {
		_, found := x.uuids[u]
		return found
	}
	_, found := x.others[id]
	return found
}

// add records an accepted transaction.
func (x *Index) add(id string, eventTime time.Time) {
	if u, ok := parseUUID(id); ok {
		x.uuids[u] = struct{}{}
	} else {
		x.others[id] = struct{}{}
	}
	if eventTime.After(x.MaxEventTime) {
		x.MaxEventTime = eventTime
	}
}

// Reset empties the index before a rebuild.
func (x *Index) Reset() {
	x.MaxEventTime = time.Time{}
	clear(x.uuids)
	clear(x.others)
}

// parseUUID decodes s when it is a UUID in canonical form: 36 characters,
// lower-case hex digits in groups of 8-4-4-4-12, the hyphens at exactly
// those four places. Only that one spelling is accepted, so that the 16
// bytes map back to exactly one text and distinct ids never share a key:
// "A…" and "a…" are different transaction ids (the upper-case one is held
// as a string), and so are "ab-cd-ef-1234-…" and "abcdef12-3456-…", which
// have the same hex digits with the hyphens elsewhere.
func parseUUID(s string) (u [16]byte, ok bool) {
	if len(s) != 36 {
		return u, false
	}
	j := 0
	for i := 0; i < 36; {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if s[i] != '-' {
				return u, false
			}
			i++
			continue
		}
		// Hex pairs never straddle a hyphen: every group has an even length.
		hi, ok1 := lowerHex(s[i])
		lo, ok2 := lowerHex(s[i+1])
		if !ok1 || !ok2 {
			return u, false
		}
		u[j] = hi<<4 | lo
		i, j = i+2, j+1
	}
	return u, true
}

func lowerHex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}
