package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"time"

	"github.com/finpipe/finpipe/dags"
	"github.com/finpipe/finpipe/tasks/produce"
)

// pipelineProcs are a pipeline scenario's PostgreSQL, broker and the
// processes that run the medallion pipeline: `finpipe scheduler` and
// `finpipe worker` processes, with every other shipped DAG paused. Nothing
// triggers runs by hand: the Kafka watcher of one scheduler queues them as
// the transactions topic's asset events come in, as in production.
type pipelineProcs struct {
	mode  string
	fleet *fleet
	pg    *postgres
	b     *broker
}

// startPipeline starts PostgreSQL and the broker in dir, then the
// processes; on error nothing is left running, else close ends it all.
// extra is more environment for every process (the S3 rows' lake URL).
func startPipeline(ctx context.Context, e *suite, dir string, schedulers, workers int, extra ...string) (*pipelineProcs, error) {
	pg, b, err := startServices(ctx, e, dir)
	if err != nil {
		return nil, err
	}
	p := &pipelineProcs{pg: pg, b: b}
	if err := p.startProcs(ctx, e, dir, schedulers, workers, extra); err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

func (p *pipelineProcs) startProcs(ctx context.Context, e *suite, dir string, schedulers, workers int, extra []string) error {
	env := append([]string{"KAFKA_BROKERS=" + p.b.addr, "FINPIPE_DATA_DIR=" + filepath.Join(dir, "data"),
		"FINPIPE_LOG_FORMAT=json", "FINPIPE_MAX_BATCH=5000"}, extra...)
	c, err := startCluster(ctx, e, dir, p.pg.url, schedulers, workers, 2, env...)
	if err != nil {
		return err
	}
	p.fleet = c.fleet
	if !hasDAG(ctx, p.pg.url, dags.MedallionDAG) {
		return fmt.Errorf("finpipe scheduler synced no %s DAG", dags.MedallionDAG)
	}
	if err := onlyDAG(ctx, p.pg.url, dags.MedallionDAG); err != nil {
		return err
	}
	p.mode = fmt.Sprintf("%d scheduler + %d workers", schedulers, workers)
	if schedulers > 1 {
		p.mode = fmt.Sprintf("%d schedulers + %d workers", schedulers, workers)
	}
	return nil
}

// drainAndCheck waits until the lake at lakeLoc has consumed the whole
// topic and every run is final, stops the processes, and adds the
// orchestrator's checks and the lake's (over the produced sets) to r. It
// returns how long draining took.
func (p *pipelineProcs) drainAndCheck(ctx context.Context, e *suite, r *row, lakeLoc string, sets ...produce.Options) time.Duration {
	start := time.Now()
	if err := waitDrained(ctx, lakeLoc, p.b.addr, e.s.settle); err != nil {
		r.fail("not drained: %v", err)
	}
	took := time.Since(start)
	if err := settle(ctx, p.pg.url, e.s.settle); err != nil {
		r.fail("runs still active after %s", e.s.settle)
	}
	p.stop()
	if checks, err := checkOrchestrator(ctx, p.pg.url); err != nil {
		r.fail("checks: %v", err)
	} else {
		checks.report(r)
	}
	checkLake(ctx, e, lakeLoc, p.b.addr, r, sets...)
	return took
}

func (p *pipelineProcs) kill(ctx context.Context, rng *rand.Rand) string {
	return p.fleet.killRandom(ctx, rng, 500*time.Millisecond)
}

// stop ends the processes; PostgreSQL and the broker stay up for checks.
func (p *pipelineProcs) stop() {
	if p.fleet != nil {
		p.fleet.stop()
	}
}

// close ends the processes, the broker and PostgreSQL.
func (p *pipelineProcs) close() {
	p.stop()
	p.b.stop()
	p.pg.stop()
}

// exits describes processes that ended on their own, or "".
func (p *pipelineProcs) exits() string {
	n, who := p.fleet.revivals()
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%d exits on their own, restarted (%s)", n, who)
}
