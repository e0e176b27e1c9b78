package clean

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

// BenchmarkIndexContains: the duplicate lookup of a new id (the common case,
// which asks every date held) with three dates of 100,000 ids each.
func BenchmarkIndexContains(b *testing.B) {
	x := NewIndex(48 * time.Hour)
	for d := 0; d < 3; d++ {
		for i := 0; i < 100_000; i++ {
			x.add(uuid.NewString(), t0.Add(time.Duration(d)*24*time.Hour))
		}
	}
	probe := uuid.NewString()
	b.ReportAllocs()
	for b.Loop() {
		if x.Contains(probe) {
			b.Fatal("found")
		}
	}
}
