package clean

import (
	"maps"
	"testing"
)

// TestCountRejectedSeesEachCommittedReason: the process's counter is told
// the reasons of the rows clean committed to silver/rejected, once: a rerun
// that commits nothing counts nothing.
func TestCountRejectedSeesEachCommittedReason(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.ingest(msg{0, tx("a", t0)}, msg{0, "junk"}, msg{0, "[1]"}, msg{0, tx("a", t0)})
	got := map[string]int{}
	opts := Options{CountRejected: func(reason string, n int) { got[reason] += n }}
	f.run(opts)
	f.run(opts)
	if want := map[string]int{"malformed_json": 2, "duplicate": 1}; !maps.Equal(got, want) {
		t.Fatalf("counted %v, want %v", got, want)
	}
}
