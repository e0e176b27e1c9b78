package pgstore

// The orchestrator's SQL statements live in this file and its siblings
// queries_retention.go and queries_status.go, named for what they do, so the
// schema's users can be reviewed in one place. The schema itself is in
// ../../migrations.

// Advisory lock keys (pg_advisory_xact_lock). Claims are serialised so that
// pool and max_active_tasks counts are exact; run promotion and DAG sync so
// that two schedulers cannot exceed max_active_runs or interleave a sync.
const (
	lockClaim   int64 = 0x66700001
	lockPromote int64 = 0x66700002
	lockSync    int64 = 0x66700003
	lockWatch   int64 = 0x66700004
)

const (
	sqlAdvisoryXactLock = `SELECT pg_advisory_xact_lock($1)`
	sqlNotify           = `SELECT pg_notify($1, $2)`

	// Session advisory locks for gocron's distributed locker (locker.go).
	sqlTryTickLock = `SELECT pg_try_advisory_lock(hashtextextended($1, 0))`
	sqlTickUnlock  = `SELECT pg_advisory_unlock(hashtextextended($1, 0))`
	sqlHoldsLock   = `
SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
  AND ((classid::bigint << 32) | objid::bigint) = hashtextextended($1, 0))`

	// ---- DAG definitions ----

	sqlUpsertDAG = `
INSERT INTO dags (dag_id, description, schedule, start_date, catchup, max_active_runs,
                  max_active_tasks, params, tags, is_active, synced_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, true, now())
ON CONFLICT (dag_id) DO UPDATE SET
  description = EXCLUDED.description, schedule = EXCLUDED.schedule,
  start_date = EXCLUDED.start_date, catchup = EXCLUDED.catchup,
  max_active_runs = EXCLUDED.max_active_runs, max_active_tasks = EXCLUDED.max_active_tasks,
  params = EXCLUDED.params, tags = EXCLUDED.tags, is_active = true, synced_at = now()`

	sqlDeleteDAGTasks = `DELETE FROM dag_tasks WHERE dag_id = $1`

	// DAGs the syncing binary does not define stay listed (their runs are
	// history) but inactive.
	sqlDeactivateOtherDAGs = `UPDATE dags SET is_active = false WHERE is_active AND dag_id <> ALL($1::text[])`

	// $2 is a JSON array of task definitions (see syncTask).
	sqlInsertDAGTasks = `
INSERT INTO dag_tasks (dag_id, task_id, ordinal, upstream, downstream, retries, retry_delay_ms,
                       max_retry_delay_ms, exponential_backoff, timeout_ms, pool, trigger_rule)
SELECT $1, t.task_id, t.ordinal,
       ARRAY(SELECT jsonb_array_elements_text(t.upstream)),
       ARRAY(SELECT jsonb_array_elements_text(t.downstream)),
       t.retries, t.retry_delay_ms, t.max_retry_delay_ms, t.exponential_backoff,
       t.timeout_ms, t.pool, t.trigger_rule
FROM jsonb_to_recordset($2::jsonb) AS t(task_id text, ordinal int, upstream jsonb, downstream jsonb,
     retries int, retry_delay_ms bigint, max_retry_delay_ms bigint, exponential_backoff boolean,
     timeout_ms bigint, pool text, trigger_rule text)`

	sqlEnsurePools = `
INSERT INTO pools (name, slots) SELECT unnest($1::text[]), 128 ON CONFLICT (name) DO NOTHING`

	sqlDAGColumns = `d.dag_id, d.description, d.schedule, d.start_date, d.catchup, d.max_active_runs,
       d.max_active_tasks, d.params, d.tags, d.is_paused, d.is_active, d.asset_condition`

	sqlListDAGs = `SELECT ` + sqlDAGColumns + ` FROM dags d ORDER BY d.dag_id`
	sqlGetDAG   = `SELECT ` + sqlDAGColumns + ` FROM dags d WHERE d.dag_id = $1`

	sqlListDAGTasks = `
SELECT task_id, upstream, downstream, retries, retry_delay_ms, max_retry_delay_ms,
       exponential_backoff, timeout_ms, pool, trigger_rule
FROM dag_tasks WHERE dag_id = $1 ORDER BY ordinal`

	sqlPauseDAG = `UPDATE dags SET is_paused = $2 WHERE dag_id = $1`

	// ---- runs ----

	sqlRunColumns = `r.run_id, r.dag_id, r.logical_date, r.data_interval_start, r.data_interval_end,
       r.run_type, r.state, r.conf, r.backfill_id, r.queued_at, r.start_date, r.end_date`

	// Persistence-first, idempotent run creation: the unique (dag_id,
	// logical_date) turns a second insert into a no-op (no row returned).
	sqlInsertRun = `
INSERT INTO dag_runs AS r (run_id, dag_id, logical_date, data_interval_start, data_interval_end,
                      run_type, state, conf, backfill_id, backfill_sort)
VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, $8, $9)
ON CONFLICT DO NOTHING
RETURNING ` + sqlRunColumns

	// Task rows are copied from the synced definition in the same transaction.
	sqlInsertTaskInstances = `
INSERT INTO task_instances (run_id, task_id, dag_id, ordinal, retries, max_tries, upstream, downstream,
       up_total, trigger_rule, pool, timeout_ms, retry_delay_ms, max_retry_delay_ms, exponential_backoff)
SELECT $1, task_id, dag_id, ordinal, retries, retries, upstream, downstream, cardinality(upstream),
       trigger_rule, pool, timeout_ms, retry_delay_ms, max_retry_delay_ms, exponential_backoff
FROM dag_tasks WHERE dag_id = $2`

	sqlGetRun       = `SELECT ` + sqlRunColumns + ` FROM dag_runs r WHERE r.run_id = $1`
	sqlLockRun      = `SELECT ` + sqlRunColumns + ` FROM dag_runs r WHERE r.run_id = $1 FOR UPDATE`
	sqlLastRunOfDAG = `SELECT ` + sqlRunColumns + ` FROM dag_runs r WHERE r.dag_id = $1 ORDER BY r.logical_date DESC LIMIT 1`

	// $5/$6 are the cursor (logical_date, run_id) of the previous page's last row.
	sqlListRuns = `
SELECT ` + sqlRunColumns + ` FROM dag_runs r
WHERE ($1 = '' OR r.dag_id = $1) AND ($2 = '' OR r.state = $2)
  AND ($3::timestamptz IS NULL OR r.logical_date >= $3)
  AND ($4::timestamptz IS NULL OR r.logical_date <= $4)
  AND ($5::timestamptz IS NULL OR (r.logical_date, r.run_id) < ($5, $6))
ORDER BY r.logical_date DESC, r.run_id DESC
LIMIT $7`

	// Scheduling state of one DAG: paused flag, latest scheduled logical
	// date and the number of non-backfill runs still queued or running.
	sqlDAGRunStats = `
SELECT d.is_paused,
       (SELECT max(logical_date) FROM dag_runs WHERE dag_id = $1 AND run_type = 'scheduled'),
       (SELECT count(*) FROM dag_runs WHERE dag_id = $1 AND backfill_id IS NULL AND state IN ('queued', 'running'))
FROM dags d WHERE d.dag_id = $1`

	// Start queued runs while the DAG's max_active_runs (or, for backfill
	// runs, the backfill's) allows, and schedule their root tasks.
	sqlPromoteRuns = `
WITH active AS (
  SELECT dag_id, backfill_id, count(*) AS n FROM dag_runs WHERE state = 'running' GROUP BY dag_id, backfill_id
), cand AS (
  SELECT r.run_id, r.dag_id, r.backfill_id,
         row_number() OVER (PARTITION BY r.dag_id, r.backfill_id ORDER BY r.backfill_sort, r.logical_date) AS rn
  FROM dag_runs r JOIN dags d ON d.dag_id = r.dag_id
  LEFT JOIN backfills b ON b.id = r.backfill_id
  WHERE r.state = 'queued' AND NOT d.is_paused AND (r.backfill_id IS NULL OR b.state = 'running')
), pick AS (
  SELECT c.run_id FROM cand c
  JOIN dags d ON d.dag_id = c.dag_id
  LEFT JOIN backfills b ON b.id = c.backfill_id
  LEFT JOIN active a ON a.dag_id = c.dag_id AND a.backfill_id IS NOT DISTINCT FROM c.backfill_id
  WHERE c.rn + coalesce(a.n, 0) <= coalesce(b.max_active_runs, d.max_active_runs)
), started AS (
  UPDATE dag_runs r SET state = 'running', start_date = now()
  FROM pick WHERE r.run_id = pick.run_id
  RETURNING r.run_id
)
UPDATE task_instances t SET state = 'scheduled', ready_at = now()
FROM started s WHERE t.run_id = s.run_id AND t.state = 'none' AND t.up_total = 0`

	// A running run whose tasks have all finished gets its final state; see
	// scheduler/statemachine.go for the rule. Returns the runs it finished.
	sqlFinishRuns = `
UPDATE dag_runs r SET end_date = now(), state = CASE WHEN EXISTS (
    SELECT 1 FROM task_instances t WHERE t.run_id = r.run_id AND cardinality(t.downstream) = 0
      AND t.state IN ('failed', 'upstream_failed')) THEN 'failed' ELSE 'success' END
WHERE r.run_id = ANY($1::text[]) AND r.state = 'running'
  AND NOT EXISTS (SELECT 1 FROM task_instances t WHERE t.run_id = r.run_id
      AND t.state IN ('none', 'scheduled', 'queued', 'running', 'up_for_retry'))
RETURNING r.run_id, r.state, r.dag_id, extract(epoch FROM r.end_date - coalesce(r.start_date, r.queued_at))::float8`

	sqlRunningRunIDs = `SELECT run_id FROM dag_runs WHERE state = 'running'`

	// Task instances by state, for the Prometheus scrape.
	sqlCountTaskStates = `SELECT state, count(*) FROM task_instances GROUP BY state`

	sqlSetRunState = `UPDATE dag_runs SET state = $2,
  start_date = CASE WHEN $2 = 'queued' THEN NULL ELSE start_date END,
  end_date = CASE WHEN $2 IN ('success', 'failed') THEN now() ELSE NULL END
WHERE run_id = $1`

	// ---- task instances ----

	sqlTIColumns = `t.run_id, t.dag_id, t.task_id, t.state, t.try_number, t.max_tries, t.upstream,
       t.downstream, t.pool, t.trigger_rule, t.ready_at, t.queued_at, t.start_date, t.end_date,
       t.hostname, t.error`

	sqlListTIs = `SELECT ` + sqlTIColumns + ` FROM task_instances t WHERE t.run_id = $1 ORDER BY t.ordinal`
	sqlGetTI   = `SELECT ` + sqlTIColumns + ` FROM task_instances t WHERE t.run_id = $1 AND t.task_id = $2`

	sqlListAttempts = `
SELECT try_number, state, start_date, end_date, hostname, error FROM task_attempts
WHERE run_id = $1 AND task_id = $2 ORDER BY try_number`

	// Clear: back to 'none' with a fresh retry budget. Queued and running
	// attempts are left alone so that nothing ever runs twice at once.
	sqlClearTIs = `
UPDATE task_instances SET state = 'none', max_tries = try_number + retries, up_done = 0,
  up_success = 0, up_failed = 0, up_skipped = 0, ready_at = NULL, queued_at = NULL,
  start_date = NULL, end_date = NULL, worker_id = NULL, error = ''
WHERE run_id = $1 AND task_id = ANY($2::text[]) AND state NOT IN ('queued', 'running')`

	sqlMarkTI = `
UPDATE task_instances SET state = $3, end_date = now(), ready_at = NULL,
  error = CASE WHEN $3 = 'failed' THEN 'marked failed' ELSE '' END
WHERE run_id = $1 AND task_id = $2`

	// Recount the upstream outcomes of every waiting task of a run from the
	// actual states (after clear or mark), returning the counts.
	sqlRecountUpstream = `
UPDATE task_instances t SET up_done = c.done, up_success = c.success, up_failed = c.failed, up_skipped = c.skipped
FROM (
  SELECT d.task_id,
         count(u.task_id) FILTER (WHERE u.state IN ('success', 'failed', 'upstream_failed', 'skipped')) AS done,
         count(u.task_id) FILTER (WHERE u.state = 'success') AS success,
         count(u.task_id) FILTER (WHERE u.state IN ('failed', 'upstream_failed')) AS failed,
         count(u.task_id) FILTER (WHERE u.state = 'skipped') AS skipped
  FROM task_instances d
  LEFT JOIN task_instances u ON u.run_id = d.run_id AND u.task_id = ANY(d.upstream)
  WHERE d.run_id = $1 AND d.state = 'none'
  GROUP BY d.task_id
) c
WHERE t.run_id = $1 AND t.task_id = c.task_id
RETURNING t.task_id, t.trigger_rule, t.up_total, t.up_done, t.up_success, t.up_failed, t.up_skipped, t.downstream`

	// ---- dispatch ----

	// Claim up to $1 ready task instances of DAGs $5 for worker $2 (host $3)
	// in pools $4 (empty: any pool), in one statement. Candidates skip pools
	// and DAGs that are already full, are locked FOR UPDATE SKIP LOCKED, and
	// window counts keep each pool under its slots and each DAG under
	// max_active_tasks. The caller holds lockClaim so the counts cannot race
	// with another claim; SKIP LOCKED passes over rows a finishing
	// transaction still holds.
	sqlClaim = `
WITH busy_pool AS (
  SELECT pool, count(*) AS n FROM task_instances WHERE state IN ('queued', 'running') GROUP BY pool
), busy_dag AS (
  SELECT dag_id, count(*) AS n FROM task_instances WHERE state IN ('queued', 'running') GROUP BY dag_id
), full_pools AS (
  SELECT p.name FROM pools p JOIN busy_pool b ON b.pool = p.name WHERE b.n >= p.slots
), full_dags AS (
  SELECT d.dag_id FROM dags d LEFT JOIN busy_dag b ON b.dag_id = d.dag_id
  WHERE d.is_paused OR coalesce(b.n, 0) >= d.max_active_tasks
), cand0 AS (
  SELECT t.run_id, t.task_id, t.dag_id, t.pool, t.ready_at, t.ordinal FROM task_instances t
  WHERE t.state IN ('scheduled', 'up_for_retry') AND t.ready_at <= now()
    AND (cardinality($4::text[]) = 0 OR t.pool = ANY($4::text[])) AND t.dag_id = ANY($5::text[])
    AND t.pool NOT IN (SELECT name FROM full_pools) AND t.dag_id NOT IN (SELECT dag_id FROM full_dags)
  ORDER BY t.ready_at, t.ordinal
  LIMIT $1
  FOR UPDATE SKIP LOCKED
), cand AS (
  SELECT c.*, r.logical_date, r.data_interval_start, r.data_interval_end, r.conf,
         row_number() OVER (PARTITION BY c.pool ORDER BY c.ready_at, c.ordinal) AS pool_rank,
         row_number() OVER (PARTITION BY c.dag_id ORDER BY c.ready_at, c.ordinal) AS dag_rank
  FROM cand0 c JOIN dag_runs r ON r.run_id = c.run_id
  WHERE r.state = 'running'
), pick AS (
  SELECT c.*, d.params FROM cand c
  JOIN pools p ON p.name = c.pool JOIN dags d ON d.dag_id = c.dag_id
  LEFT JOIN busy_pool bp ON bp.pool = c.pool LEFT JOIN busy_dag bd ON bd.dag_id = c.dag_id
  WHERE c.pool_rank + coalesce(bp.n, 0) <= p.slots AND c.dag_rank + coalesce(bd.n, 0) <= d.max_active_tasks
)
UPDATE task_instances t SET state = 'queued', try_number = t.try_number + 1, worker_id = $2,
  hostname = $3, queued_at = now(), start_date = NULL, end_date = NULL, error = ''
FROM pick p
WHERE t.run_id = p.run_id AND t.task_id = p.task_id
RETURNING t.run_id, t.task_id, t.dag_id, t.try_number, t.max_tries, t.timeout_ms, t.retry_delay_ms,
  t.max_retry_delay_ms, t.exponential_backoff, p.logical_date, p.data_interval_start,
  p.data_interval_end, p.conf, p.params, t.downstream, t.ready_at, now()`

	// A worker moves tasks to running only from queued, for the attempts it
	// holds. It runs in the claim's transaction, so an attempt is committed
	// running (never visibly queued) and a step costs one commit less.
	sqlStartClaimed = `
UPDATE task_instances SET state = 'running', start_date = clock_timestamp()
WHERE worker_id = $1 AND state = 'queued'`

	// Count one finished upstream into each waiting downstream task and
	// return those whose upstream tasks are now all done.
	sqlBumpDownstream = `
UPDATE task_instances SET up_done = up_done + 1, up_success = up_success + $3,
  up_failed = up_failed + $4, up_skipped = up_skipped + $5
WHERE run_id = $1 AND task_id = ANY($2::text[]) AND state = 'none'
RETURNING task_id, trigger_rule, up_total, up_done, up_success, up_failed, up_skipped, downstream`

	// Apply trigger-rule decisions: $2 task ids, $3 their new states.
	sqlDecideTIs = `
UPDATE task_instances t SET state = d.state,
  ready_at = CASE WHEN d.state = 'scheduled' THEN now() END,
  end_date = CASE WHEN d.state = 'scheduled' THEN NULL ELSE now() END
FROM unnest($2::text[], $3::text[]) AS d(task_id, state)
WHERE t.run_id = $1 AND t.task_id = d.task_id AND t.state = 'none'`

	// Give back claims a stopping worker never started.
	sqlReleaseQueued = `
UPDATE task_instances SET state = 'scheduled', try_number = try_number - 1, worker_id = NULL,
  queued_at = NULL, ready_at = now()
WHERE worker_id = $1 AND state = 'queued'`

	// ---- workers, heartbeats, reaper ----

	sqlRegisterWorker = `
INSERT INTO workers (worker_id, hostname, pid, pools, concurrency) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (worker_id) DO UPDATE SET heartbeat_at = now(), stopped_at = NULL`

	// Heartbeat and learn which attempts this worker still holds: an attempt
	// missing from the answer was marked, cleared or reaped, so the worker
	// cancels it.
	sqlHeartbeat = `
WITH hb AS (UPDATE workers SET heartbeat_at = now() WHERE worker_id = $1)
SELECT run_id, task_id, try_number FROM task_instances WHERE worker_id = $1 AND state IN ('queued', 'running')`

	sqlStopWorker = `UPDATE workers SET stopped_at = now() WHERE worker_id = $1`

	// Attempts held by workers that stopped heartbeating (or never registered).
	sqlOrphans = `
SELECT t.run_id, t.task_id, t.try_number, t.max_tries, t.retry_delay_ms, t.max_retry_delay_ms,
       t.exponential_backoff, coalesce(t.worker_id, '')
FROM task_instances t LEFT JOIN workers w ON w.worker_id = t.worker_id
WHERE t.state IN ('queued', 'running')
  AND (w.worker_id IS NULL OR w.stopped_at IS NOT NULL OR w.heartbeat_at < now() - make_interval(secs => $1))`

	// ---- logs ----

	sqlInsertLogs = `
INSERT INTO task_logs (run_id, task_id, try_number, line_no, ts, level, message)
SELECT $1, $2, $3, unnest($4::int[]), unnest($5::timestamptz[]), unnest($6::text[]), unnest($7::text[])
ON CONFLICT DO NOTHING`

	sqlAttemptLog = `
SELECT line_no, ts, level, message FROM task_logs
WHERE run_id = $1 AND task_id = $2 AND try_number = $3 AND line_no > $4
ORDER BY line_no LIMIT $5`
)

