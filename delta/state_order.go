package delta

import (
	"maps"
	"slices"
	"strings"
)

// Files must come sorted by path, and sorting 100,000 files cost ~0.1 s
// of a cold snapshot load (long common prefixes make every comparison
// slow). A checkpoint written by writeCheckpoint already lists its adds in
// path order, so the state keeps that order and, beside it, the paths
// added after the checkpoint: sortedFiles then merges the two instead of
// sorting everything.

// noteCheckpointOrder records the checkpoint's add paths as the state's
// base order when they are strictly ascending (other engines' checkpoints
// need not be: their files are then sorted in full).
func (s *tableState) noteCheckpointOrder(adds []AddFile) {
	for i := 1; i < len(adds); i++ {
		if adds[i-1].Path >= adds[i].Path {
			return
		}
	}
	s.ordered = make([]string, len(adds))
	for i, a := range adds {
		s.ordered[i] = a.Path
	}
	s.addedSince = nil
}

// sortedFiles returns the live files sorted by path.
func (s *tableState) sortedFiles() []AddFile {
	byPath := func(a, b AddFile) int { return strings.Compare(a.Path, b.Path) }
	out := make([]AddFile, 0, len(s.files))
	if s.ordered == nil {
		for _, f := range s.files {
			out = append(out, f)
		}
		slices.SortFunc(out, byPath)
		return out
	}
	for _, p := range s.ordered {
		if f, ok := s.files[p]; ok {
			out = append(out, f)
		}
	}
	// The later adds still live and not already in the base order, sorted.
	var extra []AddFile
	for _, p := range slices.Compact(slices.Sorted(slices.Values(s.addedSince))) {
		f, live := s.files[p]
		if _, inBase := slices.BinarySearch(s.ordered, p); live && !inBase {
			extra = append(extra, f)
		}
	}
	if len(extra) == 0 {
		return out
	}
	merged := make([]AddFile, 0, len(out)+len(extra))
	i, j := 0, 0
	for i < len(out) && j < len(extra) {
		if out[i].Path < extra[j].Path {
			merged, i = append(merged, out[i]), i+1
		} else {
			merged, j = append(merged, extra[j]), j+1
		}
	}
	return append(append(merged, out[i:]...), extra[j:]...)
}

// rebaseOrder makes the live files the base order again once more paths
// were added since the base than there are live files: a cached snapshot
// of a long-running process advances for ever, and addedSince would hold
// the path of every file ever added (compaction and Gold's rewrites
// remove most of them), costing memory and a sort of them all in every
// sortedFiles. Sorting the live paths here instead costs O(log n) per
// add, amortized.
func (s *tableState) rebaseOrder() {
	if s.ordered == nil || len(s.addedSince) <= len(s.files) {
		return
	}
	s.ordered = slices.Sorted(maps.Keys(s.files)) // a new slice: clones share the old one
	s.addedSince = nil
}
