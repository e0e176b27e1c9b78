package delta

import (
	"time"
	"unsafe"

	"github.com/shopspring/decimal"
)

// boxable lists the Row value types a scan boxes from a slab. Each is
// stored indirectly in an interface (never pointer-shaped), which is what
// slab.box relies on; the constraint keeps any other type out at compile
// time. bool and int8 are absent: Go boxes them without allocating.
type boxable interface {
	string | []byte | int64 | int32 | int16 | float64 | float32 | time.Time | decimal.Decimal
}

// slabLen is how many values one slab allocation holds.
const slabLen = 256

// slab boxes values of one type for Rows without one allocation each.
//
// A Row is []any, so every decoded int64, string header, timestamp or
// decimal would otherwise be a separate heap object (Go allocates the box
// when a non-pointer value becomes an interface): on Silver that was most
// of a scan's allocations and GC work. A slab allocates slabLen values at
// once and makes interfaces that point into it, exactly as Go's own boxes
// point at their copy. An interface keeps its whole slab alive, so a
// caller that keeps one value keeps slabLen values' worth of memory (a few
// kilobytes); a value taken out of the interface (r[i].(string)) is a
// copy and keeps nothing. Values in a slab are never written again once
// boxed, as interface values must be immutable.
type slab[T boxable] struct {
	typ  unsafe.Pointer // T's type word in an interface
	free []T
}

// eface is the layout of an interface{} value in the Go runtime: the type
// word, then for the types of boxable a pointer to the value.
type eface struct {
	typ, data unsafe.Pointer
}

func newSlab[T boxable]() *slab[T] {
	var zero T
	var x any = zero
	return &slab[T]{typ: (*eface)(unsafe.Pointer(&x)).typ}
}

// box returns v as an interface whose value lives in the slab.
func (s *slab[T]) box(v T) any {
	if len(s.free) == 0 {
		s.free = make([]T, slabLen)
	}
	p := &s.free[0]
	*p = v
	s.free = s.free[1:]
	e := eface{typ: s.typ, data: unsafe.Pointer(p)}
	return *(*any)(unsafe.Pointer(&e))
}