const (
	// Mark a whole run: success marks unfinished tasks success; failed marks
	// active attempts failed and waiting tasks skipped (Airflow's behaviour).
	sqlMarkRunTIs = `
UPDATE task_instances SET end_date = now(), ready_at = NULL,
  state = CASE WHEN $2 = 'success' THEN 'success' WHEN state IN ('queued', 'running') THEN 'failed' ELSE 'skipped' END
WHERE run_id = $1 AND state IN ('none', 'scheduled', 'queued', 'running', 'up_for_retry')`
)

// ---- backfills ----
const (
	sqlBackfillColumns = `b.id, b.dag_id, b.from_date, b.to_date, b.reprocess, b.max_active_runs,
       b.run_backwards, b.conf, b.state, b.created_at, b.completed_at`

	sqlInsertBackfill = `
INSERT INTO backfills AS b (dag_id, from_date, to_date, reprocess, max_active_runs, run_backwards, conf)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ` + sqlBackfillColumns

	sqlActiveBackfillOfDAG = `SELECT id FROM backfills WHERE dag_id = $1 AND state IN ('running', 'paused')`

	sqlExistingRuns = `
SELECT run_id, logical_date, state FROM dag_runs WHERE dag_id = $1 AND logical_date = ANY($2::timestamptz[])`

	sqlAttachRunToBackfill = `UPDATE dag_runs SET backfill_id = $2, backfill_sort = $3 WHERE run_id = $1`

	sqlGetBackfill   = `SELECT ` + sqlBackfillColumns + ` FROM backfills b WHERE b.id = $1`
	sqlListBackfills = `SELECT ` + sqlBackfillColumns + ` FROM backfills b WHERE ($1 = '' OR b.dag_id = $1) ORDER BY b.id DESC LIMIT 500`

	sqlBackfillRunCounts = `SELECT state, count(*) FROM dag_runs WHERE backfill_id = $1 GROUP BY state`

	// $2: the state the backfill must be in, $3: the new state.
	sqlSetBackfillState = `
UPDATE backfills SET state = $3, completed_at = CASE WHEN $3 IN ('cancelled', 'completed') THEN now() END
WHERE id = $1 AND state = ANY($2::text[])`

	sqlQueuedBackfillRuns = `SELECT run_id FROM dag_runs WHERE backfill_id = $1 AND state = 'queued'`

	sqlCompleteBackfills = `
UPDATE backfills b SET state = 'completed', completed_at = now()
WHERE b.state = 'running' AND NOT EXISTS (
  SELECT 1 FROM dag_runs r WHERE r.backfill_id = b.id AND r.state IN ('queued', 'running'))
RETURNING b.id`
)

