// Package pipeline is `finpipe bench pipeline`: a backlog of generated
// transactions in Kafka, drained through the orchestrator (scheduler,
// worker and PostgreSQL, as `finpipe standalone` runs them), measured end
// to end with the process's CPU and peak RSS.
package pipeline

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"runtime/trace"
	"syscall"
	"time"

	"github.com/finpipe/finpipe/dags"
	"github.com/finpipe/finpipe/internal/bench"
	"github.com/finpipe/finpipe/internal/drive"
	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/tasks/check"
	"github.com/finpipe/finpipe/tasks/lake"
)

// The benchmark runs the pipeline with the product's settings: the batch
// (FINPIPE_MAX_BATCH), Gold's interval (FINPIPE_AGGREGATE_EVERY), the
// ingest groups and the worker's slots come from the same flags,
// environment variables and defaults as `finpipe scheduler` and `finpipe
// standalone` (cmd/finpipe registers them from internal/config), so that
// it measures what a deployment runs. Nor does it set a Go memory limit of
// its own: the product sets none, and a limit the bench alone set would
// hide memory a deployment needs. GOMEMLIMIT, read by the Go runtime, is
// the one setting for both; Report.MemoryLimitMB says which was in force.

// Options say what to produce and how to run the pipeline on it.
type Options struct {
	Feed FeedSpec
	// DatabaseURL is a PostgreSQL server for a throw-away database; ""
	// starts an embedded one in a temporary directory.
	DatabaseURL string
	// LakeDir keeps the lake there; "" uses a temporary one, removed.
	LakeDir      string
	MaxBatch     int
	IngestGroups int
	// AggregateEvery bounds how long Gold waits during a backlog (0:
	// refreshed after every run, as FINPIPE_AGGREGATE_EVERY=0).
	AggregateEvery time.Duration
	Workers        int // task instances the in-process worker runs at once
	// CPUProfile and MemProfile are files for a CPU profile of the drain
	// and a heap profile taken when the live heap was largest.
	CPUProfile, MemProfile string
	// Trace is a file for an execution trace of the drain (`go tool
	// trace`): where a core sits idle or a goroutine waits, which a CPU
	// profile cannot show.
	Trace string
}

// Run produces the backlog in a child process, drains it through the
// orchestrator and checks the lake's invariants.
func Run(ctx context.Context, o Options) (Report, error) {
	if o.Feed.Topic == "" {
		o.Feed.Topic = fmt.Sprintf("bench-%d", time.Now().UnixNano())
	}
	if o.LakeDir == "" {
		tmp, err := os.MkdirTemp("", "finpipe-bench-lake-")
		if err != nil {
			return Report{}, err
		}
		defer os.RemoveAll(tmp)
		o.LakeDir = tmp
	}
	return run(ctx, o)
}

// run is Run once the topic and the lake directory are chosen: feed, drain,
// measure, check.
func run(ctx context.Context, o Options) (Report, error) {
	f, stopFeeder, err := startFeeder(ctx, o.Feed)
	if err != nil {
		return Report{}, err
	}
	defer stopFeeder()
	// The aggregate task's backlog check reads the topic's end over one
	// session, as PipelineFrom's does in a deployment.
	ends := kafka.NewEndOffsetReader(f.Brokers)
	defer ends.Close()
	p := dags.Pipeline{Lake: lake.Opener(o.LakeDir, nil), Brokers: f.Brokers, Topic: f.Topic,
		MaxBatch: o.MaxBatch, IngestGroups: o.IngestGroups, AggregateEvery: dags.AggregateEveryOf(o.AggregateEvery), TopicEnds: ends}
	e, err := bench.StartEngine(ctx, o.DatabaseURL, o.Workers, p)
	if err != nil {
		return Report{}, err
	}
	defer e.Stop()
	l, err := p.Lake()
	if err != nil {
		return Report{}, err
	}
	r, err := drain(ctx, o, e, l, p)
	if err != nil {
		return r, err
	}
	r.Transactions, r.ProduceSeconds, r.PerSecond = f.Sent, f.ProduceSeconds, float64(f.Sent)/r.ElapsedSeconds
	r.Partitions, r.Broker = o.Feed.Partitions, "embedded (child process)"
	if o.Feed.Brokers != "" {
		r.Broker = o.Feed.Brokers
	}
	// The broker's share of the machine: the feeder's CPU after it filled
	// the topic (it reported its own CPU then) up to its exit.
	if err := stopFeeder(); err == nil && o.Feed.Brokers == "" {
		r.BrokerCPUSeconds = bench.RusageCPU(syscall.RUSAGE_CHILDREN).Seconds() - f.CPUSeconds
	}
	rep, err := check.Run(ctx, l)
	if err != nil {
		return r, err
	}
	r.InvariantsHold, r.Violations = rep.OK(), rep.Violations
	return r, nil
}

