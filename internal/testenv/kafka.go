package testenv

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/finpipe/finpipe/internal/kafka"
)

var topicCounter atomic.Int64

// Kafka returns bootstrap brokers for a test: KAFKA_BROKERS when set (a real
// Apache Kafka in CI, shared by all tests, so use Topic for names), else a
// fresh in-memory embedded broker that stops when the test ends.
func Kafka(t testing.TB) string {
	t.Helper()
	if b := os.Getenv("KAFKA_BROKERS"); b != "" {
		return b
	}
	e, err := kafka.StartEmbedded("")
	if err != nil {
		t.Fatalf("testenv: embedded kafka: %v", err)
	}
	t.Cleanup(e.Close)
	return e.Addr()
}

// RealKafka reports whether tests run against an external cluster
// (KAFKA_BROKERS), e.g. to skip tests that restart the embedded broker.
func RealKafka() bool { return os.Getenv("KAFKA_BROKERS") != "" }

// Topic creates a topic with a name unique to this test and run, and deletes
// it when the test ends.
func Topic(t testing.TB, brokers string, partitions int) string {
	t.Helper()
	name := fmt.Sprintf("test.%s.%d.%d", topicSafe(t.Name()), os.Getpid(), topicCounter.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := kafka.EnsureTopic(ctx, brokers, name, partitions); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = kafka.DeleteTopic(ctx, brokers, name)
	})
	return name
}

// topicSafe maps a test name to Kafka's topic alphabet without '_': Kafka
// refuses a topic whose name differs from an existing one only by '.' versus
// '_' (they collide in metric names), so the names use '.' and '-' only.
func topicSafe(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-':
			return r
		}
		return '-'
	}, s)
	if len(s) > 150 {
		s = s[:150]
	}
	return s
}
