package main

import (
	"context"
	"fmt"
	"time"

	"github.com/finpipe/finpipe/scheduler/pgstore"
)

// killMidTask SIGKILLs a worker that is running a task now, and starts it
// again, until a kill hits one mid-task or timeout passes. A task can end
// between the query and the signal, so a kill counts as a hit only when
// the dead worker's task is still running after it (no process but the
// reaper can finish it then). It returns the worker hit ("" if none) and
// the workers whose kill missed, which were still SIGKILLed and restarted.
// The assets and orchestrator rows share it.
func killMidTask(ctx context.Context, dbURL string, f *fleet, timeout time.Duration) (hit string, missed []string, err error) {
	err = waitFor(ctx, timeout, func() (bool, error) {
		var pid int64
		var worker string
		if err := pgstore.QueryRow(ctx, dbURL, `SELECT w.pid::bigint, w.worker_id FROM task_instances t JOIN workers w USING (worker_id)
		  WHERE t.state = 'running' AND w.stopped_at IS NULL ORDER BY random() LIMIT 1`, nil, &pid, &worker); err != nil {
			return false, nil // no task running at this moment
		}
		name, ok := f.killPID(ctx, pid, 300*time.Millisecond)
		if !ok {
			return false, nil
		}
		held, err := queryInt(ctx, dbURL, `SELECT count(*) FROM task_instances WHERE worker_id = $1 AND state = 'running'`, worker)
		if err != nil || held == 0 {
			missed = append(missed, name)
			return false, nil
		}
		hit = name
		return true, nil
	})
	if err != nil {
		return "", missed, fmt.Errorf("no kill hit a worker while it ran a task (%d missed): %w", len(missed), err)
	}
	return hit, missed, nil
}
