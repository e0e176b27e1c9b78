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

// series are the collectors of issue 6, one set per Metrics. Labels are
// bounded: dag and task ids come from code, table names and reason codes
// from DESIGN.md.
type series struct {
	taskDuration         *prometheus.HistogramVec
	runDuration          *prometheus.HistogramVec
	claimLatency         prometheus.Histogram
	taskRetries          *prometheus.CounterVec
	rowsWritten          *prometheus.CounterVec
	rejectedRecords      *prometheus.CounterVec
	deltaCommitDuration  *prometheus.HistogramVec
	deltaCommitConflicts *prometheus.CounterVec
}

func newSeries() series {
	return series{
		taskDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "finpipe_task_duration_seconds", Buckets: taskBuckets,
			Help: "Wall time of finished task attempts, by DAG, task and final state of the attempt.",
		}, []string{"dag", "task", "state"}),
		runDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "finpipe_dag_run_duration_seconds", Buckets: taskBuckets,
			Help: "Wall time of finished DAG runs, from start to final state, by DAG and state.",
		}, []string{"dag", "state"}),
		claimLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "finpipe_task_claim_latency_seconds", Buckets: claimBuckets,
			Help: "Time from a task instance becoming queued to a worker claiming it.",
		}),
		taskRetries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "finpipe_task_retries_total",
			Help: "Task attempts that failed and were put up_for_retry, by DAG and task.",
		}, []string{"dag", "task"}),
		rowsWritten: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "finpipe_rows_written_total",
			Help: "Rows committed to each lake table (e.g. bronze/transactions).",
		}, []string{"table"}),
		rejectedRecords: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "finpipe_rejected_records_total",
			Help: "Records written to silver/rejected, by reason code.",
		}, []string{"reason"}),
		deltaCommitDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "finpipe_delta_commit_duration_seconds", Buckets: commitBuckets,
			Help: "Time to write one Delta commit, retries after conflicts included, by table.",
		}, []string{"table"}),
		deltaCommitConflicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "finpipe_delta_commit_conflicts_total",
			Help: "Delta commits that lost the race for their version and had to re-read, by table.",
		}, []string{"table"}),
	}
}

func (s series) collectors() []prometheus.Collector {
	return []prometheus.Collector{s.taskDuration, s.runDuration, s.claimLatency, s.taskRetries,
		s.rowsWritten, s.rejectedRecords, s.deltaCommitDuration, s.deltaCommitConflicts}
}

// ObserveTask records a finished task attempt; state is its final state
// (success, failed, up_for_retry). A retry also counts in
// finpipe_task_retries_total.
func (m *Metrics) ObserveTask(dag, task, state string, d time.Duration) {
	if m == nil {
		return
	}
	m.s.taskDuration.WithLabelValues(dag, task, state).Observe(d.Seconds())
	if state == "up_for_retry" {
		m.s.taskRetries.WithLabelValues(dag, task).Inc()
	}
}

// ObserveRun records a DAG run that reached a final state.
func (m *Metrics) ObserveRun(dag, state string, d time.Duration) {
	if m == nil {
		return
	}
	m.s.runDuration.WithLabelValues(dag, state).Observe(d.Seconds())
}

// ObserveClaim records how long a task instance waited in the queue.
func (m *Metrics) ObserveClaim(d time.Duration) {
	if m == nil {
		return
	}
	m.s.claimLatency.Observe(d.Seconds())
}

// AddRows counts rows committed to a lake table.
func (m *Metrics) AddRows(table string, n int) {
	if m == nil || n <= 0 {
		return
	}
	m.s.rowsWritten.WithLabelValues(table).Add(float64(n))
}

// AddRejected counts records quarantined for a reason code.
func (m *Metrics) AddRejected(reason string, n int) {
	if m == nil || n <= 0 {
		return
	}
	m.s.rejectedRecords.WithLabelValues(reason).Add(float64(n))
}

// ObserveDeltaCommit records one successful commit and how many times it
// conflicted before it won.
func (m *Metrics) ObserveDeltaCommit(table string, d time.Duration, conflicts int) {
	if m == nil {
		return
	}
	m.s.deltaCommitDuration.WithLabelValues(table).Observe(d.Seconds())
	if conflicts > 0 {
		m.s.deltaCommitConflicts.WithLabelValues(table).Add(float64(conflicts))
	}
}
