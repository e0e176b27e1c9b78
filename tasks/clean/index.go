package clean

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
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
//
// Only the ids that can still matter are held, so that memory is bounded by
// the lateness window rather than by Silver's history (some 225 B per id: a
// stream that runs for months would otherwise grow without end). The ids are
// kept per event date, and a date is dropped once the watermark (newest
// event time minus the allowed lateness) has passed its end: a record with
// an event time before the watermark is late_event before the duplicate
// rule is asked. So a duplicate, a re-send of a transaction with its event
// time, is caught whenever it is within the allowed lateness of the newest
// event time; beyond that it is late anyway.
type Index struct {
	// MaxEventTime is the newest event_time in Silver (zero when empty).
	MaxEventTime time.Time

	lateness time.Duration // the window; 0 keeps every date
	days     map[int64]*idSet
	sets     []*idSet // days' values, for has: ranging over a map costs more than a lookup
	oldest   int64    // no date before it is held (once MaxEventTime is set)
}

// idSet holds the accepted ids of one event date, split by a hash of the
// id into shards that can be filled at the same time: adding a batch's
// ids (addAll) is one goroutine per core.
type idSet [idShards]idShard

const idShards = 4

type idShard struct {
	uuids  map[[16]byte]struct{}
	others map[string]struct{}
}

func newIDSet() *idSet {
	d := new(idSet)
	for i := range d {
		d[i] = idShard{uuids: map[[16]byte]struct{}{}, others: map[string]struct{}{}}
	}
	return d
}

func (d *idSet) len() int {
	n := 0
	for i := range d {
		n += len(d[i].uuids) + len(d[i].others)
	}
	return n
}

func (d *idSet) has(k idKey) bool {
	s := &d[k.shard()]
	if k.other == "" {
		_, found := s.uuids[k.uuid]
		return found
	}
	_, found := s.others[k.other]
	return found
}

func (d *idSet) add(k idKey) {
	s := &d[k.shard()]
	if k.other == "" {
		s.uuids[k.uuid] = struct{}{}
	} else {
		// A copy: the id may share the memory of a whole batch's ids
		// (record.Decoder), which the index would otherwise keep for days.
		s.others[strings.Clone(k.other)] = struct{}{}
	}
}

var _ lake.Folder = (*Index)(nil)

