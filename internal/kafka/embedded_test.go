package kafka_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/finpipe/finpipe/internal/kafka"
)

func TestEmbeddedSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	e, err := kafka.StartEmbedded(dir)
	if err != nil {
		t.Fatal(err)
	}
	addr := e.Addr()
	if !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Fatalf("address %q", addr)
	}
	ctx := context.Background()
	ps, err := kafka.Partitions(ctx, addr, kafka.DefaultTopic)
	if err != nil || len(ps) != kafka.DefaultPartitions {
		t.Fatalf("default topic: %v, %v", ps, err)
	}
	if got, err := kafka.RunningEmbeddedAddr(dir); err != nil || got != addr {
		t.Fatalf("RunningEmbeddedAddr = %q, %v; want %q", got, err, addr)
	}
	if _, err := kafka.StartEmbedded(dir); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second broker on the same directory: %v", err)
	}
	produceN(t, addr, kafka.DefaultTopic, 2, 500)
	e.Close()
	if _, err := kafka.RunningEmbeddedAddr(dir); err == nil {
		t.Fatal("RunningEmbeddedAddr succeeded after Close")
	}

	e, err = kafka.StartEmbedded(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if e.Addr() != addr {
		t.Errorf("restart moved the broker from %s to %s", addr, e.Addr())
	}
	recs, high, err := kafka.ReadRange(ctx, e.Addr(), kafka.DefaultTopic, 2, 0, 0)
	if err != nil || high != 500 || len(recs) != 500 || string(recs[499].Value) != "v499" {
		t.Fatalf("after restart: %d records, high %d, err %v", len(recs), high, err)
	}
	produceN(t, e.Addr(), kafka.DefaultTopic, 2, 10)
	if hw, err := kafka.HighWatermarks(ctx, e.Addr(), kafka.DefaultTopic); err != nil || hw[2] != 510 {
		t.Fatalf("offsets continue after restart: %v, %v", hw, err)
	}
}

func TestEmbeddedOptions(t *testing.T) {
	e, err := kafka.StartEmbedded("", kafka.WithPartitions(5), kafka.WithTopics("a", "b"))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for _, topic := range []string{"a", "b"} {
		if ps, err := kafka.Partitions(context.Background(), e.Addr(), topic); err != nil || len(ps) != 5 {
			t.Fatalf("topic %s: %v, %v", topic, ps, err)
		}
	}
	if _, err := kafka.Partitions(context.Background(), e.Addr(), kafka.DefaultTopic); !errors.Is(err, kafka.ErrTopicNotFound) {
		t.Fatalf("default topic created although topics were given: %v", err)
	}
	if _, err := kafka.StartEmbedded("", kafka.WithPartitions(0)); err == nil {
		t.Fatal("zero partitions accepted")
	}
	if _, err := kafka.RunningEmbeddedAddr(t.TempDir()); err == nil {
		t.Fatal("RunningEmbeddedAddr of an empty directory succeeded")
	}
}

func TestEmbeddedPreviousPortTaken(t *testing.T) {
	dir := t.TempDir()
	e, err := kafka.StartEmbedded(dir)
	if err != nil {
		t.Fatal(err)
	}
	addr := e.Addr()
	e.Close()
	ln, err := net.Listen("tcp", addr) // someone else took the port meanwhile
	if err != nil {
		t.Skipf("cannot take %s: %v", addr, err)
	}
	defer ln.Close()
	e, err = kafka.StartEmbedded(dir)
	if err != nil {
		t.Fatalf("restart with the old port taken: %v", err)
	}
	defer e.Close()
	if e.Addr() == addr {
		t.Fatal("listening on a taken port")
	}
	if got, err := kafka.RunningEmbeddedAddr(dir); err != nil || got != e.Addr() {
		t.Fatalf("address file says %q, %v; broker is at %s", got, err, e.Addr())
	}
	if _, err := kafka.StartEmbedded(t.TempDir(), kafka.WithPort(ln.Addr().(*net.TCPAddr).Port)); err == nil {
		t.Fatal("an explicit port that is taken was accepted")
	}
}
