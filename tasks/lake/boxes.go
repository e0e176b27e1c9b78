package lake

import "time"

// A delta.Row holds its values as interfaces, and converting a string or a
// time.Time to an interface allocates. Values that repeat across a batch
// (the topic, one ingested_at per run, a handful of dates, currencies and
// statuses) are boxed once by these caches instead of once per row: at
// 100,000 rows/s that is a large share of the garbage collector's work.

// TimeBox boxes a run of equal timestamps once.
type TimeBox struct {
	last time.Time
	box  any
}

// Box returns t as an interface, reusing the previous one when t is equal.
func (b *TimeBox) Box(t time.Time) any {
	if b.box == nil || !t.Equal(b.last) {
		b.last, b.box = t, t
	}
	return b.box
}

// StringBoxes boxes low-cardinality strings (currencies, statuses) once
// each. Use it only for columns with a small set of values: it keeps them
// all.
type StringBoxes map[string]any

// Box returns s as an interface, boxed once per distinct value.
func (m StringBoxes) Box(s string) any {
	if b, ok := m[s]; ok {
		return b
	}
	if len(m) > 4096 { // not low-cardinality after all: stop caching
		return s
	}
	m[s] = s
	return s
}

// Cells hands out rows of a fixed width carved from large blocks: one
// allocation per block instead of one per row.
type Cells struct {
	width int
	block []any
}

// NewCells prepares rows of width values, expecting about n of them.
func NewCells(width, n int) *Cells {
	return &Cells{width: width, block: make([]any, 0, width*max(n, 1))}
}

// Row returns a zeroed row of the width.
func (c *Cells) Row() []any {
	if len(c.block)+c.width > cap(c.block) {
		c.block = make([]any, 0, c.width*1024)
	}
	n := len(c.block)
	c.block = c.block[:n+c.width]
	return c.block[n : n+c.width : n+c.width]
}
