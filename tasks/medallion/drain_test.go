package medallion

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/tasks/check"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/produce"
)

// TestDrain is also a throughput probe: FINPIPE_DRAIN_N=1000000 go test
// -run TestDrain -v ./tasks/medallion prints each step's rate.
func TestDrain(t *testing.T) {
	t.Parallel()
	n := 5000
	if s := os.Getenv("FINPIPE_DRAIN_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	t0 := time.Now()
	stats, err := produce.Produce(ctx, brokers, topic, produce.Options{Count: n, Seed: 1, BadRatio: 0.02, DuplicateRatio: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("produced %d in %s", stats.Sent, time.Since(t0))
	l, err := lake.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cpu0 := cpuTime()
	st, err := Drain(ctx, l, Config{Brokers: brokers, Topic: topic})
	if err != nil {
		t.Fatal(err)
	}
	cpu := cpuTime() - cpu0
	t.Logf("drained %d in %s: %.0f tx/s end to end; %s CPU (%.1f µs per transaction, broker included)",
		n, st.Elapsed, float64(n)/st.Elapsed.Seconds(), cpu, float64(cpu.Microseconds())/float64(n))
	for name, s := range map[string]Stage{"ingest": st.Ingest, "clean": st.Clean, "aggregate": st.Aggregate} {
		t.Logf("  %-9s %d runs, %d rows, %s, %.0f rows/s", name, s.Runs, s.Rows, s.Elapsed, s.RowsPerSecond())
	}
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("peak RSS %d MB, heap in use %d MB", ru.Maxrss/1024, ms.HeapInuse>>20)
	if st.Ingest.Rows != int64(n) || st.Clean.Rows != int64(n) {
		t.Fatalf("ingest read %d, clean read %d, want %d", st.Ingest.Rows, st.Clean.Rows, n)
	}
	r, err := check.Run(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() {
		t.Fatalf("violations: %q", r.Violations)
	}
	// A second drain finds nothing to do.
	if st, err := Drain(ctx, l, Config{Brokers: brokers, Topic: topic}); err != nil || st.Ingest.Rows+st.Clean.Rows != 0 {
		t.Fatalf("second drain: %+v, %v", st, err)
	}
}

// cpuTime is the user + system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
