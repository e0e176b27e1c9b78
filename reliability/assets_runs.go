package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/finpipe/finpipe/dags"
	"github.com/finpipe/finpipe/scheduler"
	"github.com/finpipe/finpipe/scheduler/pgstore"
)

// watcherHolder names the process (its application_name) whose session
// holds the Kafka watcher's advisory lock, or "" when none does. The key
// is computed as the scheduler computes it (hashtextextended of the name).
func watcherHolder(ctx context.Context, dbURL string) string {
	name, err := queryString(ctx, dbURL, `SELECT coalesce(min(a.application_name), '')
	  FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
	  WHERE l.locktype = 'advisory' AND l.granted
	    AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended($1, 0)`, scheduler.WatcherLock)
	if err != nil {
		return ""
	}
	return name
}

// firstAssetSuccess waits until a finpipe_medallion run of type
// asset_triggered queued after since has succeeded, and returns when it
// ended. Database errors (a restart) only mean: ask again.
func firstAssetSuccess(ctx context.Context, dbURL string, since time.Time, timeout time.Duration) (time.Time, error) {
	var ended time.Time
	err := waitFor(ctx, timeout, func() (bool, error) {
		us, err := queryInt(ctx, dbURL, `SELECT coalesce((extract(epoch FROM min(end_date)) * 1e6)::bigint, 0)
		  FROM dag_runs WHERE dag_id = $1 AND run_type = 'asset_triggered' AND state = 'success' AND queued_at > $2`,
			dags.MedallionDAG, since)
		if err != nil || us == 0 {
			return false, nil
		}
		ended = time.UnixMicro(us)
		return true, nil
	})
	return ended, err
}

// runSampler polls how many asset-triggered finpipe_medallion runs are
// queued and running at once, keeping the maxima: coalescing allows one
// queued, max_active_runs one running.
type runSampler struct {
	cancel  context.CancelFunc
	done    chan struct{}
	mu      sync.Mutex
	samples int
	queued  int64
	running int64
}

func sampleRuns(ctx context.Context, dbURL string) *runSampler {
	sctx, cancel := context.WithCancel(ctx)
	s := &runSampler{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for sctx.Err() == nil {
			var q, r int64
			err := pgstore.QueryRow(sctx, dbURL, `SELECT count(*) FILTER (WHERE state = 'queued'), count(*) FILTER (WHERE state = 'running')
			  FROM dag_runs WHERE dag_id = $1 AND run_type = 'asset_triggered' AND state IN ('queued', 'running')`,
				[]any{dags.MedallionDAG}, &q, &r)
			if err == nil {
				s.mu.Lock()
				s.samples++
				s.queued, s.running = max(s.queued, q), max(s.running, r)
				s.mu.Unlock()
			}
			sleep(sctx, 100*time.Millisecond)
		}
	}()
	return s
}

// stop ends the sampling and returns the maxima and the number of samples.
func (s *runSampler) stop() (queued, running int64, samples int) {
	s.cancel()
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queued, s.running, s.samples
}

// assetRunCounts describes the asset-triggered runs of finpipe_medallion.
func assetRunCounts(ctx context.Context, dbURL string) string {
	var total, ok, failed int64
	err := pgstore.QueryRow(ctx, dbURL, `SELECT count(*), count(*) FILTER (WHERE state = 'success'), count(*) FILTER (WHERE state = 'failed')
	  FROM dag_runs WHERE dag_id = $1 AND run_type = 'asset_triggered'`, []any{dags.MedallionDAG}, &total, &ok, &failed)
	if err != nil {
		return "runs unknown (" + err.Error() + ")"
	}
	return fmt.Sprintf("%d asset-triggered runs (%d succeeded, %d failed)", total, ok, failed)
}