// drain runs the medallion DAG until Kafka is drained, under the profilers
// asked for, and measures it.
func drain(ctx context.Context, o Options, e *bench.Engine, l *lake.Lake, p dags.Pipeline) (Report, error) {
	stopProfiles, err := startProfiles(o)
	if err != nil {
		return Report{}, err
	}
	var mem0, mem1 runtime.MemStats
	runtime.ReadMemStats(&mem0)
	cpu0, began := bench.CPUTime(), time.Now()
	_, err = drive.Driver{Store: e.Store, Label: "bench"}.UntilDrained(ctx, l, p, nil)
	elapsed, cpu := time.Since(began), bench.CPUTime()-cpu0
	runtime.ReadMemStats(&mem1)
	if perr := stopProfiles(); err == nil {
		err = perr
	}
	if err != nil {
		return Report{}, err
	}
	r := settingsOf(o, debug.SetMemoryLimit(-1))
	r.ElapsedSeconds, r.CPUSeconds, r.PeakRSSMB = elapsed.Seconds(), cpu.Seconds(), bench.PeakRSSMB()
	r.AllocatedMB, r.GCCycles = float64(mem1.TotalAlloc-mem0.TotalAlloc)/(1<<20), mem1.NumGC-mem0.NumGC
	r.Runs, err = timeRuns(ctx, e.Store, elapsed)
	return r, err
}

// settingsOf is the part of the report that says how the pipeline ran:
// the batch, Gold's interval, the ingest groups, the cores and the Go
// memory limit in force (limit as debug.SetMemoryLimit reports it;
// math.MaxInt64, the runtime's "no limit", is reported as 0).
func settingsOf(o Options, limit int64) Report {
	r := Report{MaxBatch: o.MaxBatch, IngestGroups: max(o.IngestGroups, 1), Workers: o.Workers,
		AggregateEverySeconds: o.AggregateEvery.Seconds(), GOMAXPROCS: runtime.GOMAXPROCS(0)}
	if limit != math.MaxInt64 {
		r.MemoryLimitMB = float64(limit) / (1 << 20)
	}
	return r
}

// startProfiles starts the CPU and peak-heap profilers that o asks for;
// the function returned stops them and writes their files.
func startProfiles(o Options) (func() error, error) {
	var stops []func() error
	stopAll := func() error {
		var first error
		for _, stop := range stops {
			if err := stop(); err != nil && first == nil {
				first = err
			}
		}
		return first
	}
	for _, p := range []struct {
		file  string
		start func(io.Writer) error
		stop  func()
	}{{o.CPUProfile, pprof.StartCPUProfile, pprof.StopCPUProfile}, {o.Trace, trace.Start, trace.Stop}} {
		if p.file == "" {
			continue
		}
		f, err := os.Create(p.file)
		if err != nil {
			_ = stopAll() // a profile started before this one
			return nil, err
		}
		if err := p.start(f); err != nil {
			f.Close()
			_ = stopAll()
			return nil, err
		}
		stops = append(stops, func() error { p.stop(); return f.Close() })
	}
	if o.MemProfile != "" {
		heap := startPeakHeapProfiler()
		stops = append(stops, func() error {
			if err := heap.writeTo(o.MemProfile); err != nil {
				return err
			}
			mb := func(b uint64) float64 { return float64(b) / (1 << 20) }
			fmt.Fprintf(os.Stderr, "heap profile at %.0f MB of live heap; Go held at most %.0f MB; sampled RSS peaked at %.0f MB with %.0f MB of it Go's (%.0f MB live); at the start RSS was %.0f MB, Go's %.0f MB\n",
				mb(heap.peak), mb(heap.goPeak), mb(heap.rssPeak), mb(heap.goAtRSSPeak), mb(heap.liveAtRSSPeak), mb(heap.rssStart), mb(heap.goStart))
			return nil
		})
	}
	return stopAll, nil
}
