package scheduler

import (
	"context"
	"log/slog"
	"maps"
	"time"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
)

// TopicOffsets reads Kafka topics' end offsets (partition → the offset the
// next record will get) for the Kafka watcher. The scheduler knows no
// Kafka client: cmd wires one (internal/kafka). A topic that does not
// exist yet has no partitions (an empty map, no error).
type TopicOffsets interface {
	EndOffsets(ctx context.Context, topic string) (map[int32]int64, error)
}

// WatcherLock is the cross-process lock whose holder is the deployment's
// one Kafka watcher.
const WatcherLock = "finpipe-kafka-watcher"

// Defaults of the watcher's SchedulerOptions.
const (
	DefaultWatchInterval  = 200 * time.Millisecond
	DefaultWatchLockRetry = 3 * time.Second
	DefaultLagBackoff     = 30 * time.Second
)

// watcher turns Kafka topic assets' new offsets into asset events. One
// scheduler of the deployment, the holder of WatcherLock (a PostgreSQL
// session lock), polls; the others retry the lock, so when the holder
// dies its session ends, the lock frees and another takes over: no
// trigger is lost, and since polls are serialised in the database and
// compare with the stored end offsets, none is recorded twice.
type watcher struct {
	store  *Store
	topics TopicOffsets
	assets map[string]string // asset name → topic
	opts   SchedulerOptions
	log    *slog.Logger
	// seen are the end offsets this watcher last stored, per asset: an
	// unchanged topic costs no transaction.
	seen map[string]map[int32]int64
}

func newWatcher(s *Scheduler) *watcher {
	assets := map[string]string{}
	for _, a := range s.reg.Assets() {
		if a.Kind != AssetKafkaTopic {
			continue
		}
		if topic, err := TopicOf(a); err == nil {
			assets[a.Name] = topic
		}
	}
	return &watcher{store: s.store, topics: s.opts.Topics, assets: assets, opts: s.opts, log: s.log.With("part", "kafka_watcher")}
}

// run contends for the watcher lock until ctx ends, and watches while it
// holds it.
func (w *watcher) run(ctx context.Context) {
	for ctx.Err() == nil {
		lease, ok, err := w.store.drv.TryLease(ctx, WatcherLock)
		if err != nil && ctx.Err() == nil {
			w.log.Warn("taking the watcher lock failed", "err", err)
		}
		if ok {
			w.log.Info("this scheduler is the Kafka watcher", "topics", len(w.assets))
			err := w.watch(ctx, lease)
			uctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = lease.Unlock(uctx)
			cancel()
			if ctx.Err() != nil {
				return
			}
			w.log.Warn("stopped watching Kafka; contending for the lock again", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(jitter(w.opts.WatchLockRetry)):
		}
	}
}

// watch polls while the lease holds.
func (w *watcher) watch(ctx context.Context, lease driver.Lease) error {
	w.seen = map[string]map[int32]int64{}
	t := time.NewTicker(w.opts.WatchInterval)
	defer t.Stop()
	for {
		if err := lease.Check(ctx); err != nil {
			return err
		}
		if err := w.poll(ctx); err != nil && ctx.Err() == nil {
			w.log.Warn("watching Kafka failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// poll records an event for every topic whose end offsets moved, and
// queues runs of DAGs still behind on a topic (see queueLagging).
func (w *watcher) poll(ctx context.Context) error {
	moved := map[string]map[int32]int64{}
	var firstErr error
	for name, topic := range w.assets {
		ends, err := w.topics.EndOffsets(ctx, topic)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if !maps.Equal(ends, w.seen[name]) {
			moved[name] = ends
		}
	}
	if len(moved) > 0 {
		if err := w.record(ctx, moved); err != nil {
			return err
		}
		maps.Copy(w.seen, moved)
	}
	if err := w.queueLagging(ctx); err != nil {
		return err
	}
	return firstErr
}

// record stores the moved end offsets and, for each topic that has
// offsets past those stored before, an event, queueing runs as a task's
// event does. Serialised by LockWatch with any other watcher's poll.
func (w *watcher) record(ctx context.Context, moved map[string]map[int32]int64) error {
	return w.store.tx(ctx, func(tx driver.Executor) error {
		if err := tx.XactLock(ctx, driver.LockWatch); err != nil {
			return err
		}
		var events []AssetEvent
		for name, ends := range moved {
			last, err := tx.EndOffsets(ctx, name)
			if err != nil {
				return err
			}
			if maps.Equal(ends, last) {
				continue
			}
			if err := tx.SetEndOffsets(ctx, name, ends); err != nil {
				return err
			}
			if advanced(ends, last) {
				events = append(events, AssetEvent{Asset: name, Offsets: ends,
					Extra: map[string]any{"source": "kafka_watcher", "topic": w.assets[name]}})
			}
		}
		_, err := recordAssetEvents(ctx, tx, events, w.store.clock.Now())
		return err
	})
}

// advanced says whether some partition's end is past the one last seen.
func advanced(ends, last map[int32]int64) bool {
	for p, o := range ends {
		if prev, ok := last[p]; (!ok && o > 0) || o > prev {
			return true
		}
	}
	return false
}

// queueLagging queues a run of each DAG whose consumed offsets are behind
// the topic's end with no asset-triggered run queued or running: a run
// that read a bounded batch is followed by another even when nothing new
// arrives. After a failed run, lag alone waits LagBackoff.
func (w *watcher) queueLagging(ctx context.Context) error {
	lagging, err := w.store.drv.LaggingAssetDAGs(ctx, w.opts.LagBackoff)
	if err != nil || len(lagging) == 0 {
		return err
	}
	return w.store.tx(ctx, func(tx driver.Executor) error {
		if err := tx.LockAssetQueues(ctx, lagging); err != nil {
			return err
		}
		for _, dagID := range lagging {
			runID, err := queuedAssetRun(ctx, tx, dagID, w.store.clock.Now())
			if err != nil {
				return err
			}
			if _, err := tx.LinkPendingEvents(ctx, dagID, runID); err != nil {
				return err
			}
			w.log.Debug("queued a run for the lag", "dag_id", dagID, "run_id", runID)
		}
		return tx.Notify(ctx, driver.ChanScheduler)
	})
}
