package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/produce"
)

// The generated data set of the pipeline scenario: a known mix, so the
// check knows which transactions must reach Silver.
func producedSet(e *suite, seed int64) produce.Options {
	return produce.Options{Count: e.s.transactions, Seed: seed, BadRatio: 0.05, DuplicateRatio: 0.03, LateRatio: 0.01}
}

// producer is `finpipe produce` sending opts's data set at rate; extra
// are more flags (the soak's event clock).
func producer(e *suite, dir, brokers string, opts produce.Options, rate int, extra ...string) *proc {
	args := append([]string{"produce", "--kafka-brokers", brokers, "--count", strconv.Itoa(opts.Count),
		"--rate", strconv.Itoa(rate), "--seed", strconv.FormatInt(opts.Seed, 10),
		"--bad-ratio", fmt.Sprint(opts.BadRatio), "--duplicate-ratio", fmt.Sprint(opts.DuplicateRatio), "--late-ratio", fmt.Sprint(opts.LateRatio)},
		extra...)
	return newProc("produce", e.bin, dir, nil, args...)
}

// runPipelineFaults produces a known set of transactions at a steady rate
// while the pipeline processes run, and meanwhile: SIGKILLs them, restarts
// PostgreSQL, restarts the Kafka broker and fills the lake's disk (the
// rate is low enough that production outlasts the faults). Then it
// lets the pipeline drain and checks `finpipe lake check` and every
// produced record, by Kafka offset and by transaction id.
func runPipelineFaults(ctx context.Context, e *suite) []row {
	r := row{scenario: "pipeline: kills, PostgreSQL + Kafka restarts, lake disk full"}
	dir := e.dir("pipeline")
	// The lake's own small disk, mounted before the processes create it.
	disk, diskErr := mountLakeDisk(filepath.Join(dir, "data", "dev"), 512)
	defer disk.unmount()
	pp, err := startPipeline(ctx, e, dir, 1, 2)
	if err != nil {
		r.fail("%v", err)
		return []row{r}
	}
	defer pp.close()
	pg, b := pp.pg, pp.b
	opts := producedSet(e, 42)
	prod := producer(e, dir, b.addr, opts, e.s.produceRate)
	prodDone := make(chan error, 1)
	go func() { prodDone <- prod.run(ctx) }()

	lakeDir := filepath.Join(dir, "data", "dev", "lake")
	faults := injectPipelineFaults(ctx, e, pp, pg, b, disk, diskErr, lakeDir)
	if err := <-prodDone; err != nil {
		r.fail("producer: %v", err)
	}
	drainTook := pp.drainAndCheck(ctx, e, &r, lakeDir, opts)
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

// startServices starts the PostgreSQL and the broker of a pipeline
// scenario in dir; on error nothing is left running.
func startServices(ctx context.Context, e *suite, dir string) (*postgres, *broker, error) {
	pg, err := startPostgres(ctx, filepath.Join(dir, "pg"))
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: %w", err)
	}
	b, err := startBroker(ctx, e, dir)
	if err != nil {
		pg.stop()
		return nil, nil, fmt.Errorf("broker: %w", err)
	}
	return pg, b, nil
}

// injectPipelineFaults first SIGKILLs pipeline processes every
// RELIABILITY_KILL_EVERY, then, one at a time and each only once the
// pipeline is moving again (a SIGKILLed worker's attempt waits for the
// reaper), restarts PostgreSQL, restarts the broker and fills the lake's
// disk. It returns what it did and how many task attempts each fault
// failed (they are retried), so a fault that hit an idle pipeline shows.
func injectPipelineFaults(ctx context.Context, e *suite, pp *pipelineProcs, pg *postgres, b *broker, disk *lakeDisk, diskErr error, lakeDir string) string {
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11))
	n := 0
	for i := 0; i < e.s.pipelineKills && ctx.Err() == nil; i++ {
		sleep(ctx, e.s.killEvery)
		pp.kill(ctx, rng)
		n++
	}
	done := []string{fmt.Sprintf("%d SIGKILLs", n)}
	faults := []struct {
		name string
		do   func() error
	}{
		{"PostgreSQL restart (3 s down)", func() error { return pg.restart(ctx, 3*time.Second) }},
		{"broker restart (3 s down)", func() error { return b.restart(ctx, 3*time.Second) }},
		{"lake disk full for 8 s (ENOSPC)", func() error {
			if diskErr != nil {
				return diskErr
			}
			if err := disk.fill(); err != nil {
				return err
			}
			sleep(ctx, 8*time.Second)
			disk.free()
			return nil
		}},
	}
	for _, f := range faults {
		if ctx.Err() != nil {
			break
		}
		idle := waitProgress(ctx, lakeDir, 90*time.Second) != nil
		t0 := time.Now()
		if err := f.do(); err != nil {
			done = append(done, f.name+": NOT DONE ("+err.Error()+")")
			continue
		}
		_ = waitProgress(ctx, lakeDir, 90*time.Second)
		failed, _ := queryInt(ctx, pg.url, `SELECT count(*) FROM task_attempts
		  WHERE end_date >= $1 AND error <> '' AND error NOT LIKE '%stopped heartbeating%'`, t0)
		note := fmt.Sprintf("%s: %d attempts failed", f.name, failed)
		if idle {
			note += " (pipeline was idle)"
		}
		done = append(done, note)
	}
	return strings.Join(done, ", ")
}

// waitProgress waits until Bronze gets a new commit.
func waitProgress(ctx context.Context, lakeDir string, timeout time.Duration) error {
	v0 := bronzeVersion(ctx, lakeDir)
	return waitFor(ctx, timeout, func() (bool, error) { return bronzeVersion(ctx, lakeDir) > v0, nil })
}

func bronzeVersion(ctx context.Context, lakeDir string) int64 {
	l, err := lake.OpenExisting(lakeDir)
	if err != nil {
		return -1
	}
	s, err := l.Bronze.Snapshot(ctx)
	if err != nil {
		return -1
	}
	return s.Version()
}
