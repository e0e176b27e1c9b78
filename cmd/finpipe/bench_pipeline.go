package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/finpipe/finpipe/internal/config"
	"github.com/finpipe/finpipe/tasks/check"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/medallion"
)

// defaultBenchMemoryLimit is the Go heap's soft limit when GOMEMLIMIT is
// unset: it leaves room under the 512 MB RSS budget for librdkafka's
// buffers and the runtime.
const defaultBenchMemoryLimit = 384 << 20

func init() {
	registerBench(command{name: "pipeline", summary: "end-to-end Kafka → Gold throughput, per-stage rates and peak RSS", run: runBenchPipeline})
}

// pipelineReport is the --json output.
type pipelineReport struct {
	Transactions   int64   `json:"transactions"`
	Partitions     int     `json:"partitions"`
	MaxBatch       int     `json:"max_batch"`
	ProduceSeconds float64 `json:"produce_seconds"`
	ElapsedSeconds float64 `json:"elapsed_seconds"`
	PerSecond      float64 `json:"transactions_per_second"`
	CPUSeconds     float64 `json:"cpu_seconds"`
	// BrokerCPUSeconds is the embedded broker's CPU while serving the
	// pipeline (0 with KAFKA_BROKERS): it shares the machine's cores.
	BrokerCPUSeconds float64               `json:"broker_cpu_seconds"`
	PeakRSSMB        float64               `json:"peak_rss_mb"`
	Stages           map[string]stageStats `json:"stages"`
	InvariantsHold   bool                  `json:"invariants_hold"`
	Violations       []string              `json:"violations,omitempty"`
	Broker           string                `json:"broker"`
	GOMAXPROCS       int                   `json:"gomaxprocs"`
	MemoryLimitMB    float64               `json:"gomemlimit_mb"`
}

type stageStats struct {
	Runs        int     `json:"runs"`
	Rows        int64   `json:"rows"`
	BusySeconds float64 `json:"busy_seconds"`
	RowsPerSec  float64 `json:"rows_per_second"`
}

