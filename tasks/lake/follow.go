package lake

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/finpipe/finpipe/delta"
)

// Folder is in-memory state derived from a table's rows, such as clean's
// index of accepted transaction ids or aggregate's running totals.
type Folder interface {
	// Columns are the columns Fold needs, in the order it receives them.
	Columns() []string
	// Fold adds one row.
	Fold(delta.Row) error
	// Reset empties the state before a rebuild.
	Reset()
}

// Follower keeps a Folder in step with a table's versions, so that a
// long-running worker reads each row once: it folds in the files the table
// gained since (its change feed) rather than rescanning the table on every
// run, and rebuilds from a full scan only when it must.
type Follower struct {
	mu      sync.Mutex // held by the run using the state
	version int64      // table version the folder reflects; -1: none
	folder  Folder
}

// followers are a Lake's Followers, by name and table: state that lives as
// long as the Lake, so that whoever owns the Lake (the process) owns it too,
// and a test's own Lake shares nothing with another test's.
type followers struct {
	mu sync.Mutex
	m  map[string]*Follower
}

// Follow returns l's Follower named name for table t (one of l's tables),
// creating it with a fresh Folder on first use. A new Lake starts with none,
// as a restarted process does.
func (l *Lake) Follow(name string, t *delta.Table, newFolder func() Folder) *Follower {
	key := name + "\x00" + t.Path()
	l.followers.mu.Lock()
	defer l.followers.mu.Unlock()
	f := l.followers.m[key]
	if f == nil {
		if l.followers.m == nil {
			l.followers.m = map[string]*Follower{}
		}
		f = &Follower{version: -1, folder: newFolder()}
		l.followers.m[key] = f
	}
	return f
}

// At locks the follower and brings its Folder to snapshot s of table t; the
// caller uses the Folder, then calls unlock. It advances along the change
// feed when s is newer, and rebuilds when s is older (a recovery needs a
// past state), when rows were removed (a fold cannot be undone), or when
// the feed cannot be read (log cleaned up, files vacuumed).
func (f *Follower) At(ctx context.Context, t *delta.Table, s *delta.Snapshot) (Folder, func(), error) {
	f.mu.Lock()
	if f.version == s.Version() {
		return f.folder, f.mu.Unlock, nil
	}
	if f.version >= 0 && f.version < s.Version() && f.advance(ctx, t, s) == nil {
		return f.folder, f.mu.Unlock, nil
	}
	f.folder.Reset()
	f.version = -1
	if err := foldFiles(ctx, s, s.Files(), f.folder); err != nil {
		f.folder.Reset()
		f.mu.Unlock()
		return nil, nil, fmt.Errorf("read %s version %d: %w", t.Path(), s.Version(), err)
	}
	f.version = s.Version()
	return f.folder, f.mu.Unlock, nil
}

func (f *Follower) advance(ctx context.Context, t *delta.Table, s *delta.Snapshot) error {
	changes, err := t.Changes(ctx, f.version, s.Version())
	if err != nil {
		return err
	}
	var files []delta.AddFile
	for _, c := range changes {
		if len(c.Removes) > 0 {
			return fmt.Errorf("version %d removed rows", c.Version)
		}
		files = append(files, c.Adds...)
	}
	if err := foldFiles(ctx, s, files, f.folder); err != nil {
		f.version = -1 // half-folded: only a rebuild can fix it
		return err
	}
	f.version = s.Version()
	return nil
}

// Version is the table version the Folder reflects (-1: none). Call it
// only between At and unlock.
func (f *Follower) Version() int64 { return f.version }

// Committed tells a locked follower that its owner folded in the rows of
// the commit it just made, version v, itself: they are in memory already,
// so reading them back would be waste. It applies only when v directly
// follows the state's version; otherwise the next At reads the feed.
func (f *Follower) Committed(v int64, fold func()) {
	if v == f.version+1 {
		fold()
		f.version = v
	}
}

// foldFiles folds the rows of files into folder in file order, as one
// ScanFiles would, but decodes up to GOMAXPROCS files at once ahead of the
// fold: decoding Parquet is most of a follower's work (a refresh after a
// deferred backlog folds a file per Silver commit it missed), and a Folder
// is not safe for concurrent use, so only the decoding runs in parallel.
// At most that many files' rows are held at a time.
func foldFiles(ctx context.Context, s *delta.Snapshot, files []delta.AddFile, folder Folder) error {
	lanes := min(runtime.GOMAXPROCS(0), len(files))
	if lanes <= 1 {
		return s.ScanFiles(ctx, files, folder.Columns(), folder.Fold)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // an error stops the files still being decoded
	type decoded struct {
		rows []delta.Row
		err  error
	}
	out := make([]chan decoded, len(files))
	for i := range out {
		out[i] = make(chan decoded, 1)
	}
	ahead := make(chan struct{}, lanes) // a token per file decoded and not yet folded
	go func() {
		for i, file := range files {
			select {
			case ahead <- struct{}{}:
			case <-ctx.Done():
				out[i] <- decoded{err: ctx.Err()}
				return
			}
			go func() {
				var rows []delta.Row // ScanFiles' rows are fresh and may be kept
				err := s.ScanFiles(ctx, []delta.AddFile{file}, folder.Columns(), func(r delta.Row) error {
					rows = append(rows, r)
					return nil
				})
				out[i] <- decoded{rows, err}
			}()
		}
	}()
	for i := range files {
		d := <-out[i]
		if d.err != nil {
			return d.err
		}
		for _, r := range d.rows {
			if err := folder.Fold(r); err != nil {
				return err
			}
		}
		<-ahead
	}
	return nil
}
