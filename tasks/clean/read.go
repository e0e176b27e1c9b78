package clean

import (
	"context"
	"runtime"
	"sync"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/internal/panics"
	"github.com/finpipe/finpipe/tasks/record"
)

// chunkRows is how many Bronze rows travel between the reader, the judges
// and the settler at a time: enough to make the hand-over cheap.
const chunkRows = 1024

// classify reads the batch's Bronze files and classifies every record. An
// accepted record that a later-read one displaced as the original of a
// duplicate is rejected from a second read of the files: the batch keeps no
// Bronze values, and this happens only when one transaction id arrives on
// two partitions.
func classify(ctx context.Context, bronze *delta.Snapshot, files []delta.AddFile, b *batch) (records int, err error) {
	records, err = eachJudged(ctx, bronze, files, b.judge, b.settle)
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

// eachBronze reads the Bronze files and calls fn with every record, in file
// order, on one goroutine (see eachJudged).
func eachBronze(ctx context.Context, bronze *delta.Snapshot, files []delta.AddFile, fn func(bronzeRecord)) (records int, err error) {
	return eachJudged(ctx, bronze, files, func(rec bronzeRecord) bronzeRecord { return rec }, fn)
}

// eachJudged reads the Bronze files, calls judge with every record and
// settle with every verdict, in file order. The three stages run on their
// own goroutines, chunk by chunk: the Parquet decoding on the caller's, the
// judging (JSON parsing and the rules that look only at the record and at
// Silver as committed before the batch) on one goroutine per core, since
// it is most of a batch's work, and settling (what depends on the records
// before: in-batch duplicates, the rows kept) on one goroutine, in order.
// So judge must be safe to call concurrently; settle sees verdicts as a
// single loop over the files would give them.
//
// A panic in judge or settle becomes the returned error: unrecovered, on a
// goroutine of its own, it would end the whole process.
func eachJudged[T any](ctx context.Context, bronze *delta.Snapshot, files []delta.AddFile, judge func(bronzeRecord) T, settle func(T)) (records int, err error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	type job struct {
		rows []delta.Row
		out  chan []T // closed without a value when the job failed
	}
	workers := max(1, runtime.GOMAXPROCS(0))
	jobs := make(chan job, workers)
	order := make(chan chan []T, 2*workers+2) // the jobs' results, in file order
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				var verdicts []T
				failed := panics.Call(func() error {
					verdicts = make([]T, 0, len(j.rows))
					for _, r := range j.rows {
						rec, err := parseBronze(r)
						if err != nil {
							return err
						}
						verdicts = append(verdicts, judge(rec))
					}
					return nil
				})
				if failed != nil {
					cancel(failed)
					close(j.out)
					continue
				}
				j.out <- verdicts
			}
		}()
	}
	settled := make(chan error, 1)
	go func() {
		failed := panics.Call(func() error {
			for out := range order {
				verdicts, ok := <-out
				if !ok {
					return context.Cause(ctx) // the judge's error
				}
				for _, v := range verdicts {
					records++
					settle(v)
				}
			}
			return nil
		})
		if failed != nil {
			cancel(failed) // stop the reader
			for range order {
				// let the reader hand over what it holds and finish
			}
		}
		settled <- failed
	}()
	send := func(rows []delta.Row) error {
		out := make(chan []T, 1)
		select {
		case order <- out:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		select {
		case jobs <- job{rows: rows, out: out}:
			return nil
		case <-ctx.Done():
			close(out)
			return context.Cause(ctx)
		}
	}
	chunk := make([]delta.Row, 0, chunkRows)
	err = bronze.ScanFiles(ctx, files, bronzeColumns, func(r delta.Row) error {
		chunk = append(chunk, r)
		if len(chunk) < chunkRows {
			return nil
		}
		if err := send(chunk); err != nil {
			return err
		}
		chunk = make([]delta.Row, 0, chunkRows)
		return nil
	})
	if err == nil && len(chunk) > 0 {
		err = send(chunk)
	}
	close(jobs)
	close(order)
	wg.Wait()
	if failed := <-settled; failed != nil {
		return records, failed // the reader's error, if any, is its consequence
	}
	return records, err
}