func runBenchPipeline(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench pipeline", flag.ContinueOnError)
	usageFor(fs, "finpipe bench pipeline [--transactions N] [--partitions P] [--max-batch N] [--json]")
	cfg := config.Register(fs, config.KafkaBrokers, config.MaxBatch)
	var s feedSpec
	fs.IntVar(&s.transactions, "transactions", 1_000_000, "`number` of transactions to produce and process")
	fs.IntVar(&s.partitions, "partitions", 3, "`number` of topic partitions")
	fs.Int64Var(&s.seed, "seed", 1, "generator `seed`")
	fs.Float64Var(&s.bad, "bad-ratio", 0.02, "`share` of broken records")
	fs.Float64Var(&s.dup, "duplicate-ratio", 0.01, "`share` of duplicate records")
	fs.StringVar(&s.topic, "topic", "", "topic `name` (default: a fresh bench-<time> topic)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	aggEvery := fs.Duration("aggregate-every", 5*time.Second, "least `time` between two aggregate runs (a trigger interval)")
	keep := fs.String("lake", "", "write the lake to this `directory` and keep it (default: a temporary one, removed)")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the pipeline to this `file`")
	memProfile := fs.String("memprofile", "", "write a heap profile taken when the live heap was largest to this `file`")
	feeder := fs.Bool("feeder", false, "internal: run as the benchmark's broker and producer process")
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if err := cfg.Load(); err != nil {
		return err
	}
	s.brokers = cfg.KafkaBrokers
	if *feeder {
		return runFeeder(ctx, s)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		// Go's GC otherwise lets the heap grow to twice the live data; a
		// soft limit, as a container deployment sets, keeps RSS in budget.
		debug.SetMemoryLimit(defaultBenchMemoryLimit)
	}
	if s.topic == "" {
		s.topic = fmt.Sprintf("bench-%d", time.Now().UnixNano())
	}
	dir := *keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "finpipe-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	f, stopFeeder, err := startFeeder(ctx, s)
	if err != nil {
		return err
	}
	defer stopFeeder()
	l, err := lake.Open(dir)
	if err != nil {
		return err
	}
	if *profile != "" {
		pf, err := os.Create(*profile)
		if err != nil {
			return err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var heap *peakHeapProfiler
	if *memProfile != "" {
		heap = startPeakHeapProfiler()
	}
	cpu0 := cpuTime()
	mcfg := medallion.Config{Brokers: f.Brokers, Topic: f.Topic, MaxBatch: cfg.MaxBatch, AggregateEvery: *aggEvery}
	st, err := medallion.Drain(ctx, l, mcfg)
	if err != nil {
		return err
	}
	cpu := cpuTime() - cpu0
	if heap != nil {
		if err := heap.writeTo(*memProfile); err != nil {
			return err
		}
		mb := func(b uint64) float64 { return float64(b) / (1 << 20) }
		fmt.Fprintf(os.Stderr, "heap profile at %.0f MB of live heap; Go held at most %.0f MB; sampled RSS peaked at %.0f MB with %.0f MB of it Go's\n",
			mb(heap.peak), mb(heap.goPeak), mb(heap.rssPeak), mb(heap.goAtRSSPeak))
	}
	// The broker's share of the machine: the feeder's CPU after it filled
	// the topic (it reported its own CPU then) up to its exit.
	var brokerCPU float64
	if err := stopFeeder(); err == nil && s.brokers == "" {
		brokerCPU = rusageCPU(syscall.RUSAGE_CHILDREN).Seconds() - f.CPUSeconds
	}
	r := pipelineReport{
		Transactions: f.Sent, Partitions: s.partitions, MaxBatch: mcfg.Batch(), ProduceSeconds: f.ProduceSeconds,
		ElapsedSeconds: st.Elapsed.Seconds(), PerSecond: float64(f.Sent) / st.Elapsed.Seconds(),
		CPUSeconds: cpu.Seconds(), BrokerCPUSeconds: brokerCPU, PeakRSSMB: peakRSSMB(), Broker: "embedded (child process)",
		GOMAXPROCS: runtime.GOMAXPROCS(0), MemoryLimitMB: float64(debug.SetMemoryLimit(-1)) / (1 << 20),
		Stages: map[string]stageStats{"ingest": stageOf(st.Ingest), "clean": stageOf(st.Clean), "aggregate": stageOf(st.Aggregate)},
	}
	if s.brokers != "" {
		r.Broker = s.brokers
	}
	rep, err := check.Run(ctx, l)
	if err != nil {
		return err
	}
	r.InvariantsHold, r.Violations = rep.OK(), rep.Violations
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	fmt.Printf("%d transactions, Kafka → Gold in %.2fs: %.0f transactions/s (produce took %.2fs)\n",
		r.Transactions, r.ElapsedSeconds, r.PerSecond, r.ProduceSeconds)
	for _, name := range []string{"ingest", "clean", "aggregate"} {
		sg := r.Stages[name]
		fmt.Printf("  %-9s %3d runs %9d rows  busy %6.2fs  %9.0f rows/s\n", name, sg.Runs, sg.Rows, sg.BusySeconds, sg.RowsPerSec)
	}
	fmt.Printf("CPU %.2fs (broker %.2fs), peak RSS %.0f MB, invariants hold: %v\n", r.CPUSeconds, r.BrokerCPUSeconds, r.PeakRSSMB, r.InvariantsHold)
	return nil
}

func stageOf(s medallion.Stage) stageStats {
	return stageStats{Runs: s.Runs, Rows: s.Rows, BusySeconds: s.Elapsed.Seconds(), RowsPerSec: s.RowsPerSecond()}
}

// cpuTime is the user + system CPU time this process has used.
func cpuTime() time.Duration { return rusageCPU(syscall.RUSAGE_SELF) }

// rusageCPU is the user + system CPU time of who (this process, or its
// waited-for children).
func rusageCPU(who int) time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(who, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSSMB is this process's peak resident set size (Linux reports KiB).
func peakRSSMB() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Maxrss) / 1024
}
