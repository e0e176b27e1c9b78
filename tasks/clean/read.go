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
	records, err = eachJudged(ctx, bronze, files, b.newJudge, b.settle)
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
	return eachJudged(ctx, bronze, files, func() func(bronzeRecord) bronzeRecord {
		return func(rec bronzeRecord) bronzeRecord { return rec }
	}, fn)
}

// eachJudged reads the Bronze files, calls a judge with every record and
// settle with every verdict, in file order. The three stages run on their
// own goroutines, chunk by chunk: the Parquet decoding on the caller's, the
// judging (JSON parsing, the rules that look only at the record and at
// Silver as committed before the batch, building its Silver row) on one
// goroutine per core, since it is most of a batch's work, and settling
// (what depends on the records before: in-batch duplicates, the rows kept)
// on one goroutine, in order. Each judging goroutine gets its own judge
// from newJudge, so that a judge may keep state that it reuses (buffers,
// boxes) without locks; settle sees verdicts as a single loop over the
// files would give them.
//
// The chunks' slices go back to the stages that fill them once used, so a
// batch allocates only the few that are in flight at once.
//
// A panic in a judge or settle becomes the returned error: unrecovered, on
// a goroutine of its own, it would end the whole process.
func eachJudged[T any](ctx context.Context, bronze *delta.Snapshot, files []delta.AddFile, newJudge func() func(bronzeRecord) T, settle func(T)) (records int, err error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	type job struct {
		rows []delta.Row
		out  chan []T // closed without a value when the job failed
	}
	workers := max(1, runtime.GOMAXPROCS(0))
	jobs := make(chan job, workers)
	inFlight := 2*workers + 2
	order := make(chan chan []T, inFlight) // the jobs' results, in file order
	// Used slices, for reuse. A stage that finds none makes one; one that
	// finds its pool full drops the slice.
	freeRows := make(chan []delta.Row, inFlight+workers+1)
	freeVerdicts := make(chan []T, inFlight+workers+1)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var judge func(bronzeRecord) T
			for j := range jobs {
				var verdicts []T
				failed := panics.Call(func() error {
					if judge == nil {
						judge = newJudge()
					}
					select {
					case verdicts = <-freeVerdicts:
					default:
						verdicts = make([]T, 0, chunkRows)
					}
					verdicts = verdicts[:0]
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
				clear(j.rows) // let go of the Bronze rows that are not kept
				select {
				case freeRows <- j.rows[:0]:
				default:
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
				clear(verdicts)
				select {
				case freeVerdicts <- verdicts[:0]:
				default:
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
	newChunk := func() []delta.Row {
		select {
		case c := <-freeRows:
			return c
		default:
			return make([]delta.Row, 0, chunkRows)
		}
	}
	chunk := newChunk()
	err = bronze.ScanFiles(ctx, files, bronzeColumns, func(r delta.Row) error {
		chunk = append(chunk, r)
		if len(chunk) < chunkRows {
			return nil
		}
		if err := send(chunk); err != nil {
			return err
		}
		chunk = newChunk()
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
