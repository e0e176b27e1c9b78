package ingest

import (
	"context"
	"encoding/hex"
	"io/fs"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/tasks/lake"
)

// errOffsetOutOfRange is Kafka's OFFSET_OUT_OF_RANGE error code.
const errOffsetOutOfRange = 1

// failFetchesFrom makes the broker (the test's own: its only topic is the
// one read) answer every fetch of partition at or past offset with an
// error while failing is set, and counts those answers: a consumer only
// asks for that offset once it holds every record before it.
func failFetchesFrom(e *kafka.Embedded, partition int32, offset int64, failing *atomic.Bool, failed *atomic.Int32) {
	c := e.Cluster()
	c.ControlKey(int16(kmsg.Fetch), func(r kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		req := r.(*kmsg.FetchRequest)
		if !failing.Load() {
			return nil, nil, false
		}
		resp := req.ResponseKind().(*kmsg.FetchResponse)
		hit := false
		for _, t := range req.Topics {
			rt := kmsg.NewFetchResponseTopic()
			rt.Topic, rt.TopicID = t.Topic, t.TopicID
			for _, p := range t.Partitions {
				if p.Partition != partition || p.FetchOffset < offset {
					return nil, nil, false // another consumer's fetch: served as usual
				}
				rp := kmsg.NewFetchResponseTopicPartition()
				rp.Partition, rp.ErrorCode = p.Partition, errOffsetOutOfRange
				rp.RecordBatches = []byte{}
				rt.Partitions = append(rt.Partitions, rp)
				hit = true
			}
			resp.Topics = append(resp.Topics, rt)
		}
		if !hit {
			return nil, nil, false
		}
		failed.Add(1)
		return resp, nil, true
	})
}

// A broker error after part of the batch has streamed in fails the
// attempt, which commits nothing; the retry then stores every record
// exactly once, those the failed attempt had already received included.
func TestBrokerErrorMidStreamCommitsNothing(t *testing.T) {
	if testenv.RealKafka() {
		t.Skip("needs the embedded broker's request control")
	}
	t.Parallel()
	e, err := kafka.StartEmbedded("")
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	brokers := e.Addr()
	topic := testenv.Topic(t, brokers, 2)
	// 5 MB that lz4 cannot shrink in partition 0: more than one fetch
	// returns (max.partition.fetch.bytes), in batches of thousands of
	// records (the producer's batch.size).
	const n = 20_000
	rnd := rand.New(rand.NewPCG(1, 2))
	vals := make([]string, n)
	for i := range vals {
		b := make([]byte, 125)
		for j := range b {
			b[j] = byte(rnd.Uint32())
		}
		vals[i] = hex.EncodeToString(b)
	}
	send(t, brokers, topic, 0, vals...)
	send(t, brokers, topic, 1, vals[:500]...)
	l, err := lake.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var failing atomic.Bool
	var failed atomic.Int32
	failing.Store(true)
	failFetchesFrom(e, 0, 1, &failing, &failed) // every fetch of partition 0 but the first
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	opts := Options{Brokers: brokers, Topic: topic}
	res, err := Run(ctx, l.Bronze, opts)
	if err == nil {
		t.Fatalf("run with a failing fetch succeeded: %+v", res)
	}
	// The error names the broker's answer, at once: librdkafka will not
	// fetch the partition again, so waiting out the stall budget (and
	// saying "no progress") would only hide the cause.
	if !strings.Contains(err.Error(), "Offset out of range") || strings.Contains(err.Error(), "no progress") {
		t.Fatalf("error does not name the broker's answer: %v", err)
	}
	if failed.Load() == 0 {
		t.Fatal("no fetch past the first of partition 0 was failed: the attempt did not fail mid-stream")
	}
	if s, _ := l.Bronze.Snapshot(ctx); s.Version() != 0 {
		t.Fatalf("failed attempt committed: bronze at version %d", s.Version())
	}
	// The rows streamed into data files before the error: the aborted
	// append deleted them.
	_ = filepath.WalkDir(l.Bronze.Path(), func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".parquet") && !strings.Contains(p, "_delta_log") {
			t.Errorf("failed attempt left data file %s", p)
		}
		return err
	})

	failing.Store(false)
	res, err = Run(ctx, l.Bronze, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != n+500 || res.Ranges[0] != [2]int64{0, n - 1} || res.Ranges[1] != [2]int64{0, 499} {
		t.Fatalf("retry: %+v", res)
	}
	got := bronzeOffsets(t, l) // fails on an offset stored twice
	if len(got[0]) != n || len(got[1]) != 500 {
		t.Fatalf("bronze holds %d and %d records, want %d and 500", len(got[0]), len(got[1]), n)
	}
}
