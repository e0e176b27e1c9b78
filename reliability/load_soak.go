package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/finpipe/finpipe/dags"
	"github.com/finpipe/finpipe/scheduler/pgstore"
	"github.com/finpipe/finpipe/tasks/aggregate"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/medallion"
)

// loadSoak runs the pipeline at RELIABILITY_SOAK_RATE for RELIABILITY_SOAK,
// sampling the pipeline processes' RSS and the Kafka lag every 2 s, and
// shows that memory is bounded by the windows the pipeline keeps, not by
// history: clean's duplicate index holds the event dates within the
// allowed lateness, Gold's running totals aggregate.DefaultWindowDays.
// Minutes of wall time would fill neither, so the producer's event clock
// replays RELIABILITY_SOAK_DAYS of event time (never ahead of the wall
// clock), fast enough that both windows are full by the end of the first
// third (the warm-up). No leak then means the RSS of the last third is not
// above the middle third's by more than RELIABILITY_RSS_GROWTH. Then the
// lake is checked like the fault scenario's.
func loadSoak(ctx context.Context, e *suite) row {
	r := row{scenario: "load: pipeline soak"}
	clock := newSoakClock(e.s)
	if err := clock.fillsWindows(); err != nil {
		r.fail("%v", err)
		return r
	}
	dir := e.dir("soak")
	pp, err := startPipeline(ctx, e, dir, 1, 1, "FINPIPE_ALLOWED_LATENESS="+e.s.soakLateness.String())
	if err != nil {
		r.fail("%v", err)
		return r
	}
	defer pp.close()
	// Compaction on its minute clock, as in production: else the many small
	// files of one run a second would be growth with history of their own.
	if _, err := queryInt(ctx, pp.pg.url, `WITH u AS (UPDATE dags SET is_paused = false WHERE dag_id = $1 RETURNING 1) SELECT count(*) FROM u`,
		dags.LakeCompactionDAG); err != nil {
		r.fail("unpause %s: %v", dags.LakeCompactionDAG, err)
		return r
	}
	b := pp.b
	opts := producedSet(e, 43)
	opts.Count = int(float64(e.s.soakRate) * e.s.soak.Seconds())
	prod := producer(e, dir, b.addr, opts, e.s.soakRate, clock.flags()...)
	prodDone := make(chan error, 1)
	start := time.Now()
	go func() { prodDone <- prod.run(ctx) }()

	lakeDir := filepath.Join(dir, "data", "dev", "lake")
	// The samples go to rss.log in the work directory too (seconds, MiB
	// per process), to see where memory went when the row fails.
	samples, err := os.Create(filepath.Join(dir, "rss.log"))
	if err != nil {
		r.fail("%v", err)
		return r
	}
	defer samples.Close()
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
		line := fmt.Sprintf("%.0f", time.Since(start).Seconds())
		for _, p := range pp.fleet.procs {
			b := p.rssBytes()
			sum += b
			line += fmt.Sprintf("\t%s=%d", p.name, b>>20)
		}
		rss = append(rss, sum)
		fmt.Fprintln(samples, line+fmt.Sprintf("\ttotal=%d", sum>>20))
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
	index := indexSizes(ctx, pp.pg.url, start, produced)
	drained := produced + pp.drainAndCheck(ctx, e, &r, lakeDir, opts)
	if x := pp.exits(); x != "" {
		r.fail("%s", x)
	}
	mid, last, peak := thirds(rss)
	perTx := float64(last-mid) / (float64(e.s.soakRate) * e.s.soak.Seconds() / 3)
	r.load = fmt.Sprintf("%d tx at %d/s for %s through %s (%.0f tx/s end to end), %s; Kafka lag max %d, drained %s after the producer; RSS middle third %s, last third %s (%+.0f B per transaction), peak %s (%d samples); %s",
		opts.Count, e.s.soakRate, produced.Round(time.Second), pp.mode, float64(opts.Count)/drained.Seconds(), clock,
		maxLag, (drained - produced).Round(time.Second), mib(mid), mib(last), perTx, mib(peak), len(rss), index)
	switch {
	case len(rss) < 6:
		r.fail("only %d RSS samples: run longer (RELIABILITY_SOAK)", len(rss))
	case float64(last) > float64(mid)*(1+e.s.rssGrowthBudget):
		r.fail("RSS grew %.0f%% from the middle to the last third, with both windows full", 100*(float64(last)/float64(mid)-1))
	}
	return r
}

