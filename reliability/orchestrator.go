package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/finpipe/finpipe/scheduler"
)

// runOrchestratorFaults runs 2 schedulers and 3 workers on one PostgreSQL
// while example_etl runs are triggered continuously, SIGKILLs a random
// process every RELIABILITY_KILL_EVERY for RELIABILITY_KILL_ROUNDS rounds
// (restarting it), then waits for every run to finish and checks: no run
// or task stuck, no two attempts of a task overlapping in time, one run per
// logical date, and every acknowledged trigger has its run.
func runOrchestratorFaults(ctx context.Context, e *suite) []row {
	r := row{scenario: "orchestrator: SIGKILL schedulers and workers"}
	dir := e.dir("orchestrator")
	pg, err := startPostgres(ctx, dir+"/pg")
	if err != nil {
		r.fail("postgres: %v", err)
		return []row{r}
	}
	defer pg.stop()
	c, err := startCluster(ctx, e, dir, pg.url, 2, 3, 4)
	if err != nil {
		r.fail("%v", err)
		return []row{r}
	}
	defer c.fleet.stop()
	if err := onlyDAG(ctx, pg.url, "example_etl"); err != nil {
		r.fail("pause other DAGs: %v", err)
		return []row{r}
	}
	store, err := scheduler.Open(ctx, pg.url)
	if err != nil {
		r.fail("open store: %v", err)
		return []row{r}
	}
	defer store.Close()

	tctx, stopTriggers := context.WithCancel(ctx)
	var acked []string
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); acked = triggerContinuously(tctx, store, pg.url) }()

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	kills := map[string]int{}
	midTask, missedTask := 0, 0
	for round := 0; round < e.s.killRounds && ctx.Err() == nil; round++ {
		sleep(ctx, e.s.killEvery)
		// Every other round kills a worker in the middle of a task, the
		// case that reaping and fencing exist for; a kill that misses (the
		// task ended first) is still a kill, and the round tries again.
		if round%2 == 1 {
			hit, missed, _ := killMidTask(ctx, pg.url, c.fleet, e.s.killEvery)
			for _, name := range missed {
				kills[name]++
			}
			missedTask += len(missed)
			if hit != "" {
				kills[hit]++
				midTask++
				continue
			}
			if len(missed) > 0 {
				continue
			}
		}
		kills[c.fleet.killRandom(ctx, rng, 300*time.Millisecond)]++
	}
	stopTriggers()
	wg.Wait()
	if err := settle(ctx, pg.url, e.s.settle); err != nil {
		r.fail("runs still active after %s", e.s.settle)
	}
	revived, who := c.fleet.revivals()
	c.fleet.stop()

	checks, err := checkOrchestrator(ctx, pg.url)
	if err != nil {
		r.fail("checks: %v", err)
		return []row{r}
	}
	checks.report(&r)
	missing, err := missingRuns(ctx, pg.url, acked)
	if err != nil {
		r.fail("checks: %v", err)
	}
	r.lost = missing
	if missing > 0 {
		r.fail("%d acknowledged runs missing", missing)
	}
	runs, _ := queryInt(ctx, pg.url, `SELECT count(*) FROM dag_runs`)
	attempts, _ := queryInt(ctx, pg.url, `SELECT count(*) FROM task_attempts`)
	reaped, _ := queryInt(ctx, pg.url, `SELECT count(*) FROM task_attempts WHERE error LIKE '%stopped heartbeating%'`)
	r.load = fmt.Sprintf("2 schedulers + 3 workers, example_etl: %d runs (%d triggered), %d task attempts", runs, len(acked), attempts)
	total := 0
	for _, n := range kills {
		total += n
	}
	r.faults = fmt.Sprintf("%d SIGKILLs in %d rounds (%s; %d workers hit mid-task, %d kills missed their task), %d attempts reaped",
		total, e.s.killRounds, describeKills(kills), midTask, missedTask, reaped)
	if revived > 0 {
		r.faults += fmt.Sprintf(", %d exits on their own (%s)", revived, who)
	}
	return []row{r}
}

// triggerContinuously keeps a few example_etl runs queued until ctx ends,
// returning the run ids the store acknowledged.
func triggerContinuously(ctx context.Context, store *scheduler.Store, dbURL string) []string {
	var acked []string
	for ctx.Err() == nil {
		queued, err := queryInt(ctx, dbURL, `SELECT count(*) FROM dag_runs WHERE state = 'queued'`)
		if err == nil && queued < 3 {
			now := time.Now().UTC()
			run, err := store.TriggerRun(ctx, "example_etl", scheduler.TriggerOptions{
				RunID: "example_etl__reliability__" + now.Format("20060102T150405.000000"), LogicalDate: now})
			if err == nil {
				acked = append(acked, run.RunID)
			}
		}
		sleep(ctx, 250*time.Millisecond)
	}
	return acked
}

// missingRuns counts acknowledged run ids that are not in the database.
func missingRuns(ctx context.Context, dbURL string, ids []string) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	n, err := queryInt(ctx, dbURL, `SELECT count(*) FROM dag_runs WHERE run_id = ANY($1)`, ids)
	return int64(len(ids)) - n, err
}

func describeKills(kills map[string]int) string {
	s := ""
	for _, kind := range []string{"scheduler", "worker"} {
		n := 0
		for name, c := range kills {
			if len(name) >= len(kind) && name[:len(kind)] == kind {
				n += c
			}
		}
		if s != "" {
			s += ", "
		}
		s += fmt.Sprintf("%d %ss", n, kind)
	}
	return s
}
