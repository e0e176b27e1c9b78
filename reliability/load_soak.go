package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/medallion"
)

// loadSoak runs the pipeline at RELIABILITY_SOAK_RATE for RELIABILITY_SOAK,
// sampling the pipeline processes' RSS and the Kafka lag every 2 s. No
// leak means the RSS of the last third of the run is not above the middle
// third's by more than RELIABILITY_RSS_GROWTH (the first third is warm-up).
// Then the lake is checked like the fault scenario's.
func loadSoak(ctx context.Context, e *suite) row {
	r := row{scenario: "load: pipeline soak"}
	dir := e.dir("soak")
	pp, err := startPipeline(ctx, e, dir, 1, 1)
	if err != nil {
		r.fail("%v", err)
		return r
	}
	defer pp.close()
	b := pp.b
	opts := producedSet(e, 43)
	opts.Count = int(float64(e.s.soakRate) * e.s.soak.Seconds())
	prod := producer(e, dir, b.addr, opts, e.s.soakRate)
	prodDone := make(chan error, 1)
	start := time.Now()
	go func() { prodDone <- prod.run(ctx) }()

	lakeDir := filepath.Join(dir, "data", "dev", "lake")
	var rss []int64
	var maxLag int64
	var prodErr error
	tick := time.NewTicker(2 * time.Second)
sampling:
	for {
		select {
		case prodErr = <-prodDone:
			break sampling
		case <-ctx.Done():
			break sampling
		case <-tick.C:
		}
		var sum int64
		for _, p := range pp.fleet.procs {
			sum += p.rssBytes()
		}
		rss = append(rss, sum)
		if l, err := lake.OpenExisting(lakeDir); err == nil {
			if lag, err := medallion.Measure(ctx, l, b.addr, "transactions"); err == nil {
				maxLag = max(maxLag, lag.Kafka)
			}
		}
	}
	tick.Stop()
	if prodErr != nil {
		r.fail("producer: %v", prodErr)
	}
	produced := time.Since(start)
	drained := produced + pp.drainAndCheck(ctx, e, &r, lakeDir, opts)
	if x := pp.exits(); x != "" {
		r.fail("%s", x)
	}
	mid, last, peak := thirds(rss)
	// Clean's duplicate index holds every accepted transaction id by
	// design, so some growth per transaction is expected; say how much.
	perTx := float64(last-mid) / (float64(e.s.soakRate) * e.s.soak.Seconds() / 3)
	r.load = fmt.Sprintf("%d tx at %d/s for %s through %s (%.0f tx/s end to end); Kafka lag max %d, drained %s after the producer; RSS middle third %s, last third %s (%+.0f B per transaction), peak %s (%d samples)",
		opts.Count, e.s.soakRate, produced.Round(time.Second), pp.mode, float64(opts.Count)/drained.Seconds(),
		maxLag, (drained - produced).Round(time.Second), mib(mid), mib(last), perTx, mib(peak), len(rss))
	switch {
	case len(rss) < 6:
		r.fail("only %d RSS samples: run longer (RELIABILITY_SOAK)", len(rss))
	case float64(last) > float64(mid)*(1+e.s.rssGrowthBudget):
		r.fail("RSS grew %.0f%% from the middle to the last third", 100*(float64(last)/float64(mid)-1))
	}
	return r
}

// thirds returns the mean of the middle and last thirds of the samples,
// and the peak.
func thirds(s []int64) (mid, last, peak int64) {
	mean := func(xs []int64) int64 {
		if len(xs) == 0 {
			return 0
		}
		var t int64
		for _, x := range xs {
			t += x
		}
		return t / int64(len(xs))
	}
	for _, x := range s {
		peak = max(peak, x)
	}
	n := len(s)
	return mean(s[n/3 : 2*n/3]), mean(s[2*n/3:]), peak
}

func mib(b int64) string { return fmt.Sprintf("%d MiB", b>>20) }
