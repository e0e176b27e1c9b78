package clean

import (
	"hash/maphash"
	"time"
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
// time accepted (late_event's watermark). It reflects Silver exactly at
// Version, and is advanced from Silver's change feed rather than rebuilt, so
// a long-running worker pays for each Silver row once.
type Index struct {
	// Version is the Silver table version the index reflects; -1 when empty
	// and not yet loaded.
	Version int64
	// MaxEventTime is the newest event_time in Silver (zero when empty).
	MaxEventTime time.Time

	h   hasher
	ids map[idKey]struct{}
}

// NewIndex returns an empty index that reflects no Silver version yet.
func NewIndex() *Index {
	return &Index{Version: -1, h: newHasher(), ids: make(map[idKey]struct{})}
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

// reset empties the index, e.g. before a rebuild after Silver rows were
// deleted (an index can only grow incrementally).
func (x *Index) reset() {
	x.Version = -1
	x.MaxEventTime = time.Time{}
	clear(x.ids)
}
