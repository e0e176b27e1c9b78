package main

import (
	"context"
	"io"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/internal/metrics"
	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/tasks/produce"
)

// scrapeMetrics fetches /metrics as Prometheus would and returns each
// sample line's value by its series text, e.g.
// `finpipe_rows_written_total{table="silver/transactions"}`.
func scrapeMetrics(t *testing.T, m *metrics.Metrics, src metrics.Sources) map[string]float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler(src).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	out := map[string]float64{}
	for _, line := range strings.Split(string(body), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			out[line[:i]] = v
		}
	}
	return out
}

// sumSeries adds the samples whose series text starts with prefix.
func sumSeries(samples map[string]float64, prefix string) float64 {
	var n float64
	for k, v := range samples {
		if strings.HasPrefix(k, prefix) {
			n += v
		}
	}
	return n
}

// TestMetricsAfterAPipelineRun drives the demo (real scheduler, worker,
// Kafka and lake) and then scrapes /metrics for the series a dashboard of
// the pipeline is built on.
func TestMetricsAfterAPipelineRun(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts the orchestrator")
	}
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 3)
	db := testenv.Postgres(t)
	dir := t.TempDir()
	proc := newProcess(nil, nil)
	before := scrapeMetrics(t, proc.metrics, metrics.Sources{})
	args := []string{"demo", "--data-dir", dir, "--database-url", db, "--kafka-brokers", brokers,
		"--topic", topic, "--transactions", "2000", "--seed", "7", "--log-level", "error", "--json"}
	if code, _, _ := runIn(t, proc, args); code != 0 {
		t.Fatalf("demo: exit %d", code)
	}
	after := scrapeMetrics(t, proc.metrics, metrics.Sources{})
	grew := func(prefix string) float64 { return sumSeries(after, prefix) - sumSeries(before, prefix) }
	for _, table := range []string{"bronze/transactions", "silver/transactions", "silver/rejected", "gold/daily_user_metrics"} {
		if grew(`finpipe_rows_written_total{table="`+table+`"}`) <= 0 {
			t.Errorf("no rows written to %s", table)
		}
		if grew(`finpipe_delta_commit_duration_seconds_count{table="`+table+`"}`) <= 0 {
			t.Errorf("no commit latency for %s", table)
		}
	}
	if got := grew(`finpipe_rows_written_total{table="bronze/transactions"}`); got != 2000 {
		t.Errorf("bronze rows written %v, want 2000", got)
	}
	if grew(`finpipe_rejected_records_total{reason="duplicate"}`) <= 0 || grew("finpipe_rejected_records_total") <= 0 {
		t.Error("no rejected records counted (the demo sends duplicates and broken records)")
	}
	for _, task := range []string{"ingest", "clean", "aggregate"} {
		if grew(`finpipe_task_duration_seconds_count{dag="finpipe_medallion",state="success",task="`+task) <= 0 {
			t.Errorf("no successful %s attempts timed", task)
		}
	}
	if grew(`finpipe_dag_run_duration_seconds_count{dag="finpipe_medallion",state="success"}`) <= 0 {
		t.Error("no finished finpipe_medallion runs timed")
	}
	if grew("finpipe_task_claim_latency_seconds_count") <= 0 {
		t.Error("no claims timed")
	}

	// Drained: every partition's lag gauge reads 0.
	samples := scrapeMetrics(t, proc.metrics, metrics.Sources{Lag: kafkaLagSource(filepath.Join(dir, "dev", "lake"), brokers, topic)})
	for p := 0; p < 3; p++ {
		key := `finpipe_kafka_lag_records{partition="` + strconv.Itoa(p) + `",topic="` + topic + `"}`
		if v, ok := samples[key]; !ok || v != 0 {
			t.Errorf("%s = %v (present %v), want 0 after draining", key, v, ok)
		}
	}
}

// TestKafkaLagBeforeFirstIngest: with no Bronze table yet, everything in
// the topic is lag, and the scrape does not fail.
func TestKafkaLagBeforeFirstIngest(t *testing.T) {
	t.Parallel()
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 2)
	ctx := context.Background()
	if _, err := produce.Produce(ctx, brokers, topic, produce.Options{Count: 50, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	high, err := kafka.HighWatermarks(ctx, brokers, topic)
	if err != nil {
		t.Fatal(err)
	}
	_, lag, err := kafkaLagSource(t.TempDir(), brokers, topic).KafkaLag(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for p, h := range high {
		if lag[p] != h {
			t.Errorf("partition %d: lag %d, high watermark %d", p, lag[p], h)
		}
		total += lag[p]
	}
	if total != 50 {
		t.Errorf("total lag %d, want 50", total)
	}
}
