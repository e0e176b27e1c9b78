package clean

import (
	"fmt"
	"hash/maphash"
	"time"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/tasks/lake"
)

// idKey is a 128-bit hash of a transaction_id. Two independent 64-bit
// hashes make an accidental collision (which would drop a real transaction
// as a duplicate) about 1 in 10^20 at ten million ids, while a key costs 16
// bytes instead of a string header plus the id's bytes.
type idKey [2]uint64

// hasher hashes ids with per-process random seeds: the index lives in memory
// only, so stability across processes is not needed.
type hasher struct{ a, b maphash.Seed }

func newHasher() hasher { return hasher{a: maphash.MakeSeed(), b: maphash.MakeSeed()} }

func (h hasher) key(id string) idKey {
	return idKey{maphash.String(h.a, id), maphash.String(h.b, id)}
}

// Index is what the clean task must know about Silver to judge a batch: the
// transaction ids already accepted (duplicate rule) and the newest event
// time accepted (late_event's watermark). A lake.Follower keeps it at one
// Silver version, advanced along Silver's change feed, so a long-running
// worker pays for each Silver row once.
type Index struct {
	// MaxEventTime is the newest event_time in Silver (zero when empty).
	MaxEventTime time.Time

	h   hasher
	ids map[idKey]struct{}
}

var _ lake.Folder = (*Index)(nil)

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{h: newHasher(), ids: make(map[idKey]struct{})}
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
func (x *Index) Len() int { return len(x.ids) }

// Contains reports whether Silver holds the transaction id.
func (x *Index) Contains(id string) bool {
	_, ok := x.ids[x.h.key(id)]
	return ok
}

// add records an accepted transaction.
func (x *Index) add(id string, eventTime time.Time) {
	x.ids[x.h.key(id)] = struct{}{}
	if eventTime.After(x.MaxEventTime) {
		x.MaxEventTime = eventTime
	}
}

// Reset empties the index before a rebuild.
func (x *Index) Reset() {
	x.MaxEventTime = time.Time{}
	clear(x.ids)
}
