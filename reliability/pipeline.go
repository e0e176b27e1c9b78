package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/finpipe/finpipe/tasks/produce"
)

// The generated data set of the pipeline scenario: a known mix, so the
// check knows which transactions must reach Silver.
func producedSet(e *suite, seed int64) produce.Options {
	return produce.Options{Count: e.s.transactions, Seed: seed, BadRatio: 0.05, DuplicateRatio: 0.03, LateRatio: 0.01}
}

// runPipelineFaults produces a known set of transactions at a steady rate
// while the pipeline processes run, and meanwhile: SIGKILLs them, restarts
// PostgreSQL, restarts the Kafka broker and fills the lake's disk. Then it
// lets the pipeline drain and checks `finpipe lake check` and every
// produced record, by Kafka offset and by transaction id.
func runPipelineFaults(ctx context.Context, e *suite) []row {
	r := row{scenario: "pipeline: kills, PostgreSQL + Kafka restarts, lake disk full"}
	dir := e.dir("pipeline")
	pg, err := startPostgres(ctx, filepath.Join(dir, "pg"))
	if err != nil {
		r.fail("postgres: %v", err)
		return []row{r}
	}
	defer pg.stop()
	b, err := startBroker(ctx, e, dir)
	if err != nil {
		r.fail("broker: %v", err)
		return []row{r}
	}
	defer b.stop()
	disk, diskErr := mountLakeDisk(filepath.Join(dir, "data", "dev"), 512)
	defer disk.unmount()

	pp, err := startPipelineProcs(ctx, e, dir, pg.url, b.addr, 2)
	if err != nil {
		r.fail("%v", err)
		return []row{r}
	}
	defer pp.stop()
	opts := producedSet(e, 42)
	prod := newProc("produce", e.bin, dir, nil, "produce", "--kafka-brokers", b.addr, "--count", strconv.Itoa(opts.Count),
		"--rate", strconv.Itoa(e.s.produceRate), "--seed", strconv.FormatInt(opts.Seed, 10),
		"--bad-ratio", fmt.Sprint(opts.BadRatio), "--duplicate-ratio", fmt.Sprint(opts.DuplicateRatio), "--late-ratio", fmt.Sprint(opts.LateRatio))
	prodDone := make(chan error, 1)
	go func() { prodDone <- prod.run(ctx) }()

	faults := injectPipelineFaults(ctx, e, pp, pg, b, disk, diskErr)
	if err := <-prodDone; err != nil {
		r.fail("producer: %v", err)
	}
	start := time.Now()
	drainErr := waitDrained(ctx, filepath.Join(dir, "data", "dev", "lake"), b.addr, e.s.settle)
	drainTook := time.Since(start)
	if drainErr != nil {
		r.fail("not drained: %v", drainErr)
	}
	if err := pp.finish(ctx, pg.url, e.s.settle); err != nil {
		r.fail("runs still active after %s", e.s.settle)
	}
	pp.stop()
	if checks, err := checkOrchestrator(ctx, pg.url); err != nil {
		r.fail("checks: %v", err)
	} else if !pp.demo {
		checks.report(&r)
	} else {
		r.dups += checks.overlaps + checks.duplicateRuns
	}
	checkLake(ctx, e, dir, b.addr, opts, &r)
	r.load = fmt.Sprintf("%d transactions at %d/s through %s on %s; drained %s after the producer",
		opts.Count, e.s.produceRate, pp.mode, b.kind(), drainTook.Round(time.Second))
	r.faults = faults
	if x := pp.exits(); x != "" {
		r.faults += "; " + x
	}
	r.inputs = fmt.Sprintf("%.0f%% broken (every reason), %.0f%% duplicates, %.0f%% late",
		opts.BadRatio*100, opts.DuplicateRatio*100, opts.LateRatio*100)
	return []row{r}
}

// injectPipelineFaults runs the fault schedule: a SIGKILL every
// RELIABILITY_KILL_EVERY, with a PostgreSQL restart, a broker restart and
// a full lake disk spread in between. It returns what it did.
func injectPipelineFaults(ctx context.Context, e *suite, pp *pipelineProcs, pg *postgres, b *broker, disk *lakeDisk, diskErr error) string {
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11))
	kills := e.s.pipelineKills
	every := e.s.killEvery
	var done []string
	n := 0
	for i := 0; i < kills && ctx.Err() == nil; i++ {
		sleep(ctx, every)
		pp.kill(ctx, rng)
		n++
		switch i {
		case kills / 4:
			if err := pg.restart(ctx, 3*time.Second); err != nil {
				done = append(done, "PostgreSQL restart FAILED: "+err.Error())
			} else {
				done = append(done, "PostgreSQL restart (3 s down)")
			}
		case kills / 2:
			if err := b.restart(ctx, 3*time.Second); err != nil {
				done = append(done, "broker restart FAILED: "+err.Error())
			} else {
				done = append(done, "broker restart (3 s down)")
			}
		case 3 * kills / 4:
			if diskErr != nil {
				done = append(done, "lake disk full: skipped ("+diskErr.Error()+")")
			} else if err := disk.fill(); err != nil {
				done = append(done, "lake disk full FAILED: "+err.Error())
			} else {
				sleep(ctx, 8*time.Second)
				disk.free()
				done = append(done, "lake disk full for 8 s (ENOSPC)")
			}
		}
	}
	return fmt.Sprintf("%d SIGKILLs, %s", n, strings.Join(done, ", "))
}
