package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/tasks/record"
)

// TestProduceFindsEmbeddedBroker checks that without KAFKA_BROKERS, produce
// sends to the embedded broker running for the same data directory.
func TestProduceFindsEmbeddedBroker(t *testing.T) {
	t.Setenv("KAFKA_BROKERS", "")
	dir := t.TempDir()
	e, err := kafka.StartEmbedded(kafka.EmbeddedDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if code := run(t, []string{"produce", "--data-dir", dir, "--count", "300", "--seed", "3", "--bad-ratio", "0.1"}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	hw, err := kafka.HighWatermarks(context.Background(), e.Addr(), kafka.DefaultTopic)
	if err != nil {
		t.Fatal(err)
	}
	if total := hw[0] + hw[1] + hw[2]; total != 300 {
		t.Fatalf("%d messages in the topic, want 300 (%v)", total, hw)
	}
	e.Close()
	if code := run(t, []string{"produce", "--data-dir", dir, "--count", "1"}); code != 1 {
		t.Fatalf("produce without a running broker: exit %d, want 1", code)
	}
}

func TestProduceFileAndFlags(t *testing.T) {
	t.Parallel()
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 2)
	path := filepath.Join(t.TempDir(), "lines.jsonl")
	if err := os.WriteFile(path, []byte("{\"user_id\":\"a\"}\nnot json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code := run(t, []string{"produce", "--brokers", brokers, "--topic", topic, "--file", path}); code != 0 {
		t.Fatalf("produce --file: exit %d", code)
	}
	hw, err := kafka.HighWatermarks(context.Background(), brokers, topic)
	if err != nil || hw[0]+hw[1] != 2 {
		t.Fatalf("watermarks %v, %v", hw, err)
	}
	for _, args := range [][]string{
		{"--count", "-1"},
		{"--bad-ratio", "1.5"},
		{"--late-ratio", "-0.1"},
		{"--bad-ratio", "0.5", "--duplicate-ratio", "0.3", "--late-ratio", "0.3"},
		{"--rate", "-1"},
		{"--file", path, "--bad-ratio", "0.1"},
		{"--count", "x"},
		{"--event-clock-start", "2999-01-01T00:00:00Z"},
		{"--event-clock-start", "yesterday"},
		{"--event-clock-speed", "0"},
		{"--file", path, "--event-clock-speed", "10"},
	} {
		if code := run(t, append([]string{"produce", "--brokers", brokers, "--topic", topic}, args...)); code == 0 {
			t.Errorf("produce %v: exit 0", args)
		}
	}
}

// TestProduceFileSendsEveryLine checks that --file sends the whole file, not
// --count's default of 1,000 generated transactions, unless --count is given.
func TestProduceFileSendsEveryLine(t *testing.T) {
	t.Parallel()
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 2)
	var b strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&b, "{\"user_id\":\"u%d\"}\n", i)
	}
	path := filepath.Join(t.TempDir(), "lines.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	total := func() int64 {
		hw, err := kafka.HighWatermarks(context.Background(), brokers, topic)
		if err != nil {
			t.Fatal(err)
		}
		return hw[0] + hw[1]
	}
	if code := run(t, []string{"produce", "--brokers", brokers, "--topic", topic, "--file", path}); code != 0 || total() != 3000 {
		t.Fatalf("produce --file: exit %d, %d messages, want 3000", code, total())
	}
	if code := run(t, []string{"produce", "--brokers", brokers, "--topic", topic, "--file", path, "--count", "10"}); code != 0 || total() != 3010 {
		t.Fatalf("produce --file --count 10: exit %d, %d messages, want 3010", code, total())
	}
	b.WriteString(strings.Repeat("x", 1<<20) + "\n") // line 3001: over the 1 MB message limit
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCaptured(t, "produce", "--brokers", brokers, "--topic", topic, "--file", path)
	if code != 1 || !strings.Contains(errOut, "line 3001 (a 1048612-byte record)") || !strings.Contains(errOut, "nothing was sent") || total() != 3010 {
		t.Fatalf("produce --file with an oversized line: exit %d, %d messages, stderr %q", code, total(), errOut)
	}
}

// TestProduceEventClock checks that --event-clock-start and
// --event-clock-speed put the event times in the past, spread over the
// span the speed gives, and never after the Kafka timestamp.
func TestProduceEventClock(t *testing.T) {
	t.Parallel()
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 1)
	start := time.Now().Add(-30 * 24 * time.Hour)
	// 400 messages at 200/s: 2 s of sending, 2 days of event time.
	if code := run(t, []string{"produce", "--brokers", brokers, "--topic", topic, "--count", "400", "--rate", "200", "--seed", "5",
		"--event-clock-start", "30d", "--event-clock-speed", "86400"}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	recs, _, err := kafka.ReadRange(context.Background(), brokers, topic, 0, 0, 0)
	if err != nil || len(recs) != 400 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	var first, last time.Time
	for _, r := range recs {
		tx, rej := record.Validate(r.Value, r.Timestamp)
		if rej != nil {
			t.Fatalf("offset %d rejected: %v", r.Offset, rej)
		}
		if tx.EventTime.After(r.Timestamp) || tx.EventTime.Before(start.Add(-time.Minute)) {
			t.Fatalf("offset %d: event time %v, Kafka timestamp %v, clock start %v", r.Offset, tx.EventTime, r.Timestamp, start)
		}
		if first.IsZero() {
			first = tx.EventTime
		}
		last = tx.EventTime
	}
	if span := last.Sub(first); span < 24*time.Hour || span > 10*24*time.Hour {
		t.Fatalf("event times span %v, want about 2 days", span)
	}
}
