package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/internal/testenv"
)

// Stream hands each partition's records over in offset order, in chunks
// whose slice it reuses, while several partitions are read at once; the
// reader serves several reads, and FromStart starts at the log start.
func TestStream(t *testing.T) {
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 5)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sizes := map[int32]int{0: 5000, 1: 3, 3: 2500, 4: 1024}
	for p, n := range sizes {
		produceN(t, brokers, topic, p, n)
	}
	r, err := kafka.OpenReader(ctx, brokers, topic)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got := fmt.Sprint(r.Partitions()); got != "[0 1 2 3 4]" {
		t.Fatalf("partitions %s", got)
	}
	for _, limit := range []int{0, 1500} {
		// One slot per partition, written only by the calls for that
		// partition: the race detector sees calls for one partition overlap.
		got := map[int32]*[]string{}
		from := map[int32]int64{}
		for p := range int32(5) {
			got[p] = new([]string)
			from[p] = kafka.FromStart
		}
		from[3] = 100
		spans, err := r.Stream(ctx, from, limit, func(p int32, recs []kafka.Record) error {
			for _, rec := range recs {
				*got[p] = append(*got[p], fmt.Sprintf("%d:%s", rec.Offset, rec.Value))
			}
			clear(recs) // the slice is the reader's to reuse, not the records' bytes
			return nil
		})
		if err != nil {
			t.Fatalf("limit %d: %v", limit, err)
		}
		for p := range int32(5) {
			first, end := from[p], int64(sizes[p])
			if first == kafka.FromStart {
				first = 0
			}
			if spans[p] != (kafka.Span{From: first, High: end}) {
				t.Errorf("limit %d: partition %d span %+v", limit, p, spans[p])
			}
			if limit > 0 {
				end = min(end, first+int64(limit))
			}
			recs := *got[p]
			if len(recs) != int(end-first) {
				t.Fatalf("limit %d: partition %d: %d records, want %d", limit, p, len(recs), end-first)
			}
			for i, s := range recs {
				if o := first + int64(i); s != fmt.Sprintf("%d:v%d", o, o) {
					t.Fatalf("limit %d: partition %d record %d = %s", limit, p, i, s)
				}
			}
		}
	}
}

// An error of the callback ends the whole read and is what Stream returns.
func TestStreamStopsAtCallbackError(t *testing.T) {
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 3)
	for p := range int32(3) {
		produceN(t, brokers, topic, p, 3000)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r, err := kafka.OpenReader(ctx, brokers, topic)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	stop := errors.New("full")
	from := map[int32]int64{0: 0, 1: 0, 2: 0}
	_, err = r.Stream(ctx, from, 0, func(p int32, recs []kafka.Record) error {
		if p == 1 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("Stream returned %v, want the callback's error", err)
	}
	if _, err := r.Stream(ctx, map[int32]int64{9: 0}, 0, nil); err == nil {
		t.Fatal("read of a missing partition succeeded")
	}
}
