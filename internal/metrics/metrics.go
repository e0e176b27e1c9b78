// Package metrics holds FinPipe's Prometheus series in one registry, so that
// every process (standalone, scheduler, worker, web) exposes the same names
// and a dashboard works whichever process runs a task. Parts of FinPipe
// record through the small functions in series.go; they never create
// collectors of their own.
//
// Counters and histograms live in the process that did the work: scrape every
// scheduler, worker and web process (scheduler and workers serve them with a
// Server on FINPIPE_METRICS_ADDR, web on its own /metrics). Task instances by
// state and Kafka lag are measured at scrape time from the database and the
// broker, so exactly one process per deployment should report each, lest
// the same rows be counted once per process: `finpipe scheduler` hands its
// handler Sources.States, `finpipe web` Sources.Lag, and `finpipe
// standalone`, being the whole deployment, both. The sources belong to the
// handler that scrapes them, not to the package, so two handlers (two
// tests) never report each other's.
package metrics

import (
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Registry holds every FinPipe series plus the Go runtime and process
// collectors (RSS, open files, GC), which the reliability suite reads.
var Registry = prometheus.NewRegistry()

func init() {
	Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
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

// Handler serves the registry, plus what src measures at scrape time, in
// the Prometheus exposition format. A series that fails to collect (the
// database is down) is logged and left out; the rest of the scrape still
// succeeds, because losing every metric when one source fails hides exactly
// the outage a dashboard should show.
func Handler(src Sources) http.Handler {
	scraped := prometheus.NewRegistry()
	if src.States != nil {
		scraped.MustRegister(stateCollector{src.States})
	}
	if src.Lag != nil {
		scraped.MustRegister(lagCollector{src.Lag})
	}
	return promhttp.HandlerFor(prometheus.Gatherers{Registry, scraped}, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError,
		ErrorLog:      errorLog{},
	})
}

// errorLog adapts promhttp's Println logger to slog.
type errorLog struct{}

func (errorLog) Println(v ...any) { slog.Warn("metrics: collect failed", "error", v) }
