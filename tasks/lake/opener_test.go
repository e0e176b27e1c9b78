package lake

import (
	"testing"
	"time"
)

// An Opener opens its lake once, and the observer it was given sees the
// commits to that lake's tables: the process's metrics, owned by it, not a
// package variable.
func TestOpenerOpensOnceAndObservesCommits(t *testing.T) {
	t.Parallel()
	var seen []string
	open := Opener(t.TempDir(), func(path string, _ time.Duration, _ int, rows int64) {
		seen = append(seen, path)
	})
	l, err := open()
	if err != nil {
		t.Fatal(err)
	}
	if again, err := open(); err != nil || again != l {
		t.Fatalf("second call: %p, %v; want the same Lake %p", again, err, l)
	}
	appendOffsets(t, l.Bronze, 0)
	if len(seen) != 1 || seen[0] != l.Bronze.Path() {
		t.Fatalf("observer saw %q, want one commit to %s", seen, l.Bronze.Path())
	}
	other, err := Open(l.Dir) // another owner's lake reports nothing to this one's observer
	if err != nil {
		t.Fatal(err)
	}
	appendOffsets(t, other.Bronze, 1)
	if len(seen) != 1 {
		t.Fatalf("observer saw another Lake's commit: %q", seen)
	}
}
