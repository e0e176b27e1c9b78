package pipeline

import (
	"fmt"
	"io"

	"github.com/finpipe/finpipe/internal/bench"
)

// Report is the benchmark's result (--json prints it).
type Report struct {
	Transactions int64 `json:"transactions"`
	Partitions   int   `json:"partitions"`
	// MaxBatch, AggregateEverySeconds, IngestGroups and Workers are the
	// pipeline settings the run used (FINPIPE_MAX_BATCH,
	// FINPIPE_AGGREGATE_EVERY, FINPIPE_INGEST_GROUPS, FINPIPE_WORKERS or
	// their flags; else the product's defaults).
	MaxBatch              int     `json:"max_batch"`
	AggregateEverySeconds float64 `json:"aggregate_every_seconds"`
	IngestGroups          int     `json:"ingest_groups"`
	Workers               int     `json:"workers"`
	ProduceSeconds        float64 `json:"produce_seconds"`
	// ElapsedSeconds is the drain: from the first medallion run's trigger
	// until the lag is zero at every step.
	ElapsedSeconds float64 `json:"elapsed_seconds"`
	PerSecond      float64 `json:"transactions_per_second"`
	// CPUSeconds is this process's CPU over the drain: the worker's tasks
	// and the scheduler. PostgreSQL runs in its own process.
	CPUSeconds float64 `json:"cpu_seconds"`
	// BrokerCPUSeconds is the embedded broker's CPU while serving the
	// pipeline (0 with KAFKA_BROKERS): it shares the machine's cores.
	BrokerCPUSeconds float64 `json:"broker_cpu_seconds"`
	PeakRSSMB        float64 `json:"peak_rss_mb"`
	// AllocatedMB and GCCycles are the Go heap's allocations and
	// collections over the drain: unlike seconds, they do not change with
	// the machine's load, so they compare two builds on a busy machine.
	AllocatedMB    float64  `json:"allocated_mb"`
	GCCycles       uint32   `json:"gc_cycles"`
	Runs           RunTimes `json:"medallion_runs"`
	InvariantsHold bool     `json:"invariants_hold"`
	Violations     []string `json:"violations,omitempty"`
	Broker         string   `json:"broker"`
	GOMAXPROCS     int      `json:"gomaxprocs"`
	// MemoryLimitMB is the Go runtime's soft memory limit (GOMEMLIMIT),
	// 0 when none was set, as in a deployment that does not set one.
	MemoryLimitMB float64 `json:"gomemlimit_mb"`
}

// Print writes r as one indented JSON object, or as lines for people.
func (r Report) Print(w io.Writer, asJSON bool) error {
	if asJSON {
		return bench.WriteJSON(w, r)
	}
	fmt.Fprintf(w, "%d transactions, Kafka → Gold through the scheduler in %.2fs: %.0f transactions/s (produce took %.2fs)\n",
		r.Transactions, r.ElapsedSeconds, r.PerSecond, r.ProduceSeconds)
	rt := r.Runs
	fmt.Fprintf(w, "  %d finpipe_medallion runs: steps %.2fs, scheduling %.2fs, between runs %.2fs\n",
		rt.Runs, rt.StepsSeconds, rt.SchedulingSeconds, rt.BetweenRunsSeconds)
	for _, name := range []string{"ingest", "clean", "aggregate"} {
		t := rt.Tasks[name]
		fmt.Fprintf(w, "  %-9s %4d attempts  busy %6.2fs\n", name, t.Runs, t.BusySeconds)
	}
	fmt.Fprintf(w, "  batch %d records, Gold every %gs, %d ingest group(s), %d worker slots, GOMEMLIMIT %s\n",
		r.MaxBatch, r.AggregateEverySeconds, r.IngestGroups, r.Workers, memoryLimitText(r.MemoryLimitMB))
	_, err := fmt.Fprintf(w, "CPU %.2fs (broker %.2fs), allocated %.0f MB in %d GC cycles, peak RSS %.0f MB, invariants hold: %v\n",
		r.CPUSeconds, r.BrokerCPUSeconds, r.AllocatedMB, r.GCCycles, r.PeakRSSMB, r.InvariantsHold)
	return err
}

// memoryLimitText is MemoryLimitMB for people.
func memoryLimitText(mb float64) string {
	if mb == 0 {
		return "not set"
	}
	return fmt.Sprintf("%.0f MiB", mb)
}
