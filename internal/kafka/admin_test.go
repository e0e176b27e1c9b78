package kafka_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/internal/testenv"
)

// TestAnAdminSessionIsSmall: the pipeline opens admin sessions all the
// time (partitions, watermarks, lag), and each used to allocate 24 MB of Go
// channel buffers for a million events and messages it never has. A
// session must cost what its few calls need.
func TestAnAdminSessionIsSmall(t *testing.T) {
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 1)
	ctx := context.Background()
	if _, err := kafka.Partitions(ctx, brokers, topic); err != nil { // warm up: first-use allocations
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const sessions = 4
	for range sessions {
		if _, err := kafka.Partitions(ctx, brokers, topic); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / sessions; per > 4<<20 {
		t.Fatalf("an admin session allocated %d KB of Go heap, want under 4 MB", per>>10)
	}
}
