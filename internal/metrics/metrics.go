// Package metrics holds FinPipe's Prometheus series, so that every process
// (standalone, scheduler, worker, web) exposes the same names and a
// dashboard works whichever process runs a task. A process creates one
// Metrics (New) and hands it to the parts that record: the store and its
// workers (scheduler.StoreOptions), the lake's commit observer
// (dags.PipelineFrom) and the web handler. Parts record through its small
// methods in series.go; they never create collectors of their own. The
// registry is a value, not a package variable, so two processes in one test
// binary (two tests) never count each other's events.
//
// Counters and histograms live in the process that did the work: scrape every
// scheduler, worker and web process (scheduler and workers serve them with a
// Server on FINPIPE_METRICS_ADDR, web on its own /metrics). Task instances by
// state and Kafka lag are measured at scrape time from the database and the
// broker, so exactly one process per deployment should report each, lest
// the same rows be counted once per process: `finpipe scheduler` hands its
// handler Sources.States, `finpipe web` Sources.Lag, and `finpipe
// standalone`, being the whole deployment, both. The sources belong to the
// handler that scrapes them, not to the Metrics, so two handlers never
// report each other's.
package metrics

import (
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one process's series, in a registry of their own plus the Go
// runtime and process collectors (RSS, open files, GC), which the
// reliability suite reads. A nil *Metrics records nothing, so a part built
// without one (a unit test, a one-shot command) needs no check. It is safe
// for concurrent use.
type Metrics struct {
	reg *prometheus.Registry
	s   series
}

// New returns a fresh set of FinPipe's series with nothing recorded.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), s: newSeries()}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	m.reg.MustRegister(m.s.collectors()...)
	return m
}

// Gatherer is what m has recorded, for handlers and tests; nothing for a
// nil Metrics.
func (m *Metrics) Gatherer() prometheus.Gatherer {
	if m == nil {
		return prometheus.Gatherers{}
	}
	return m.reg
}

// Sources are what a handler measures at scrape time; a nil one is not
// reported.
type Sources struct {
	// States counts task instances by state (finpipe_task_instances,
	// finpipe_queue_depth).
	States StateCounter
	// Lag is the ingest lag per partition (finpipe_kafka_lag_records).
	Lag LagSource
}

// Handler serves m's series, plus what src measures at scrape time, in
// the Prometheus exposition format. A series that fails to collect (the
// database is down) is logged and left out; the rest of the scrape still
// succeeds, because losing every metric when one source fails hides exactly
// the outage a dashboard should show.
func (m *Metrics) Handler(src Sources) http.Handler {
	scraped := prometheus.NewRegistry()
	if src.States != nil {
		scraped.MustRegister(stateCollector{src.States})
	}
	if src.Lag != nil {
		scraped.MustRegister(lagCollector{src.Lag})
	}
	return promhttp.HandlerFor(prometheus.Gatherers{m.Gatherer(), scraped}, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError,
		ErrorLog:      errorLog{},
	})
}

// errorLog adapts promhttp's Println logger to slog.
type errorLog struct{}

func (errorLog) Println(v ...any) { slog.Warn("metrics: collect failed", "error", v) }
