package metrics

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// states is a StateCounter over a fixed map: the interface has one method and
// the real store lives in another package, so the test supplies the counts.
type states struct {
	counts map[string]int
	err    error
}

func (s states) CountTaskStates(context.Context) (map[string]int, error) { return s.counts, s.err }

func scrape(t *testing.T, h http.Handler) (int, string) {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// TestScrapeFindsEverySeries records one of each event the parts of FinPipe
// report and checks a Prometheus scrape shows the series of issue 6.
func TestScrapeFindsEverySeries(t *testing.T) {
	t.Parallel()
	m := New()
	src := Sources{States: states{counts: map[string]int{"queued": 3, "running": 2, "success": 40}}}
	m.ObserveTask("finpipe_medallion", "ingest", "success", 1500*time.Millisecond)
	m.ObserveTask("finpipe_medallion", "clean", "up_for_retry", time.Second)
	m.ObserveRun("finpipe_medallion", "success", 4*time.Second)
	m.ObserveClaim(3 * time.Millisecond)
	src.Lag = LagFunc(func(context.Context) (string, map[int32]int64, error) {
		return "transactions", map[int32]int64{0: 0, 2: 1234}, nil
	})
	m.AddRows("bronze/transactions", 500)
	m.AddRejected("malformed_json", 7)
	m.ObserveDeltaCommit("silver/transactions", 20*time.Millisecond, 1)

	code, body := scrape(t, m.Handler(src))
	if code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	for _, want := range []string{
		`finpipe_task_instances{state="queued"} 3`,
		`finpipe_task_instances{state="failed"} 0`,
		`finpipe_queue_depth 3`,
		`finpipe_task_duration_seconds_count{dag="finpipe_medallion",state="success",task="ingest"} 1`,
		`finpipe_dag_run_duration_seconds_bucket{dag="finpipe_medallion",state="success",le="5"} 1`,
		`finpipe_task_claim_latency_seconds_count 1`,
		`finpipe_task_retries_total{dag="finpipe_medallion",task="clean"} 1`,
		`finpipe_kafka_lag_records{partition="2",topic="transactions"} 1234`,
		`finpipe_kafka_lag_records{partition="0",topic="transactions"} 0`,
		`finpipe_rows_written_total{table="bronze/transactions"} 500`,
		`finpipe_rejected_records_total{reason="malformed_json"} 7`,
		`finpipe_delta_commit_duration_seconds_count{table="silver/transactions"} 1`,
		`finpipe_delta_commit_conflicts_total{table="silver/transactions"} 1`,
		`process_resident_memory_bytes`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %s", want)
		}
	}
	// The sources are the handler's: another handler (another process
	// part, another test) does not report them.
	if _, other := scrape(t, m.Handler(Sources{})); strings.Contains(other, "finpipe_queue_depth") || strings.Contains(other, "finpipe_kafka_lag_records{") {
		t.Error("a handler without sources reports another handler's")
	}
}

// TestScrapeSurvivesSourceErrors: the database or the broker being down must
// not take the other series with it.
func TestScrapeSurvivesSourceErrors(t *testing.T) {
	t.Parallel()
	src := Sources{States: states{err: errors.New("connection refused")},
		Lag: LagFunc(func(context.Context) (string, map[int32]int64, error) {
			return "", nil, errors.New("broker down")
		})}
	m := New()
	m.AddRows("gold/daily_user_metrics", 1)
	code, body := scrape(t, m.Handler(src))
	if code != http.StatusOK {
		t.Fatalf("status %d, want 200", code)
	}
	if !strings.Contains(body, `finpipe_rows_written_total{table="gold/daily_user_metrics"}`) {
		t.Error("other series missing when the state counter fails")
	}
	if strings.Contains(body, "finpipe_task_instances{") || strings.Contains(body, "finpipe_kafka_lag_records{") {
		t.Error("a series was reported despite its source failing")
	}
}

func TestBadLabelFromDatabaseDoesNotPanic(t *testing.T) {
	t.Parallel()
	if code, _ := scrape(t, New().Handler(Sources{States: states{counts: map[string]int{"\xff": 1}}})); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
}

func get(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestServerStartStop(t *testing.T) {
	s := NewServer("127.0.0.1:0", New(), Sources{})
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	base := "http://" + s.Addr()
	if code := get(t, base+"/healthz"); code != http.StatusOK {
		t.Errorf("healthz status %d", code)
	}
	if code := get(t, base+"/metrics"); code != http.StatusOK {
		t.Errorf("metrics status %d", code)
	}
	if err := s.Start(context.Background()); err == nil {
		t.Error("second Start should fail")
	}
	taken := NewServer(s.Addr(), New(), Sources{})
	if err := taken.Start(context.Background()); err == nil {
		t.Error("Start on a taken port should fail at start-up")
	}
	for i := 0; i < 2; i++ {
		if err := s.Stop(context.Background()); err != nil {
			t.Errorf("Stop #%d: %v", i+1, err)
		}
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("server still answers after Stop")
	}
}

func TestServe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, addr, New(), Sources{}) }()
	for i := 0; i < 100; i++ {
		if _, err = http.Get("http://" + addr + "/healthz"); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("healthz never answered: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve after cancel = %v, want nil", err)
	}
	if err := Serve(context.Background(), "not-an-address", nil, Sources{}); err == nil {
		t.Error("Serve on a bad address should fail")
	}
}

// TestMetricsAreTheirOwn: two Metrics in one process (two tests, two
// engines) never see each other's events, and a nil one records nothing
// and still serves a scrape.
func TestMetricsAreTheirOwn(t *testing.T) {
	t.Parallel()
	a, b := New(), New()
	a.AddRejected("duplicate", 2)
	a.ObserveRun("mine", "success", time.Second)
	_, body := scrape(t, b.Handler(Sources{}))
	if strings.Contains(body, `reason="duplicate"`) || strings.Contains(body, `dag="mine"`) {
		t.Error("one Metrics reports another's events")
	}
	if _, body := scrape(t, a.Handler(Sources{})); !strings.Contains(body, `finpipe_rejected_records_total{reason="duplicate"} 2`) {
		t.Error("a Metrics lost its own event")
	}
	var none *Metrics
	none.ObserveTask("d", "t", "success", time.Second)
	none.DeltaCommit("/lake/bronze/transactions", time.Millisecond, 1, 10)
	if code, body := scrape(t, none.Handler(Sources{})); code != http.StatusOK || strings.Contains(body, "finpipe_") {
		t.Errorf("nil Metrics: status %d, body %q", code, body)
	}
}
