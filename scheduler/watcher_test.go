package scheduler

import (
	"context"
	"sync"
	"testing"
	"time"

	ck "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/scheduler/pgstore"
)

// produceTo appends n records to one partition of topic and waits for
// their delivery.
func produceTo(t *testing.T, brokers, topic string, partition int32, n int) {
	t.Helper()
	p, err := kafka.NewProducer(brokers)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	done := make(chan ck.Event, n)
	for range n {
		if err := p.Produce(&ck.Message{TopicPartition: ck.TopicPartition{Topic: &topic, Partition: partition},
			Value: []byte(`{}`)}, done); err != nil {
			t.Fatal(err)
		}
	}
	for range n {
		if m := (<-done).(*ck.Message); m.TopicPartition.Error != nil {
			t.Fatal(m.TopicPartition.Error)
		}
	}
}

// topicDAG is a DAG scheduled on topic asset "tx" whose task, when
// batch > 0, reports consuming at most batch more records per partition
// per run, as a bounded ingest does.
func topicDAG(t *testing.T, brokers, topic string, batch int64) (*Registry, *kafka.EndOffsetReader) {
	t.Helper()
	reader := kafka.NewEndOffsetReader(brokers)
	t.Cleanup(reader.Close)
	var mu sync.Mutex
	consumed := map[int32]int64{}
	d := NewDAG("on_topic", DAGOptions{Assets: []string{"tx"}, MaxActiveRuns: 1})
	d.Task("ingest", func(ctx context.Context, tc *TaskContext) error {
		if batch == 0 {
			return nil
		}
		ends, err := reader.EndOffsets(ctx, topic)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		for p, end := range ends {
			consumed[p] = min(consumed[p]+batch, end)
			if err := tc.Consumed("tx", p, consumed[p]); err != nil {
				return err
			}
		}
		return nil
	}, TaskOptions{})
	reg := mustRegistry(t, d)
	if err := reg.AddAsset(Asset{Name: "tx", Kind: AssetKafkaTopic, URI: KafkaURI(topic)}); err != nil {
		t.Fatal(err)
	}
	return reg, reader
}

// startWatching starts a scheduler that may become the Kafka watcher.
func startWatching(t *testing.T, s *Store, reg *Registry, topics TopicOffsets) *Scheduler {
	t.Helper()
	o := fastSched
	o.Logger, o.Topics, o.WatchInterval, o.WatchLockRetry = testLogger(), topics, 50*time.Millisecond, 200*time.Millisecond
	sch := NewScheduler(s, reg, o)
	if err := sch.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sch.Stop(context.Background()) })
	return sch
}

func startWorker(t *testing.T, s *Store, reg *Registry) {
	t.Helper()
	wo := fastWorker
	wo.Logger = testLogger()
	w := NewWorker(s, reg, wo)
	if err := w.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Stop(context.Background()) })
}

// TestTopicAssetTriggersRuns: records produced to a topic queue a run of
// the DAG scheduled on it, through the Kafka watcher on a real broker;
// while what the DAG reports consumed is behind the topic's end, the
// watcher queues run after run although nothing new arrives (one event,
// three runs), until the lag is zero.
func TestTopicAssetTriggersRuns(t *testing.T) {
	ctx := context.Background()
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 2)
	s := newTestStore(t)
	reg, reader := topicDAG(t, brokers, topic, 1)
	produceTo(t, brokers, topic, 0, 3) // before the watcher starts: one event
	startWatching(t, s, reg, reader)
	startWorker(t, s, reg)

	var info AssetInfo
	waitFor(t, time.Minute, "the DAG to consume all 3 records", func() bool {
		var err error
		info, err = s.GetAsset(ctx, "tx")
		return err == nil && info.EndOffsets[0] == 3 && info.Lag["on_topic"] == 0 && len(dagRuns(t, s, "on_topic")) >= 3
	})
	runs := dagRuns(t, s, "on_topic")
	for _, r := range runs {
		if r.RunType != RunTypeAssetTriggered {
			t.Fatalf("run %s is %s", r.RunID, r.RunType)
		}
	}
	waitFor(t, time.Minute, "the runs to end", func() bool { return dagRuns(t, s, "on_topic")[0].State.Finished() })
	evs, err := s.ListAssetEvents(ctx, AssetEventFilter{Asset: "tx"})
	if err != nil || len(evs) != 1 || evs[0].Offsets[0] != 3 || len(evs[0].TriggeredRuns) != 1 || evs[0].Extra["topic"] != topic {
		t.Fatalf("the watcher's events: %+v, %v", evs, err)
	}
	if info.LastEvent == nil || info.LastEvent.ID != evs[0].ID {
		t.Fatalf("last event: %+v", info.LastEvent)
	}
}

// watcherPID returns the backend holding the watcher lock (0: none).
func watcherPID(t *testing.T, url string) int64 {
	t.Helper()
	var pid int64
	if err := pgstore.QueryRow(context.Background(), url, `SELECT coalesce(max(pid), 0) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND ((classid::bigint << 32) | objid::bigint) = hashtextextended($1, 0)`,
		[]any{WatcherLock}, &pid); err != nil {
		t.Fatal(err)
	}
	return pid
}

// TestWatcherMovesWhenHolderDies: of two schedulers, one watches Kafka.
// When its session dies, the other takes over, and records produced then
// still trigger a run; no end offsets are ever recorded twice, so no event
// (and no run) is doubled.
func TestWatcherMovesWhenHolderDies(t *testing.T) {
	ctx := context.Background()
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 1)
	s, url := newTestStoreURL(t)
	reg, reader := topicDAG(t, brokers, topic, 0)
	startWatching(t, s, reg, reader)
	startWatching(t, s, reg, reader)
	startWorker(t, s, reg)

	var first int64
	waitFor(t, time.Minute, "a watcher", func() bool { first = watcherPID(t, url); return first != 0 })
	produceTo(t, brokers, topic, 0, 1)
	waitFor(t, time.Minute, "a run for the first record", func() bool { return len(dagRuns(t, s, "on_topic")) == 1 })
	if n, err := pgstore.Exec(ctx, url, `SELECT pg_terminate_backend($1)`, first); err != nil || n != 1 {
		t.Fatalf("killing the watcher's session: %d, %v", n, err)
	}
	waitFor(t, time.Minute, "another watcher", func() bool { p := watcherPID(t, url); return p != 0 && p != first })
	produceTo(t, brokers, topic, 0, 2)
	waitFor(t, time.Minute, "a run for the later records", func() bool {
		evs, err := s.ListAssetEvents(ctx, AssetEventFilter{Asset: "tx"})
		return err == nil && len(evs) > 0 && evs[0].Offsets[0] == 3 && len(evs[0].TriggeredRuns) == 1
	})
	evs, err := s.ListAssetEvents(ctx, AssetEventFilter{Asset: "tx"})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	runs := map[string]bool{}
	for _, ev := range evs {
		if seen[ev.Offsets[0]] {
			t.Fatalf("end offset %d recorded twice: %+v", ev.Offsets[0], evs)
		}
		seen[ev.Offsets[0]] = true
		for _, r := range ev.TriggeredRuns {
			runs[r] = true
		}
	}
	if all := dagRuns(t, s, "on_topic"); len(all) != len(runs) || len(all) > len(evs) {
		t.Fatalf("%d runs for %d events (runs covering them: %d)", len(all), len(evs), len(runs))
	}
}
