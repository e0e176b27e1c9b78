package produce

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/tasks/record"
)

// readAll reads every partition of topic from the start.
func readAll(t testing.TB, brokers, topic string) []kafka.Record {
	t.Helper()
	ctx := context.Background()
	ps, err := kafka.Partitions(ctx, brokers, topic)
	if err != nil {
		t.Fatal(err)
	}
	var all []kafka.Record
	for _, p := range ps {
		recs, _, err := kafka.ReadRange(ctx, brokers, topic, p, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, recs...)
	}
	return all
}

func TestProduce(t *testing.T) {
	t.Parallel()
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 3)
	opts := testOptions()
	opts.Count = 5000
	opts.Clock = nil // real time: the broker stamps records now
	st, err := Produce(context.Background(), brokers, topic, opts)
	if err != nil {
		t.Fatal(err)
	}
	if st.Sent != 5000 || st.Valid+st.Bad+st.Duplicates+st.Late != 5000 || st.Bad == 0 || st.Duplicates == 0 || st.Late == 0 {
		t.Fatalf("stats %+v", st)
	}
	recs := readAll(t, brokers, topic)
	if len(recs) != 5000 {
		t.Fatalf("read back %d records", len(recs))
	}
	perReason := map[record.Reason]int64{}
	partitionsOfUser := map[string]int32{}
	for _, r := range recs {
		tx, rej := record.Validate(r.Value, r.Timestamp)
		if rej != nil {
			perReason[rej.Reason]++
			continue
		}
		if string(r.Key) != tx.UserID {
			t.Fatalf("key %q for user %q", r.Key, tx.UserID)
		}
		if p, ok := partitionsOfUser[tx.UserID]; ok && p != r.Partition {
			t.Fatalf("user %s in partitions %d and %d", tx.UserID, p, r.Partition)
		}
		partitionsOfUser[tx.UserID] = r.Partition
	}
	for reason, n := range st.BadByReason {
		if perReason[reason] != n {
			t.Errorf("%s: produced %d, validator found %d", reason, n, perReason[reason])
		}
	}
	t.Logf("%d messages in %v: %.0f msg/s", st.Sent, st.Elapsed, st.PerSecond())
}

func TestProduceRate(t *testing.T) {
	t.Parallel()
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 1)
	st, err := Produce(context.Background(), brokers, topic, Options{Count: 50, Rate: 100, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if st.Elapsed < 450*time.Millisecond || st.Elapsed > 10*time.Second { // paced, yet not stuck
		t.Fatalf("50 messages at 100/s took %v", st.Elapsed)
	}
}

func TestProduceFileByteForByte(t *testing.T) {
	t.Parallel()
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 1)
	lines := []string{
		`{"user_id":"u1","amount":1}`,
		``,
		"not json \xff",
		`{"user_id":7}`,
		"  {\"user_id\" : \"u\\u0032\"}\r",
		strings.Repeat("x", 200<<10), // longer than the read buffer
	}
	path := filepath.Join(t.TempDir(), "in.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := ProduceFile(context.Background(), brokers, topic, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	recs := readAll(t, brokers, topic)
	if st.Sent != int64(len(lines)) || len(recs) != len(lines) {
		t.Fatalf("sent %d, read %d, want %d", st.Sent, len(recs), len(lines))
	}
	if st.Valid != 0 || st.Bad != 6 || st.BadByReason[record.ReasonMalformedJSON] != 3 || st.BadByReason[record.ReasonMissingField] != 3 {
		t.Errorf("file stats %+v", st)
	}
	wantKeys := []string{"u1", "", "", "", "u2", ""}
	for i, r := range recs {
		if !bytes.Equal(r.Value, []byte(lines[i])) {
			t.Errorf("line %d: value %.40q, want %.40q", i, r.Value, lines[i])
		}
		if string(r.Key) != wantKeys[i] || (wantKeys[i] == "" && r.Key != nil) {
			t.Errorf("line %d: key %q, want %q", i, r.Key, wantKeys[i])
		}
	}

	st, err = ProduceFile(context.Background(), brokers, topic, path, Options{Count: 2})
	if err != nil || st.Sent != 2 {
		t.Fatalf("count-limited file: %+v, %v", st, err)
	}
	if _, err := ProduceFile(context.Background(), brokers, topic, filepath.Join(t.TempDir(), "none"), Options{}); err == nil {
		t.Fatal("missing file accepted")
	}
}

func TestProduceErrors(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if _, err := Produce(ctx, "127.0.0.1:1", "transactions", Options{Count: 1}); err == nil || !strings.Contains(err.Error(), "unreachable") {
		t.Fatalf("unreachable cluster: %v", err)
	}
	brokers := testenv.Kafka(t)
	if _, err := Produce(context.Background(), brokers, "no-such-topic-x", Options{Count: 1}); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("missing topic: %v", err)
	}
	if _, err := Produce(context.Background(), brokers, "t", Options{Count: 1, BadRatio: 2}); err == nil {
		t.Fatal("bad options accepted")
	}
}

