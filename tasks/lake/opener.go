package lake

import (
	"sync"

	"github.com/finpipe/finpipe/delta"
)

// Opener returns a function that opens (and creates) the lake in dir on its
// first successful call and returns that same Lake afterwards. The process
// that runs the pipeline owns it: task bodies call it on every run, so the
// tables' cached snapshots and the Followers survive between runs, and a run
// reads only the commits made since the previous one instead of replaying
// each log. A failed open is not remembered, so the next run tries again.
// observe, when not nil, is told of every commit to the lake's tables (the
// process's metrics).
func Opener(dir string, observe delta.CommitObserver) func() (*Lake, error) {
	var mu sync.Mutex
	var l *Lake
	return func() (*Lake, error) {
		mu.Lock()
		defer mu.Unlock()
		if l != nil {
			return l, nil
		}
		opened, err := Open(dir)
		if err != nil {
			return nil, err
		}
		opened.Observe(observe)
		l = opened
		return l, nil
	}
}
