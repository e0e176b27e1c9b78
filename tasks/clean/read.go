package clean

import (
	"context"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/internal/panics"
	"github.com/finpipe/finpipe/tasks/record"
)

// chunkRows is how many Bronze rows travel between the reader and the
// classifier at a time: enough to make the hand-over cheap.
const chunkRows = 1024

// classify reads the batch's Bronze files and classifies every record. An
// accepted record that a later-read one displaced as the original of a
// duplicate is rejected from a second read of the files: the batch keeps no
// Bronze values, and this happens only when one transaction id arrives on
// two partitions.
func classify(ctx context.Context, bronze *delta.Snapshot, files []delta.AddFile, b *batch) (records int, err error) {
	records, err = eachBronze(ctx, bronze, files, func(rec bronzeRecord) { b.add(rec) })
	if err != nil || len(b.displaced) == 0 {
		return records, err
	}
	_, err = eachBronze(ctx, bronze, files, func(rec bronzeRecord) {
		if detail, ok := b.displaced[position{rec.partition, rec.offset}]; ok {
			b.reject(rec, string(record.ReasonDuplicate), detail)
		}
	})
	return records, err
}

// eachBronze reads the Bronze files and calls fn with every record. The
// Parquet decoding and the classification (JSON parsing, validation,
// building Silver rows) take about as long as each other, so they run on
// two goroutines: on a multi-core machine a batch takes about half as long.
// Records reach fn in file order, as a single loop would give them.
func eachBronze(ctx context.Context, bronze *delta.Snapshot, files []delta.AddFile, fn func(bronzeRecord)) (records int, err error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	chunks := make(chan []delta.Row, 4)
	done := make(chan error, 1)
	go func() {
		// A panic here (in parsing or in fn, i.e. validation) must become
		// the run's error: unrecovered, it would end the whole process.
		failed := panics.Call(func() error {
			for chunk := range chunks {
				for _, r := range chunk {
					rec, err := parseBronze(r)
					if err != nil {
						return err
					}
					records++
					fn(rec)
				}
			}
			return nil
		})
		if failed != nil {
			cancel(failed) // stop the reader
			for range chunks {
				// let the reader hand over what it holds and finish
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