// soakClock is the soak producer's event clock: it starts days+1 days ago
// and runs days in the length of the soak, so it ends a day behind the
// wall clock (the producer never lets it run ahead anyway).
type soakClock struct {
	days     int
	soak     time.Duration
	lateness time.Duration
}

func newSoakClock(s settings) soakClock {
	return soakClock{days: s.soakDays, soak: s.soak, lateness: s.soakLateness}
}

func (c soakClock) speed() float64 {
	return float64(c.days) * 24 * float64(time.Hour) / float64(c.soak)
}

func (c soakClock) flags() []string {
	start := time.Now().Add(-time.Duration(c.days+1) * 24 * time.Hour).UTC()
	return []string{"--event-clock-start", start.Format(time.RFC3339), "--event-clock-speed", strconv.FormatFloat(c.speed(), 'f', 1, 64)}
}

// window is the event time the pipeline holds state for: Gold's totals
// keep DefaultWindowDays before the newest date, the index the dates that
// the allowed lateness reaches back to, both in whole dates.
func (c soakClock) window() time.Duration {
	index := c.lateness + 24*time.Hour
	gold := time.Duration(aggregate.DefaultWindowDays+1) * 24 * time.Hour
	return max(index, gold)
}

// fillsWindows refuses settings under which the windows are not full by
// the end of the warm-up third: the row would then measure growth that
// is bounded but not yet reached, and could not show the plateau.
func (c soakClock) fillsWindows() error {
	warm := time.Duration(float64(c.days) * 24 * float64(time.Hour) / 3)
	if warm < c.window() {
		return fmt.Errorf("RELIABILITY_SOAK_DAYS=%d replays %.1f days in the warm-up third, less than the %.0f days of event time the pipeline keeps: the plateau cannot show",
			c.days, warm.Hours()/24, c.window().Hours()/24)
	}
	return nil
}

// String says what the soak replayed and how much disorder the lateness
// tolerates at that speed: a record delivered that much wall time after
// a newer one is late.
func (c soakClock) String() string {
	return fmt.Sprintf("event clock %d days at %.0f× (allowed lateness %s, %.1f s of wall time; windows full after %.0f s)",
		c.days, c.speed(), c.lateness, c.lateness.Seconds()/c.speed(), c.window().Seconds()/c.speed())
}

// indexSizes reads the duplicate index's size from the clean task's log
// lines ("cleaned … index_ids=N index_days=D"): its largest, and its mean
// in the middle and the last third of the soak.
func indexSizes(ctx context.Context, dbURL string, start time.Time, soak time.Duration) string {
	third := soak / 3
	var maxIDs, maxDays, midIDs, lastIDs float64
	err := pgstore.QueryRow(ctx, dbURL, `WITH l AS (
	    SELECT ts, substring(message FROM 'index_ids=([0-9]+)')::float8 AS ids, substring(message FROM 'index_days=([0-9]+)')::float8 AS days
	    FROM task_logs WHERE message LIKE 'cleaned %index_ids=%')
	  SELECT coalesce(max(ids), 0), coalesce(max(days), 0),
	    coalesce(avg(ids) FILTER (WHERE ts >= $1 AND ts < $2), 0), coalesce(avg(ids) FILTER (WHERE ts >= $2), 0) FROM l`,
		[]any{start.Add(third), start.Add(2 * third)}, &maxIDs, &maxDays, &midIDs, &lastIDs)
	if err != nil {
		return "duplicate index size unknown (" + err.Error() + ")"
	}
	return fmt.Sprintf("duplicate index at most %.0f ids over %.0f dates (mean %.0f in the middle third, %.0f in the last)", maxIDs, maxDays, midIDs, lastIDs)
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