// recordedProgress is a Progress that remembers what it was told.
type recordedProgress struct {
	mu                  sync.Mutex
	total, last, starts int64
	ends                int
}

func (p *recordedProgress) Start(total int64) {
	p.mu.Lock()
	p.total = total
	p.starts++
	p.mu.Unlock()
}
func (p *recordedProgress) Set(n int64) { p.mu.Lock(); p.last = n; p.mu.Unlock() }
func (p *recordedProgress) End()        { p.mu.Lock(); p.ends++; p.mu.Unlock() }

// TestProduceReportsProgress checks what a progress bar is told: the total
// (a file's line count, found by the size check), the deliveries, one end.
func TestProduceReportsProgress(t *testing.T) {
	t.Parallel()
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 1)
	var p recordedProgress
	if _, err := Produce(context.Background(), brokers, topic, Options{Count: 300, Seed: 1, Progress: &p}); err != nil {
		t.Fatal(err)
	}
	if p.starts != 1 || p.total != 300 || p.last != 300 || p.ends != 1 {
		t.Fatalf("generated: progress %+v", &p)
	}
	p = recordedProgress{}
	path := writeLines(t, "a", "b", "c", "d")
	if _, err := ProduceFile(context.Background(), brokers, topic, path, Options{Progress: &p}); err != nil {
		t.Fatal(err)
	}
	if p.starts != 1 || p.total != 4 || p.last != 4 || p.ends != 1 {
		t.Fatalf("file: progress %+v", &p)
	}
}

// BenchmarkProduce sends 200k generated transactions per iteration and
// reports messages per second, acknowledged (acks=all).
func BenchmarkProduce(b *testing.B) {
	brokers := testenv.Kafka(b)
	topic := testenv.Topic(b, brokers, 3)
	const n = 200_000
	var total time.Duration
	cpu0 := testenv.ProcessCPU()
	for i := 0; b.Loop(); i++ {
		st, err := Produce(context.Background(), brokers, topic, Options{Count: n, Seed: int64(i), BadRatio: 0.05, DuplicateRatio: 0.02, LateRatio: 0.02})
		if err != nil {
			b.Fatal(err)
		}
		total += st.Elapsed
	}
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "msgs/s")
	// CPU of the whole process (the embedded broker too, when there is one).
	b.ReportMetric(float64((testenv.ProcessCPU()-cpu0).Nanoseconds())/float64(n*b.N), "cpu-ns/msg")
}

// BenchmarkGenerator measures making messages without Kafka.
func BenchmarkGenerator(b *testing.B) {
	g := NewGenerator(Options{Seed: 1, BadRatio: 0.05})
	for b.Loop() {
		g.Next()
	}
}

