package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// runAssetFaults is issue 10's fault scenario: finpipe_medallion scheduled
// on the transactions topic asset, two schedulers (one of them the Kafka
// watcher) and two workers, while transactions arrive in chunks. In turn:
// the watcher's scheduler is SIGKILLed and kept down until the other holds
// the watcher lock; a worker is SIGKILLed in the middle of a task; the
// broker restarts; PostgreSQL restarts. After each fault: the recovery is
// the time until the first asset-triggered run queued after the fault has
// succeeded, and another asset-triggered run must follow it (no stuck
// asset). Throughout, at most one asset-triggered run is queued and one
// running at a time. At the end, drained: every produced transaction once
// in Silver and Gold (the pipeline row's lake checks), and the
// orchestrator's invariants.
func runAssetFaults(ctx context.Context, e *suite) []row {
	r := row{scenario: "assets: data-triggered runs through watcher and worker SIGKILLs, broker + PostgreSQL restarts"}
	dir := e.dir("assets")
	pp, err := startPipeline(ctx, e, dir, 2, 2)
	if err != nil {
		r.fail("%v", err)
		return []row{r}
	}
	defer pp.close()
	pg, b := pp.pg, pp.b
	sampler := sampleRuns(ctx, pg.url)
	chunk := max(e.s.transactions/10, 100)
	chunks := produceChunks(ctx, e, dir, b.addr, chunk, e.s.produceRate, 2*time.Second, 1000)

	faults := []struct {
		name string
		do   func() (string, error)
	}{
		{"watcher's scheduler SIGKILLed", func() (string, error) { return killWatcher(ctx, pg.url, pp.fleet) }},
		{"worker SIGKILLed mid-task", func() (string, error) { return killBusyWorker(ctx, pg.url, pp.fleet) }},
		{"broker restart (3 s down)", func() (string, error) { return "", b.restart(ctx, 3*time.Second) }},
		{"PostgreSQL restart (3 s down)", func() (string, error) { return "", pg.restart(ctx, 3*time.Second) }},
	}
	var notes []string
	// since: the runs that prove the pipeline is moving must be queued
	// after it (at first the start, then each recovery).
	since := time.Now()
	for _, f := range faults {
		if ctx.Err() != nil {
			break
		}
		if _, err := firstAssetSuccess(ctx, pg.url, since, e.s.settle); err != nil {
			r.fail("before %s: no asset-triggered run succeeded after %s (stuck asset): %v", f.name, since.Format("15:04:05"), err)
			break
		}
		what, err := f.do()
		end := time.Now()
		if err != nil {
			notes = append(notes, f.name+": NOT DONE ("+err.Error()+")")
			r.fail("%s: %v", f.name, err)
			continue
		}
		recovered, err := firstAssetSuccess(ctx, pg.url, end, e.s.settle)
		if err != nil {
			r.fail("after %s: no asset-triggered run succeeded: %v", f.name, err)
			notes = append(notes, f.name+what+": no recovery")
			break
		}
		notes = append(notes, fmt.Sprintf("%s%s: recovered in %.1f s", f.name, what, recovered.Sub(end).Seconds()))
		since = recovered
	}
	if r.ok() {
		if _, err := firstAssetSuccess(ctx, pg.url, since, e.s.settle); err != nil {
			r.fail("after the last fault: no asset-triggered run followed the recovery (stuck asset): %v", err)
		}
	}
	sets, prodErr := chunks.stop()
	if prodErr != nil {
		r.fail("producer: %v", prodErr)
	}
	drainTook := pp.drainAndCheck(ctx, e, &r, filepath.Join(dir, "data", "dev", "lake"), sets...)
	queued, running, samples := sampler.stop()
	if queued > 1 {
		r.dups += queued - 1
		r.fail("%d asset-triggered runs queued at once", queued)
	}
	if running > 1 {
		r.dups += running - 1
		r.fail("%d asset-triggered runs running at once (max_active_runs 1)", running)
	}
	runs := assetRunCounts(ctx, pg.url)
	failed, _ := queryInt(ctx, pg.url, `SELECT count(*) FROM task_attempts WHERE error <> '' AND error NOT LIKE '%stopped heartbeating%'`)
	reaped, _ := queryInt(ctx, pg.url, `SELECT count(*) FROM task_attempts WHERE error LIKE '%stopped heartbeating%'`)
	total := 0
	for _, s := range sets {
		total += s.Count
	}
	r.load = fmt.Sprintf("%d transactions in %d chunks of %d (one seed each, 2 s apart) at %d/s through %s on %s; %s, at most %d queued and %d running at once (%d samples); drained %s after the producer",
		total, len(sets), chunk, e.s.produceRate, pp.mode, b.kind(), runs, queued, running, samples, drainTook.Round(time.Second))
	r.faults = strings.Join(notes, ", ") + fmt.Sprintf("; %d task attempts failed (retried), %d reaped", failed, reaped)
	if x := pp.exits(); x != "" {
		r.faults += "; " + x
	}
	r.inputs = "5% broken, 3% duplicates, 1% late in every chunk"
	return []row{r}
}

// killWatcher SIGKILLs the scheduler whose session holds the Kafka watcher
// lock, keeps it down until another scheduler holds the lock, then starts
// it again. It says who and how long the takeover took.
func killWatcher(ctx context.Context, dbURL string, f *fleet) (string, error) {
	var holder string
	if err := waitFor(ctx, 30*time.Second, func() (bool, error) {
		holder = watcherHolder(ctx, dbURL)
		return holder != "", nil
	}); err != nil {
		return "", fmt.Errorf("no process holds the watcher lock: %w", err)
	}
	p := f.named(holder)
	if p == nil {
		return "", fmt.Errorf("the watcher lock is held by %q, not a scheduler of the suite", holder)
	}
	p.kill()
	t0 := time.Now()
	var next string
	err := waitFor(ctx, 60*time.Second, func() (bool, error) {
		next = watcherHolder(ctx, dbURL)
		return next != "" && next != holder, nil
	})
	took := time.Since(t0)
	if serr := p.start(); serr != nil {
		err = errors.Join(err, serr)
	}
	if err != nil {
		return "", fmt.Errorf("no other scheduler took the watcher lock from %s: %w", holder, err)
	}
	return fmt.Sprintf(" (%s; %s held the lock %.1f s later)", holder, next, took.Seconds()), nil
}

// killBusyWorker SIGKILLs a worker in the middle of a task (trying for up
// to a minute) and says which, and how many kills missed.
func killBusyWorker(ctx context.Context, dbURL string, f *fleet) (string, error) {
	name, missed, err := killMidTask(ctx, dbURL, f, 60*time.Second)
	if err != nil {
		return "", err
	}
	if len(missed) > 0 {
		return fmt.Sprintf(" (%s; %d earlier kills missed: the task had ended)", name, len(missed)), nil
	}
	return " (" + name + ")", nil
}
