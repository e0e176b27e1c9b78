package main

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"time"
)

// cluster is a distributed FinPipe deployment on one machine: `finpipe
// scheduler` and `finpipe worker` processes sharing one PostgreSQL, under
// a supervisor.
type cluster struct {
	fleet *fleet
}

// startCluster migrates the database, starts the processes and waits until
// the shipped DAGs are synced. Each process's sessions carry its name as
// PostgreSQL's application_name, so a scenario can tell from pg_locks and
// pg_stat_activity which process holds what.
func startCluster(ctx context.Context, e *suite, dir, dbURL string, schedulers, workers, concurrency int, extraEnv ...string) (*cluster, error) {
	env := append([]string{"FINPIPE_DATA_DIR=" + filepath.Join(dir, "data"), "FINPIPE_LOG_FORMAT=json"}, extraEnv...)
	named := func(name string) []string {
		return append(slices.Clip(env), "DATABASE_URL="+withApplicationName(dbURL, name))
	}
	if err := newProc("migrate", e.bin, dir, named("migrate"), "migrate", "up").run(ctx); err != nil {
		return nil, err
	}
	var ps []*proc
	for i := 1; i <= schedulers; i++ {
		name := fmt.Sprintf("scheduler-%d", i)
		ps = append(ps, newProc(name, e.bin, dir, named(name), "scheduler"))
	}
	for i := 1; i <= workers; i++ {
		name := fmt.Sprintf("worker-%d", i)
		ps = append(ps, newProc(name, e.bin, dir, named(name), "worker", "--concurrency", strconv.Itoa(concurrency)))
	}
	c := &cluster{fleet: newFleet(ps...)}
	if err := c.fleet.start(ctx); err != nil {
		return nil, err
	}
	err := waitFor(ctx, 60*time.Second, func() (bool, error) {
		n, err := queryInt(ctx, dbURL, `SELECT count(*) FROM dags WHERE is_active`)
		return n > 0, err
	})
	if err != nil {
		c.fleet.stop()
		return nil, fmt.Errorf("no DAG synced by finpipe scheduler: %w", err)
	}
	return c, nil
}

// withApplicationName sets application_name in a PostgreSQL URL (the URL
// unchanged if it does not parse: the process then reports it).
func withApplicationName(dbURL, name string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return dbURL
	}
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// onlyDAG pauses every synced DAG but one, so a scenario's figures are
// about its own workload.
func onlyDAG(ctx context.Context, dbURL, dagID string) error {
	_, err := queryInt(ctx, dbURL, `WITH u AS (UPDATE dags SET is_paused = (dag_id <> $1) RETURNING 1) SELECT count(*) FROM u`, dagID)
	return err
}

// hasDAG reports whether the binary's schedulers synced a DAG.
func hasDAG(ctx context.Context, dbURL, dagID string) bool {
	n, err := queryInt(ctx, dbURL, `SELECT count(*) FROM dags WHERE dag_id = $1 AND is_active`, dagID)
	return err == nil && n == 1
}

// settle waits until no run of an unpaused DAG is queued or running (the
// runs of a paused DAG wait, by design, and a run created by the first
// schedule tick before onlyDAG paused its DAG would wait forever).
func settle(ctx context.Context, dbURL string, timeout time.Duration) error {
	return waitFor(ctx, timeout, func() (bool, error) {
		n, err := queryInt(ctx, dbURL, `SELECT count(*) FROM dag_runs JOIN dags USING (dag_id)
		  WHERE state IN ('queued', 'running') AND NOT is_paused`)
		return n == 0, err
	})
}

// orchestratorChecks are the invariants any fault must keep, as counts:
// runs of unpaused DAGs not final, task instances of finished runs left unfinished,
// overlapping attempts of one task instance, and logical dates with more
// than one run of a DAG.
type orchestratorChecks struct {
	stuckRuns, stuckTasks, overlaps, duplicateRuns int64
}

func checkOrchestrator(ctx context.Context, dbURL string) (orchestratorChecks, error) {
	var c orchestratorChecks
	var err error
	for _, q := range []struct {
		dst *int64
		sql string
	}{
		{&c.stuckRuns, `SELECT count(*) FROM dag_runs JOIN dags USING (dag_id)
		  WHERE state NOT IN ('success', 'failed') AND NOT is_paused`},
		{&c.stuckTasks, `SELECT count(*) FROM task_instances t JOIN dag_runs r USING (run_id)
		  WHERE r.state IN ('success', 'failed') AND t.state IN ('queued', 'running', 'up_for_retry')`},
		{&c.overlaps, `SELECT count(*) FROM task_attempts a JOIN task_attempts b
		  ON a.run_id = b.run_id AND a.task_id = b.task_id AND a.try_number < b.try_number
		  WHERE b.start_date < a.end_date`},
		{&c.duplicateRuns, `SELECT count(*) FROM (SELECT 1 FROM dag_runs GROUP BY dag_id, logical_date HAVING count(*) > 1) d`},
	} {
		if *q.dst, err = queryInt(ctx, dbURL, q.sql); err != nil {
			return c, err
		}
	}
	return c, nil
}

// report adds the checks to a row: overlaps and duplicate runs are
// duplicates; stuck runs and tasks are failures.
func (c orchestratorChecks) report(r *row) {
	r.dups += c.overlaps + c.duplicateRuns
	if c.overlaps > 0 {
		r.fail("%d task attempts overlapped another attempt of the same task", c.overlaps)
	}
	if c.duplicateRuns > 0 {
		r.fail("%d logical dates have more than one run", c.duplicateRuns)
	}
	if c.stuckRuns > 0 {
		r.fail("%d runs not final", c.stuckRuns)
	}
	if c.stuckTasks > 0 {
		r.fail("%d task instances of finished runs left unfinished", c.stuckTasks)
	}
}
