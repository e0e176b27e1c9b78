package clean

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/finpipe/finpipe/delta"
)

// cachedIndex is the index of one Silver table, kept across runs of a
// worker process so that each run reads only what Silver gained since.
type cachedIndex struct {
	mu    sync.Mutex // held for a whole run: one clean at a time per table
	index *Index
}

var (
	cacheMu sync.Mutex
	cache   = map[string]*cachedIndex{} // by Silver table path
)

// indexAt returns the index of Silver exactly at snapshot s, locked until
// unlock is called. It advances the cached index along Silver's change
// feed, or rebuilds it from a full scan when it is ahead of s (another
// process rewrote history, or a recovery needs an older state) or when
// Silver lost rows.
func indexAt(ctx context.Context, t *delta.Table, s *delta.Snapshot) (*Index, func(), error) {
	cacheMu.Lock()
	c := cache[t.Path()]
	if c == nil {
		c = &cachedIndex{index: NewIndex()}
		cache[t.Path()] = c
	}
	cacheMu.Unlock()
	c.mu.Lock()
	x := c.index
	if err := advance(ctx, t, s, x); err != nil {
		x.reset() // half-advanced: never trust it
		c.mu.Unlock()
		return nil, nil, err
	}
	return x, c.mu.Unlock, nil
}

// advance brings x to snapshot s: along the change feed when it can, else
// by a full rebuild.
func advance(ctx context.Context, t *delta.Table, s *delta.Snapshot, x *Index) error {
	if x.Version == s.Version() {
		return nil
	}
	if x.Version >= 0 && x.Version < s.Version() && advanceByChanges(ctx, t, s, x) == nil {
		return nil
	}
	x.reset()
	if err := scanIDs(ctx, s, s.Files(), x); err != nil {
		return err
	}
	x.Version = s.Version()
	return nil
}

// advanceByChanges adds the rows Silver gained after x.Version. It fails,
// leaving a rebuild to the caller, when rows were removed (the index cannot
// forget ids) or the feed is unreadable (log cleaned up, files vacuumed).
func advanceByChanges(ctx context.Context, t *delta.Table, s *delta.Snapshot, x *Index) error {
	changes, err := t.Changes(ctx, x.Version, s.Version())
	if err != nil {
		return err
	}
	var files []delta.AddFile
	for _, c := range changes {
		if len(c.Removes) > 0 {
			return fmt.Errorf("silver version %d removed rows", c.Version)
		}
		files = append(files, c.Adds...)
	}
	if err := scanIDs(ctx, s, files, x); err != nil {
		return err
	}
	x.Version = s.Version()
	return nil
}

// indexColumns are the only Silver columns the index needs.
var indexColumns = []string{"transaction_id", "event_time"}

func scanIDs(ctx context.Context, s *delta.Snapshot, files []delta.AddFile, x *Index) error {
	err := s.ScanFiles(ctx, files, indexColumns, func(r delta.Row) error {
		id, ok1 := r[0].(string)
		et, ok2 := r[1].(time.Time)
		if !ok1 || !ok2 {
			return fmt.Errorf("silver row with a null transaction_id or event_time: %v", r)
		}
		x.add(id, et)
		return nil
	})
	if err != nil {
		return fmt.Errorf("clean: index silver: %w", err)
	}
	return nil
}
