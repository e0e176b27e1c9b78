// Package schedbench measures the orchestrator against a real PostgreSQL:
// step latency (a task's end to its downstream's start) over a chain of
// no-op tasks, and throughput over a fan-out of no-op tasks. It drives the
// engine only through its public API, as a user's deployment would, and
// reads the timings PostgreSQL recorded, so the figures are what the UI
// shows. "finpipe bench scheduler" prints them.
package schedbench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/finpipe/finpipe/scheduler"
)

// Options size the benchmark. Zero values mean the defaults.
type Options struct {
	ChainTasks  int // default 200
	FanoutTasks int // default 5000
	Workers     int // in-process workers, default 2
	Concurrency int // attempts per worker, default 32
	Logger      *slog.Logger
}

// Latency summarises step latencies in milliseconds.
type Latency struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// Result is what the benchmark measured.
type Result struct {
	StepLatencyMS        Latency `json:"step_latency_ms"`
	ChainTasks           int     `json:"chain_tasks"`
	ChainSeconds         float64 `json:"chain_seconds"`
	ThroughputTasksPerS  float64 `json:"throughput_tasks_per_s"`
	FanoutTasks          int     `json:"fanout_tasks"`
	FanoutSeconds        float64 `json:"fanout_seconds"`
	Workers              int     `json:"workers"`
	ConcurrencyPerWorker int     `json:"concurrency_per_worker"`
	CPUs                 int     `json:"cpus"`
	GoVersion            string  `json:"go_version"`
}

func noop(context.Context, *scheduler.TaskContext) error { return nil }

// clock records when each chain task's body starts and returns, as seen by
// the task itself: the step latency users feel, independent of how the
// engine stamps start_date and end_date.
type clock struct {
	mu         sync.Mutex
	start, end map[string]time.Time
}

func (c *clock) task(ctx context.Context, tc *scheduler.TaskContext) error {
	now := time.Now()
	c.mu.Lock()
	c.start[tc.TaskID] = now
	c.end[tc.TaskID] = time.Now()
	c.mu.Unlock()
	return nil
}

func (o *Options) defaults() {
	if o.ChainTasks <= 1 {
		o.ChainTasks = 200
	}
	if o.FanoutTasks <= 0 {
		o.FanoutTasks = 5000
	}
	if o.Workers <= 0 {
		o.Workers = 2
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 32
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
}

// dags builds the two benchmark DAGs: bench_chain (t0000 → t0001 → …) and
// bench_fanout (start → f0000 … fNNNN).
func dags(o Options, c *clock) []*scheduler.DAG {
	chain := scheduler.NewDAG("bench_chain", scheduler.DAGOptions{Description: "benchmark: step latency"})
	for i := 0; i < o.ChainTasks; i++ {
		var up []string
		if i > 0 {
			up = []string{fmt.Sprintf("t%04d", i-1)}
		}
		chain.Task(fmt.Sprintf("t%04d", i), c.task, scheduler.TaskOptions{Upstream: up})
	}
	fan := scheduler.NewDAG("bench_fanout", scheduler.DAGOptions{Description: "benchmark: throughput", MaxActiveTasks: o.FanoutTasks + 1})
	fan.Task("start", noop, scheduler.TaskOptions{})
	for i := 0; i < o.FanoutTasks; i++ {
		fan.Task(fmt.Sprintf("f%04d", i), c.task, scheduler.TaskOptions{Upstream: []string{"start"}})
	}
	return []*scheduler.DAG{chain, fan}
}

// Run migrates the (fresh) database behind store, starts a scheduler and
// the workers, runs both DAGs once and measures them.
func Run(ctx context.Context, store *scheduler.Store, o Options) (Result, error) {
	o.defaults()
	res := Result{ChainTasks: o.ChainTasks, FanoutTasks: o.FanoutTasks, Workers: o.Workers,
		ConcurrencyPerWorker: o.Concurrency, CPUs: runtime.NumCPU(), GoVersion: runtime.Version()}
	if _, err := store.Migrate(ctx); err != nil {
		return res, err
	}
	c := &clock{start: map[string]time.Time{}, end: map[string]time.Time{}}
	reg, err := scheduler.NewRegistry(dags(o, c)...)
	if err != nil {
		return res, err
	}
	sch := scheduler.NewScheduler(store, reg, scheduler.SchedulerOptions{Logger: o.Logger})
	if err := sch.Start(ctx); err != nil {
		return res, err
	}
	defer sch.Stop(context.Background())
	for i := 0; i < o.Workers; i++ {
		w := scheduler.NewWorker(store, reg, scheduler.WorkerOptions{Concurrency: o.Concurrency, Logger: o.Logger})
		if err := w.Start(ctx); err != nil {
			return res, err
		}
		defer w.Stop(context.Background())
	}
	chain, err := runOnce(ctx, store, "bench_chain")
	if err != nil {
		return res, err
	}
	res.StepLatencyMS, res.ChainSeconds = stepLatencies(chain, c)
	fan, err := runOnce(ctx, store, "bench_fanout")
	if err != nil {
		return res, err
	}
	first, last := c.span(fan[1:]) // the children, without "start"
	res.FanoutSeconds = last.Sub(first).Seconds()
	if res.FanoutSeconds > 0 {
		res.ThroughputTasksPerS = float64(o.FanoutTasks) / res.FanoutSeconds
	}
	return res, nil
}

// runOnce triggers a run, waits for it to succeed and returns its task
// instances in definition order.
func runOnce(ctx context.Context, store *scheduler.Store, dagID string) ([]scheduler.TaskInstance, error) {
	run, err := store.TriggerRun(ctx, dagID, scheduler.TriggerOptions{})
	if err != nil {
		return nil, err
	}
	for {
		r, err := store.GetRun(ctx, run.RunID)
		if err != nil {
			return nil, err
		}
		if r.State.Finished() {
			if r.State != scheduler.RunSuccess {
				return nil, fmt.Errorf("benchmark run %s ended %s", r.RunID, r.State)
			}
			return store.ListTaskInstances(ctx, run.RunID)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// stepLatencies measures, along the chain, from the moment task i's body
// returned to the moment task i+1's body began.
func stepLatencies(tis []scheduler.TaskInstance, c *clock) (Latency, float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var ms []float64
	for i := 1; i < len(tis); i++ {
		ms = append(ms, float64(c.start[tis[i].TaskID].Sub(c.end[tis[i-1].TaskID]).Microseconds())/1000)
	}
	first, last := c.spanLocked(tis)
	return summarise(ms), last.Sub(first).Seconds()
}

// span is the time from the first task body's start to the last one's end.
func (c *clock) span(tis []scheduler.TaskInstance) (first, last time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.spanLocked(tis)
}

func (c *clock) spanLocked(tis []scheduler.TaskInstance) (first, last time.Time) {
	for i, ti := range tis {
		if s := c.start[ti.TaskID]; i == 0 || s.Before(first) {
			first = s
		}
		if e := c.end[ti.TaskID]; e.After(last) {
			last = e
		}
	}
	return first, last
}

func summarise(ms []float64) Latency {
	if len(ms) == 0 {
		return Latency{}
	}
	sort.Float64s(ms)
	q := func(p float64) float64 { return round(ms[int(p*float64(len(ms)-1)+0.5)]) }
	sum := 0.0
	for _, v := range ms {
		sum += v
	}
	return Latency{P50: q(0.50), P90: q(0.90), P99: q(0.99), Max: round(ms[len(ms)-1]), Mean: round(sum / float64(len(ms)))}
}

func round(v float64) float64 { return float64(int64(v*1000+0.5)) / 1000 }
