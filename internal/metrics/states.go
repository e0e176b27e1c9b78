package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// StateCounter counts task instances per state; the scheduler's PostgreSQL
// store implements it with one GROUP BY. Counting at scrape time instead of
// keeping gauges in sync means the numbers are right even when another
// process changed the rows.
type StateCounter interface {
	CountTaskStates(ctx context.Context) (map[string]int, error)
}

// TaskStates are Airflow's task instance states; each is always exported,
// zero when absent, so a dashboard's lines do not vanish.
var TaskStates = []string{"scheduled", "queued", "running", "success", "failed", "up_for_retry", "upstream_failed", "skipped"}

// scrapeTimeout bounds the query so a slow database cannot hang a scrape.
const scrapeTimeout = 5 * time.Second

var (
	taskInstancesDesc = prometheus.NewDesc("finpipe_task_instances",
		"Task instances in the database, by state.", []string{"state"}, nil)
	queueDepthDesc = prometheus.NewDesc("finpipe_queue_depth",
		"Task instances queued and waiting for a worker.", nil, nil)
)

// stateCollector queries its StateCounter on each scrape.
type stateCollector struct{ src StateCounter }

func (stateCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- taskInstancesDesc
	ch <- queueDepthDesc
}

func (c stateCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	counts, err := c.src.CountTaskStates(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(taskInstancesDesc, err)
		return
	}
	seen := map[string]bool{}
	for _, s := range TaskStates {
		seen[s] = true
		ch <- gauge(taskInstancesDesc, counts[s], s)
	}
	for s, n := range counts {
		if !seen[s] {
			ch <- gauge(taskInstancesDesc, n, s)
		}
	}
	ch <- gauge(queueDepthDesc, counts["queued"])
}

// gauge builds a constant sample; a label the exposition format cannot carry
// (invalid UTF-8 from the database) becomes a scrape error, not a panic.
func gauge[N int | int64](d *prometheus.Desc, v N, labels ...string) prometheus.Metric {
	m, err := prometheus.NewConstMetric(d, prometheus.GaugeValue, float64(v), labels...)
	if err != nil {
		return prometheus.NewInvalidMetric(d, err)
	}
	return m
}
