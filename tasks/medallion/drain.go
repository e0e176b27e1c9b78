// Package medallion runs the pipeline's steps in one process, outside the
// scheduler, until Kafka is drained: what `finpipe demo` and `finpipe bench
// pipeline` need, and what tests use to get a lake to a known state.
package medallion

import (
	"cmp"
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/finpipe/finpipe/internal/panics"
	"github.com/finpipe/finpipe/tasks/aggregate"
	"github.com/finpipe/finpipe/tasks/clean"
	"github.com/finpipe/finpipe/tasks/ingest"
	"github.com/finpipe/finpipe/tasks/lake"
)

// Config says where the pipeline reads and how big its batches are.
type Config struct {
	Brokers string
	Topic   string
	// MaxBatch bounds an ingest run and a clean run (0: ingest's default),
	// up to drainBatch: see Batch.
	MaxBatch int
	// AllowedLateness is clean's tolerance (0: 48 h).
	AllowedLateness time.Duration
	// AggregateEvery is the least time between two aggregate runs, a
	// trigger interval: Gold is recomputed per event date, so aggregating
	// after every batch of a backlog is mostly wasted work (0: no wait).
	AggregateEvery time.Duration
}

// drainBatch caps Drain's batches. Its steps run back to back and overlap,
// so a batch need only be big enough to amortise a commit, and as each step
// holds a batch in memory a bigger one costs memory without adding
// throughput (bench pipeline, 1M transactions on 2 cores: ~150k tx/s with
// batches of 50k, 100k, 150k or 200k, at a peak RSS of about 270, 360, 460
// and 480 MB). A scheduled run starts once a minute, so it needs its larger
// batch (FINPIPE_MAX_BATCH) to keep up with a backlog; Drain does not.
const drainBatch = 50_000

// Batch is the most records an ingest run or a clean run of Drain takes.
func (c Config) Batch() int { return min(cmp.Or(c.MaxBatch, ingest.DefaultMaxRecords), drainBatch) }

// Stage is what one step did over a drain.
type Stage struct {
	Runs    int           `json:"runs"`
	Rows    int64         `json:"rows"` // records the step consumed
	Elapsed time.Duration `json:"busy_ns"`
}

// RowsPerSecond is the step's throughput while it was busy.
func (s Stage) RowsPerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Rows) / s.Elapsed.Seconds()
}

// Stats are a drain's per-step figures.
type Stats struct {
	Ingest    Stage         `json:"ingest"`
	Clean     Stage         `json:"clean"`
	Aggregate Stage         `json:"aggregate"`
	Elapsed   time.Duration `json:"elapsed_ns"`
}

// Drain runs ingest, clean and aggregate until ingest finds nothing new in
// Kafka and every step has consumed its input. The three steps run at the
// same time, each on the batches its upstream has committed (as Spark's
// streaming stages do), so that a multi-core machine works on three
// batches at once; each step alone is exactly what the medallion DAG runs,
// idempotent, so Drain may be interrupted and called again.
func Drain(ctx context.Context, l *lake.Lake, cfg Config) (Stats, error) {
	var st Stats
	start := time.Now()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	ingested, cleaned, consumed := newSignal(), newSignal(), newSignal()
	var cleanedTo atomic.Int64 // the Bronze version clean has consumed
	cleanedTo.Store(-1)
	var wg sync.WaitGroup
	var errs [3]error
	step := func(i int, fn func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A step's panic (e.g. a bad record in clean) fails Drain
			// with its stack instead of ending the process.
			if errs[i] = panics.Call(fn); errs[i] != nil {
				cancel(errs[i]) // one failed step stops the others
			}
		}()
	}
	step(0, func() error {
		defer ingested.finish()
		var last, beforeLast int64 = -1, -1
		// The first batches are small, a quarter then half of the full
		// size, so that clean starts early and then finds the next batch
		// ready instead of idling while a whole batch is read (a
		// pipeline's ramp-up).
		full := cfg.Batch()
		batch := max(full/4, 1)
		for {
			// Backpressure: one ingested batch may wait for clean while
			// the next is read, no more, which bounds memory.
			if err := awaitAtLeast(ctx, consumed, &cleanedTo, beforeLast); err != nil {
				return err
			}
			t := time.Now()
			res, err := ingest.Run(ctx, l.Bronze, ingest.Options{Brokers: cfg.Brokers, Topic: cfg.Topic, MaxRecords: batch})
			batch = min(batch*2, full)
			st.Ingest.add(int64(res.Records), t)
			if err != nil || res.Records == 0 {
				return err
			}
			last, beforeLast = res.Version, last
			ingested.notify()
		}
	})
	step(1, func() error {
		defer cleaned.finish()
		return follow(ctx, ingested, 0, func() (bool, error) {
			t := time.Now()
			res, err := clean.Run(ctx, l, clean.Options{AllowedLateness: cfg.AllowedLateness, MaxRecords: int64(cfg.Batch())})
			st.Clean.add(int64(res.Records), t)
			cleanedTo.Store(res.BronzeTo)
			consumed.notify()
			if res.BronzeTo != res.BronzeFrom && !res.Behind {
				// Gold is recomputed per event date, so it is cheaper to
				// aggregate once clean has caught up than after each batch,
				// as a streaming trigger interval would.
				cleaned.notify()
			}
			return res.BronzeTo != res.BronzeFrom, err
		})
	})
	step(2, func() error {
		return follow(ctx, cleaned, cfg.AggregateEvery, func() (bool, error) {
			t := time.Now()
			res, err := aggregate.Run(ctx, l, aggregate.Options{})
			st.Aggregate.add(int64(res.SilverRows), t)
			return len(res.Rows) > 0, err
		})
	})
	wg.Wait()
	st.Elapsed = time.Since(start)
	return st, errors.Join(errs[:]...)
}

// follow runs a downstream step whenever its upstream committed, until the
// upstream has finished and a last run found nothing to do.
// Runs start at least every apart, except once the upstream has finished.
func follow(ctx context.Context, upstream *signal, every time.Duration, run func() (worked bool, err error)) error {
	var last time.Time
	for {
		next, finished := upstream.state()
		if !finished {
			var err error
			if next, finished, err = awaitInterval(ctx, upstream, last.Add(every)); err != nil {
				return err
			}
		}
		last = time.Now()
		worked, err := run()
		if err != nil {
			return err
		}
		if worked {
			continue
		}
		if finished {
			return nil
		}
		select {
		case <-next:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}

// awaitInterval waits until the time due, or less if the upstream finishes
// first: the final run is then the end of the drain, and waiting out the
// trigger interval would only add idle time (up to a whole interval) to it.
// It returns the upstream's state when it stopped waiting.
func awaitInterval(ctx context.Context, upstream *signal, due time.Time) (<-chan struct{}, bool, error) {
	timer := time.NewTimer(time.Until(due))
	defer timer.Stop()
	for {
		next, finished := upstream.state()
		if finished || !time.Now().Before(due) {
			return next, finished, nil
		}
		select {
		case <-timer.C:
		case <-next: // a commit (keep waiting) or the finish
		case <-ctx.Done():
			return nil, false, context.Cause(ctx)
		}
	}
}

// awaitAtLeast waits until v reaches min; s is notified when v changes.
func awaitAtLeast(ctx context.Context, s *signal, v *atomic.Int64, min int64) error {
	for {
		next, _ := s.state()
		if v.Load() >= min {
			return nil
		}
		select {
		case <-next:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}

func (s *Stage) add(rows int64, start time.Time) {
	s.Runs++
	s.Rows += rows
	s.Elapsed += time.Since(start)
}
