package clean

import (
	"context"

	"github.com/finpipe/finpipe/delta"
)

// chunkRows is how many Bronze rows travel between the reader and the
// classifier at a time: enough to make the hand-over cheap.
const chunkRows = 1024

// classify reads the batch's Bronze files and classifies every record. The
// Parquet decoding and the classification (JSON parsing, validation,
// building Silver rows) take about as long as each other, so they run on
// two goroutines: on a multi-core machine a batch takes about half as long.
// Records reach b.add in file order, as a single loop would give them.
func classify(ctx context.Context, bronze *delta.Snapshot, files []delta.AddFile, b *batch) (records int, err error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	chunks := make(chan []delta.Row, 4)
	done := make(chan error, 1)
	go func() {
		var failed error
		for chunk := range chunks {
			for _, r := range chunk {
				if failed != nil {
					break
				}
				rec, err := parseBronze(r)
				if err != nil {
					failed = err
					cancel(err) // stop the reader
					break
				}
				records++
				b.add(rec)
			}
		}
		done <- failed
	}()
	chunk := make([]delta.Row, 0, chunkRows)
	err = bronze.ScanFiles(ctx, files, bronzeColumns, func(r delta.Row) error {
		chunk = append(chunk, r)
		if len(chunk) < chunkRows {
			return nil
		}
		select {
		case chunks <- chunk:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		chunk = make([]delta.Row, 0, chunkRows)
		return nil
	})
	if err == nil && len(chunk) > 0 {
		chunks <- chunk
	}
	close(chunks)
	if failed := <-done; failed != nil {
		return records, failed // the reader's error, if any, is its consequence
	}
	return records, err
}
