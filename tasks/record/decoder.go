package record

import "unsafe"

// A Decoder validates messages exactly as ValidateArrival does, for a loop
// that validates many of them (the clean task, 100,000 records a second):
// it allocates per message only what is new. ValidateArrival copies every
// string field out of the message, some eight allocations per transaction,
// which were most of the garbage the clean step made; yet the user ids,
// merchants, categories, countries and payment methods of a stream repeat.
//
// So a Decoder returns the same string for the same text of those fields
// (strings are immutable, so sharing is safe), and copies the transaction
// ids, which do not repeat, into large blocks that it never writes again. A transaction's strings therefore
// keep a whole block alive: hold them only as long as a batch lives, and
// copy one (strings.Clone) before keeping it longer.
//
// A Decoder is not safe for concurrent use: give each goroutine its own.
// The zero value is ready to use.
type Decoder struct {
	block []byte                  // ids' bytes; what is handed out is never rewritten
	strs  map[string]sharedString // the repeated field values seen, each once
	boxes Boxes                   // of the last transaction accepted
}

// Boxes are the fields of the transaction a Decoder accepted last whose
// value it shares, as interfaces, boxed once per value: a row of a Delta
// table holds its values as interfaces, and boxing a string allocates, so
// the values that repeat are boxed with their sharing. A field is nil when
// its value is not shared (or absent): box it yourself.
//
// Amounts are not shared: a map of recent amounts, tried, cost more in
// lookups (cache misses) than the allocations it saved.
type Boxes struct {
	UserID, Currency, Merchant, Category, Country, PaymentMethod, Status any
}

// sharedString is a shared value with its box (nil when not shared).
type sharedString struct {
	s   string
	box any
}

const (
	// decoderBlock is the size of the blocks ids are copied into: some
	// 1,800 UUIDs each.
	decoderBlock = 64 << 10
	// maxShared bounds the values a Decoder shares: a field that turns out not to repeat (a stream of a million
	// users) must not grow it without end. Beyond it values are copied.
	maxShared = 1 << 14
)

// Validate is ValidateArrival(msg, at) with the Decoder's memory reuse.
func (d *Decoder) Validate(msg []byte, at Arrival) (Transaction, *Rejection) {
	d.boxes = Boxes{}
	return validate(msg, at, d)
}

// Boxes returns the boxes of the transaction Validate accepted last.
func (d *Decoder) Boxes() Boxes { return d.boxes }

// unique returns b as a string of its own bytes (copied from msg, which the
// caller may reuse): in the Decoder's current block, or newly allocated
// without a Decoder.
func (d *Decoder) unique(b []byte) string {
	if d == nil || len(b) == 0 || len(b) > decoderBlock/16 {
		return string(b)
	}
	if cap(d.block)-len(d.block) < len(b) {
		d.block = make([]byte, 0, decoderBlock)
	}
	start := len(d.block)
	d.block = append(d.block, b...)
	// The block's bytes from start on are never written again: appends
	// only go past len, and a full block is replaced, not reset.
	return unsafe.String(&d.block[start], len(b))
}

// shared returns b as a string, the same one (and its box) for the same
// text while the Decoder holds fewer than maxShared values.
func (d *Decoder) shared(b []byte) sharedString {
	if d == nil {
		return sharedString{s: string(b)}
	}
	if s, ok := d.strs[string(b)]; ok { // the lookup does not allocate
		return s
	}
	if len(d.strs) >= maxShared {
		return sharedString{s: d.unique(b)}
	}
	if d.strs == nil {
		d.strs = map[string]sharedString{}
	}
	s := string(b)
	d.strs[s] = sharedString{s, s}
	return d.strs[s]
}

// transient views b as a string without copying, for a call that does not
// keep its argument (time.Parse on success, map lookups): b must not change
// while the string is in use.
func transient(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
