package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/finpipe/finpipe/scheduler"
)

// pipelineProcs are the processes that run the medallion pipeline. When
// `finpipe scheduler`/`worker` ship finpipe_medallion, that is a scheduler
// and workers (a run is triggered whenever none is active, as its
// every-minute schedule would, only sooner); otherwise `finpipe demo` on
// an empty input, which runs the scheduler and a worker in one process and
// drains the topic, restarted whenever it ends.
type pipelineProcs struct {
	mode   string
	demo   bool
	fleet  *fleet
	cancel context.CancelFunc
	done   chan struct{}
}

// extra is more environment for every process (the S3 rows' lake URL).
func startPipelineProcs(ctx context.Context, e *suite, dir, dbURL, brokers string, workers int, extra ...string) (*pipelineProcs, error) {
	env := append([]string{"DATABASE_URL=" + dbURL, "KAFKA_BROKERS=" + brokers, "FINPIPE_DATA_DIR=" + filepath.Join(dir, "data"),
		"FINPIPE_LOG_FORMAT=json", "FINPIPE_MAX_BATCH=5000"}, extra...)
	c, err := startCluster(ctx, e, dir, dbURL, 1, workers, 2, env[1:]...)
	if err != nil {
		return nil, err
	}
	p := &pipelineProcs{done: make(chan struct{})}
	tctx, cancel := context.WithCancel(ctx)
	p.cancel = cancel
	if hasDAG(ctx, dbURL, "finpipe_medallion") {
		p.mode, p.fleet = fmt.Sprintf("1 scheduler + %d workers", workers), c.fleet
		if err := onlyDAG(ctx, dbURL, "finpipe_medallion"); err != nil {
			c.fleet.stop()
			return nil, err
		}
		go func() { defer close(p.done); triggerMedallion(tctx, dbURL) }()
		return p, nil
	}
	// The shipped scheduler and workers do not run the pipeline (yet):
	// finpipe demo does, in one process.
	c.fleet.stop()
	empty := filepath.Join(dir, "empty.jsonl")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		return nil, err
	}
	var ps []*proc
	for i := 1; i <= workers; i++ {
		d := newProc("demo-"+strconv.Itoa(i), e.bin, dir, env, "demo", "--input", empty)
		d.restartOnExit = true
		ps = append(ps, d)
	}
	p.demo = true
	p.mode, p.fleet = fmt.Sprintf("%d finpipe demo processes (scheduler + worker each)", workers), newFleet(ps...)
	close(p.done)
	return p, p.fleet.start(ctx)
}

// finish stops triggering runs and, with a scheduler and workers, waits
// until every run is final while they still run (the reaper needs them).
// finpipe demo processes end on their own once drained, leaving the runs
// that a SIGKILL interrupted as they were: nothing to wait for there.
func (p *pipelineProcs) finish(ctx context.Context, dbURL string, timeout time.Duration) error {
	p.cancel()
	<-p.done
	if p.demo {
		return nil
	}
	return settle(ctx, dbURL, timeout)
}

func (p *pipelineProcs) kill(ctx context.Context, rng *rand.Rand) string {
	return p.fleet.killRandom(ctx, rng, 500*time.Millisecond)
}

func (p *pipelineProcs) stop() {
	p.cancel()
	<-p.done
	p.fleet.stop()
}

// exits describes processes that ended on their own, or "".
func (p *pipelineProcs) exits() string {
	n, who := p.fleet.revivals()
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%d exits on their own, restarted (%s)", n, who)
}

// triggerMedallion keeps one finpipe_medallion run active until ctx ends.
// It reconnects for every round, so a database restart only costs a round.
func triggerMedallion(ctx context.Context, dbURL string) {
	for ctx.Err() == nil {
		sleep(ctx, 500*time.Millisecond)
		active, err := queryInt(ctx, dbURL, `SELECT count(*) FROM dag_runs WHERE dag_id = 'finpipe_medallion' AND state IN ('queued', 'running')`)
		if err != nil || active > 0 {
			continue
		}
		store, err := scheduler.Open(ctx, dbURL)
		if err != nil {
			continue
		}
		now := time.Now().UTC()
		_, _ = store.TriggerRun(ctx, "finpipe_medallion", scheduler.TriggerOptions{
			RunID: "finpipe_medallion__reliability__" + now.Format("20060102T150405.000000"), LogicalDate: now})
		store.Close()
	}
}
