package delta

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/RoaringBitmap/roaring/v2/roaring64"
)

// scanAheadBatches is how many decoded batches of one file may wait for
// the caller: room for a decoder to run ahead of a slow callback, while a
// scan holds at most (scanAheadBatches+1) batches per file being decoded,
// and decodes at most GOMAXPROCS files at once.
const scanAheadBatches = 4

// scanBatch is a run of decoded rows of one file, or the error that ended
// that file.
type scanBatch struct {
	rows []Row
	err  error
}

// scanAll reads files and calls fn with their rows, in file order and in
// each file's row order, as a sequential read would: callers rely on the
// order (a retry must decide the same way). Their deletion vectors are all
// loaded and checked first, so that a missing or damaged one fails the
// scan before any row is returned.
//
// Decoding happens off the caller's goroutine, up to GOMAXPROCS files at
// once, while fn runs on the caller's: Parquet decoding was most of every
// pipeline step's read time, and on one goroutine it left the other cores
// idle. Files are taken in order and each has a small queue, so memory
// stays bounded whatever the number or size of files. No goroutine
// outlives the call.
func (s *Snapshot) scanAll(ctx context.Context, files []AddFile, proj []projected, fn func(Row) error) error {
	deleted := map[string]*roaring64.Bitmap{}
	for _, f := range files {
		if f.DeletionVector == nil {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		bm, err := s.deletedRows(ctx, f)
		if err != nil {
			return err
		}
		deleted[f.Path] = bm
	}
	if len(files) == 0 {
		return ctx.Err()
	}
	queues := make([]chan scanBatch, len(files))
	for i := range queues {
		queues[i] = make(chan scanBatch, scanAheadBatches)
	}
	// The decoders stop when the caller's context ends or this call
	// returns (fn failed, or a file did).
	dctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		stop()
		wg.Wait()
	}()
	var next atomic.Int64
	for range min(runtime.GOMAXPROCS(0), len(files)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(files) {
					return
				}
				s.decodeInto(dctx, files[i], deleted[files[i].Path], proj, queues[i])
			}
		}()
	}
	for _, q := range queues {
		for b := range q {
			if b.err != nil {
				return b.err
			}
			for _, r := range b.rows {
				if err := fn(r); err != nil {
					return err
				}
			}
		}
		// A queue closed early means its decoder was stopped, which
		// before this returns only the caller's context does.
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// decodeInto decodes one file into q and closes it; the error that ends
// the file, if any, is its last item. Once ctx ends nobody reads q, and it
// gives up.
func (s *Snapshot) decodeInto(ctx context.Context, add AddFile, deleted *roaring64.Bitmap, proj []projected, q chan<- scanBatch) {
	defer close(q)
	send := func(b scanBatch) error {
		select {
		case q <- b:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err := s.decodeFile(ctx, add, deleted, proj, func(rows []Row) error { return send(scanBatch{rows: rows}) }); err != nil {
		_ = send(scanBatch{err: err}) // nil unless ctx ended, when nobody reads
	}
}
