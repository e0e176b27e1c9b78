package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Buckets sized for what each histogram measures: a claim should take
// milliseconds, a task seconds to minutes, a Delta commit tens of ms.
var (
	claimBuckets  = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	taskBuckets   = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600}
	commitBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
)

// The series of issue 6. Labels are bounded: dag and task ids come from code,
// table names and reason codes from DESIGN.md.
var (
	TaskDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "finpipe_task_duration_seconds", Buckets: taskBuckets,
		Help: "Wall time of finished task attempts, by DAG, task and final state of the attempt.",
	}, []string{"dag", "task", "state"})
	RunDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "finpipe_dag_run_duration_seconds", Buckets: taskBuckets,
		Help: "Wall time of finished DAG runs, from start to final state, by DAG and state.",
	}, []string{"dag", "state"})
	ClaimLatency = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "finpipe_task_claim_latency_seconds", Buckets: claimBuckets,
		Help: "Time from a task instance becoming queued to a worker claiming it.",
	})
	TaskRetries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "finpipe_task_retries_total",
		Help: "Task attempts that failed and were put up_for_retry, by DAG and task.",
	}, []string{"dag", "task"})
	RowsWritten = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "finpipe_rows_written_total",
		Help: "Rows committed to each lake table (e.g. bronze/transactions).",
	}, []string{"table"})
	RejectedRecords = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "finpipe_rejected_records_total",
		Help: "Records written to silver/rejected, by reason code.",
	}, []string{"reason"})
	DeltaCommitDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "finpipe_delta_commit_duration_seconds", Buckets: commitBuckets,
		Help: "Time to write one Delta commit, retries after conflicts included, by table.",
	}, []string{"table"})
	DeltaCommitConflicts = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "finpipe_delta_commit_conflicts_total",
		Help: "Delta commits that lost the race for their version and had to re-read, by table.",
	}, []string{"table"})
)

func init() {
	Registry.MustRegister(TaskDuration, RunDuration, ClaimLatency, TaskRetries,
		RowsWritten, RejectedRecords, DeltaCommitDuration, DeltaCommitConflicts)
}

// ObserveTask records a finished task attempt; state is its final state
// (success, failed, up_for_retry). A retry also counts in TaskRetries.
func ObserveTask(dag, task, state string, d time.Duration) {
	TaskDuration.WithLabelValues(dag, task, state).Observe(d.Seconds())
	if state == "up_for_retry" {
		TaskRetries.WithLabelValues(dag, task).Inc()
	}
}

// ObserveRun records a DAG run that reached a final state.
func ObserveRun(dag, state string, d time.Duration) {
	RunDuration.WithLabelValues(dag, state).Observe(d.Seconds())
}

// ObserveClaim records how long a task instance waited in the queue.
func ObserveClaim(d time.Duration) { ClaimLatency.Observe(d.Seconds()) }

// AddRows counts rows committed to a lake table.
func AddRows(table string, n int) {
	if n > 0 {
		RowsWritten.WithLabelValues(table).Add(float64(n))
	}
}

// AddRejected counts records quarantined for a reason code.
func AddRejected(reason string, n int) {
	if n > 0 {
		RejectedRecords.WithLabelValues(reason).Add(float64(n))
	}
}

// ObserveDeltaCommit records one successful commit and how many times it
// conflicted before it won.
func ObserveDeltaCommit(table string, d time.Duration, conflicts int) {
	DeltaCommitDuration.WithLabelValues(table).Observe(d.Seconds())
	if conflicts > 0 {
		DeltaCommitConflicts.WithLabelValues(table).Add(float64(conflicts))
	}
}
