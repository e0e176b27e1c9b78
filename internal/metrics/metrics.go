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
// the same rows be counted once per process: `finpipe scheduler` calls
// SetStateCounter, `finpipe web` SetLagSource, and `finpipe standalone`,
// being the whole deployment, both.
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

// Handler serves the registry in the Prometheus exposition format. A series
// that fails to collect (the database is down) is logged and left out; the
// rest of the scrape still succeeds, because losing every metric when one
// source fails hides exactly the outage a dashboard should show.
func Handler() http.Handler {
	return promhttp.HandlerFor(Registry, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError,
		ErrorLog:      errorLog{},
	})
}

// errorLog adapts promhttp's Println logger to slog.
type errorLog struct{}

func (errorLog) Println(v ...any) { slog.Warn("metrics: collect failed", "error", v) }
