package lake

import (
	"path/filepath"
	"sync"
)

var (
	sharedMu sync.Mutex
	shared   = map[string]*Lake{}
)

// Shared returns the process's one Lake for dir, opening (and creating) it
// on first use. Task bodies call it on every run: the tables' cached
// snapshots then survive between runs, so a run reads only the commits made
// since the previous one instead of replaying each log. A failed open is not
// remembered, so the next run tries again.
func Shared(dir string) (*Lake, error) {
	key, err := filepath.Abs(dir)
	if err != nil {
		key = dir
	}
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if l := shared[key]; l != nil {
		return l, nil
	}
	l, err := Open(dir)
	if err != nil {
		return nil, err
	}
	shared[key] = l
	return l, nil
}