// Finish the attempt $3 (the fencing token) if it is still in one of the
// states $4; record it in task_attempts. $7 delays a retry (seconds) and $8
// gives back tries that were not the task's fault (shutdown release).
//
// sqlFinishTI KEY SHARE locks the run row so that clear/mark (FOR UPDATE)
// never interleave with the upstream counters the same transaction bumps.
// A task without downstream bumps nothing, so sqlFinishLeafTI skips the
// lock: many leaves of one run finishing at once would otherwise all
// share-lock one row (a multixact per locker).
var (
	sqlFinishTI     = finishTIQuery(true)
	sqlFinishLeafTI = finishTIQuery(false)
)

func finishTIQuery(lockRun bool) string {
	run := `SELECT run_id FROM dag_runs WHERE run_id = $1`
	if lockRun {
		run += ` FOR KEY SHARE`
	}
	return `
WITH run AS (` + run + `), fin AS (
  UPDATE task_instances t SET state = $5, end_date = now(), error = $6,
    ready_at = CASE WHEN $5 = 'up_for_retry' THEN now() + make_interval(secs => $7) END,
    max_tries = t.max_tries + $8
  WHERE t.run_id = $1 AND t.task_id = $2 AND t.try_number = $3 AND t.state = ANY($4::text[])
    AND EXISTS (SELECT 1 FROM run)
  RETURNING t.run_id, t.task_id, t.try_number, t.state, t.start_date, t.end_date, t.hostname, t.worker_id, t.error, t.downstream
), att AS (
  INSERT INTO task_attempts (run_id, task_id, try_number, state, start_date, end_date, hostname, worker_id, error)
  SELECT run_id, task_id, try_number, CASE WHEN state = 'up_for_retry' THEN 'failed' ELSE state END,
         start_date, end_date, hostname, worker_id, error FROM fin
  ON CONFLICT (run_id, task_id, try_number) DO NOTHING
)
SELECT downstream FROM fin`
}

// ---- pools and workers ----
const (
	sqlListPools = `
SELECT p.name, p.slots, p.description,
       (SELECT count(*) FROM task_instances t WHERE t.pool = p.name AND t.state IN ('queued', 'running'))
FROM pools p ORDER BY p.name`

	sqlSetPool = `
INSERT INTO pools (name, slots, description) VALUES ($1, $2, $3)
ON CONFLICT (name) DO UPDATE SET slots = EXCLUDED.slots, description = EXCLUDED.description`

	sqlListWorkers = `
SELECT w.worker_id, w.hostname, w.pid, w.pools, w.concurrency, w.started_at, w.heartbeat_at, w.stopped_at,
       (SELECT count(*) FROM task_instances t WHERE t.worker_id = w.worker_id AND t.state IN ('queued', 'running'))
FROM workers w WHERE w.stopped_at IS NULL OR w.stopped_at > now() - interval '1 hour'
ORDER BY w.started_at DESC`
)