// NewIndex returns an empty index for the allowed lateness; 0 keeps the ids
// of every date.
func NewIndex(lateness time.Duration) *Index {
	return &Index{lateness: lateness, days: map[int64]*idSet{}}
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
func (x *Index) Len() int {
	n := 0
	for _, d := range x.days {
		n += d.len()
	}
	return n
}

// Days is the number of event dates whose ids are held.
func (x *Index) Days() int { return len(x.days) }

// idKey is a transaction id as the index holds it: a canonical UUID as its
// 16 bytes, any other id as its text. clean's judges make it once per
// record, on every core, for both the lookup and the later add.
type idKey struct {
	uuid  [16]byte
	other string // "" for a UUID; any other id, escaped by otherKey
}

func keyOf(id string) idKey {
	if u, ok := parseUUID(id); ok {
		return idKey{uuid: u}
	}
	return idKey{other: otherKey(id)}
}

// otherKey keeps a non-UUID id apart from every UUID, whose key has an
// empty other: an empty id, or one that starts with NUL, gets one more NUL
// in front. The validator admits neither (an id is 1–64 characters of
// [A-Za-z0-9_.:-]), so for Silver's ids this is the id itself; it keeps the
// index exact for any string, as its fuzzer checks.
func otherKey(id string) string {
	if id == "" || id[0] == 0 {
		return "\x00" + id
	}
	return id
}

// shard is the idSet shard of the id: for a UUID its last byte, random in
// the common versions; for any other id an FNV-1a hash of it.
func (k idKey) shard() int {
	if k.other == "" {
		return int(k.uuid[15] % idShards)
	}
	h := uint32(2166136261)
	for i := 0; i < len(k.other); i++ {
		h = (h ^ uint32(k.other[i])) * 16777619
	}
	return int(h % idShards)
}

// Contains reports whether Silver holds the transaction id among the event
// dates still held.
func (x *Index) Contains(id string) bool { return x.has(keyOf(id)) }

func (x *Index) has(k idKey) bool {
	for _, d := range x.sets {
		if d.has(k) {
			return true
		}
	}
	return false
}

// add records an accepted transaction, then drops the dates the watermark
// has passed.
func (x *Index) add(id string, eventTime time.Time) { x.addKey(keyOf(id), eventTime) }

func (x *Index) addKey(k idKey, eventTime time.Time) {
	if eventTime.After(x.MaxEventTime) {
		x.MaxEventTime = eventTime
		x.dropPassedDays()
	}
	day := dayOf(eventTime)
	if x.lateness > 0 && day < x.oldest {
		return // already beyond the watermark: any re-send of it is late
	}
	x.dayOf(day).add(k)
}

// dayOf returns the set of a date, made when new.
func (x *Index) dayOf(day int64) *idSet {
	d := x.days[day]
	if d == nil {
		d = newIDSet()
		x.days[day] = d
		x.sets = append(x.sets, d)
	}
	return d
}

// indexEntry is an accepted transaction for addAll.
type indexEntry struct {
	key       idKey
	eventTime time.Time
	day       int64
}

// addAll adds the entries as add would one by one, each shard on a
// goroutine of its own (up to one per core). The result is the same: add
// keeps an id unless its date is before the watermark, the watermark only
// moves forward, and the dates it passes are dropped; so the ids kept are
// those whose dates are not before the final watermark, whatever the
// order, and that watermark is known before any id is added.
func (x *Index) addAll(entries []indexEntry) {
	newest := x.MaxEventTime
	for i := range entries {
		if e := &entries[i]; e.eventTime.After(newest) {
			newest = e.eventTime
		}
	}
	if newest.After(x.MaxEventTime) {
		x.MaxEventTime = newest
		x.dropPassedDays()
	}
	keep := func(day int64) bool { return x.lateness <= 0 || day >= x.oldest }
	for i := range entries {
		if e := &entries[i]; keep(e.day) {
			x.dayOf(e.day) // the days map is not written below
		}
	}
	workers := min(runtime.GOMAXPROCS(0), idShards, 1+len(entries)/4096)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range entries {
				e := &entries[i]
				if s := e.key.shard(); s%workers == w && keep(e.day) {
					x.days[e.day].add(e.key)
				}
			}
		}()
	}
	wg.Wait()
}

// dropPassedDays forgets the dates that end before the watermark.
func (x *Index) dropPassedDays() {
	if x.lateness <= 0 {
		return
	}
	x.oldest = dayOf(x.MaxEventTime.Add(-x.lateness))
	for day := range x.days {
		if day < x.oldest {
			delete(x.days, day)
		}
	}
	x.sets = x.sets[:0]
	for _, d := range x.days {
		x.sets = append(x.sets, d)
	}
}

// dayOf is the number of the UTC date of t (days since 1970-01-01, negative
// before).
func dayOf(t time.Time) int64 {
	const day = 24 * 60 * 60
	s := t.Unix()
	if s < 0 {
		return (s - day + 1) / day
	}
	return s / day
}

// Reset empties the index before a rebuild.
func (x *Index) Reset() {
	x.MaxEventTime = time.Time{}
	x.oldest = 0
	clear(x.days)
	x.sets = nil
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
	v := lowerHexValue[c]
	return v & 0xf, v != 0
}

// lowerHexValue is 0x10 | the value of each lower-case hex digit, 0 for
// any other byte: a table, since parseUUID runs for every record.
var lowerHexValue = func() (t [256]byte) {
	for c := '0'; c <= '9'; c++ {
		t[c] = 0x10 | byte(c-'0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = 0x10 | byte(c-'a'+10)
	}
	return t
}()