func TestProduceUnlimitedStopsCleanly(t *testing.T) {
	t.Parallel()
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	st, err := Produce(ctx, brokers, topic, Options{Rate: 500, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	// The pacing, not the clock, is under test: a busy machine may send
	// fewer, but never more than the rate allows over the time it ran (plus
	// one second's burst of slack for the pacer's start).
	if st.Sent == 0 || float64(st.Sent) > 500*(st.Elapsed.Seconds()+1) || st.Valid != st.Sent {
		t.Fatalf("sent %d (valid %d) in %s at 500/s", st.Sent, st.Valid, st.Elapsed)
	}
	if got := len(readAll(t, brokers, topic)); int64(got) != st.Sent {
		t.Fatalf("topic holds %d, stats say %d", got, st.Sent)
	}
}

// A background producer that ran longer than the drain timeout still stops
// cleanly: the drain's deadline starts when sending ends, not with the run.
//
// The run ends on an event, not on a clock started before the broker
// answered: once a record was delivered and the run has lasted longer than
// the drain timeout. A fixed 900 ms context left a loaded machine with
// nothing delivered, or with a 300 ms drain that the acks of the last batch
// could outlast; the drain timeout only has to be shorter than the run.
func TestProduceLongRunStopsCleanly(t *testing.T) {
	t.Parallel()
	const drainTimeout = time.Second
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	began := time.Now()
	stop := stopAfterDelivery(func() bool { return time.Since(began) > 3*drainTimeout/2 }, cancel)
	st, err := Produce(ctx, brokers, topic, Options{Rate: 200, Seed: 3, DrainTimeout: drainTimeout, Progress: stop})
	if err != nil {
		t.Fatalf("stop after %s of producing: %v", st.Elapsed, err)
	}
	if got := len(readAll(t, brokers, topic)); st.Sent == 0 || int64(got) != st.Sent {
		t.Fatalf("topic holds %d, stats say %d", got, st.Sent)
	}
}

// stopAfterDelivery is a Progress that calls stop at the first delivery
// report for which ready returns true.
func stopAfterDelivery(ready func() bool, stop func()) Progress {
	return &deliveryStop{ready: ready, stop: stop}
}

type deliveryStop struct {
	ready func() bool
	stop  func()
}

func (d *deliveryStop) Start(int64) {}
func (d *deliveryStop) End()        {}
func (d *deliveryStop) Set(delivered int64) {
	if delivered > 0 && d.ready() {
		d.stop()
	}
}

// writeLines writes lines, each followed by a line feed, to a new file.
func writeLines(t *testing.T, lines ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// A line over the producer's message.max.bytes refuses the whole file before
// anything is sent, naming the line; a line exactly at the limit is sent.
func TestProduceFileRefusesOversizedLineBeforeSending(t *testing.T) {
	t.Parallel()
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 1)
	atLimit := strings.Repeat("x", clientMaxMessageBytes-recordOverhead) // no key: not JSON
	path := writeLines(t, `{"user_id":"u1"}`, atLimit+"x", `{"user_id":"u2"}`, atLimit+"yy")
	_, err := ProduceFile(context.Background(), brokers, topic, path, Options{})
	if err == nil || !strings.Contains(err.Error(), "line 2 (a 1000001-byte record), line 4 (a 1000002-byte record)") ||
		!strings.Contains(err.Error(), "nothing was sent") || !strings.Contains(err.Error(), "message.max.bytes") {
		t.Fatalf("oversized lines: %v", err)
	}
	if got := len(readAll(t, brokers, topic)); got != 0 {
		t.Fatalf("%d records sent from a refused file", got)
	}
	// --count stops before the bad lines: only the lines to be sent are checked.
	if st, err := ProduceFile(context.Background(), brokers, topic, path, Options{Count: 1}); err != nil || st.Sent != 1 {
		t.Fatalf("first line only: %+v, %v", st, err)
	}
	st, err := ProduceFile(context.Background(), brokers, topic, writeLines(t, atLimit), Options{})
	if err != nil || st.Sent != 1 {
		t.Fatalf("a line at the limit: %+v, %v", st, err)
	}
}

// The topic's own max.message.bytes, when smaller than the client's, is the
// limit: without the check, the broker rejects the line after earlier lines
// went out.
func TestProduceFileHonoursTopicMessageLimit(t *testing.T) {
	t.Parallel()
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 1)
	if err := testenv.SetTopicConfig(t, brokers, topic, "max.message.bytes", "10000"); err != nil {
		t.Fatal(err)
	}
	random := make([]byte, 15000) // incompressible, so the broker would refuse it too
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = 'a' + byte(rng.IntN(26))
	}
	path := writeLines(t, `{"user_id":"u1"}`, `{"user_id":"u2"}`, string(random))
	_, err := ProduceFile(context.Background(), brokers, topic, path, Options{})
	if err == nil || !strings.Contains(err.Error(), "line 3 (a 15036-byte record)") || !strings.Contains(err.Error(), "max.message.bytes 10000") {
		t.Fatalf("line over the topic's limit: %v", err)
	}
	if got := len(readAll(t, brokers, topic)); got != 0 {
		t.Fatalf("%d records sent from a refused file", got)
	}
}
