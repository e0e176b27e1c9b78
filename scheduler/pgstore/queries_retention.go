package pgstore

// Retention statements (`finpipe db clean`), kept beside queries.go and
// written the same way. Runs are deleted with ON DELETE CASCADE taking
// their task instances, attempts and log lines.

// sqlCleanableRuns selects the runs a clean may delete: finished before $1,
// or, for a successful asset-triggered run, before $3 (the shorter asset
// retention; $3 >= $1), except each DAG's newest $2 runs by logical date (the retention's "always
// the last N"; the dag_id, logical_date unique index finds the N+1th
// newest once per DAG, not once per run), each DAG's newest scheduled run (the scheduler
// derives the next logical date from it, so deleting it would bring old
// dates back) and runs of a backfill still running or paused (it counts
// them).
const sqlCleanableRuns = `
SELECT r.run_id FROM dag_runs r
JOIN (SELECT d.dag_id, (SELECT k.logical_date FROM dag_runs k WHERE k.dag_id = d.dag_id
          ORDER BY k.logical_date DESC OFFSET $2::int LIMIT 1) AS upto FROM dags d) keep ON keep.dag_id = r.dag_id
WHERE r.state IN ('success', 'failed') AND coalesce(r.end_date, r.queued_at) <
      CASE WHEN r.state = 'success' AND r.run_type = 'asset_triggered' THEN $3::timestamptz ELSE $1 END
  AND ($2::int = 0 OR r.logical_date <= keep.upto)
  AND NOT EXISTS (SELECT 1 FROM backfills b WHERE b.id = r.backfill_id AND b.state IN ('running', 'paused'))
  AND r.run_id IS DISTINCT FROM (SELECT l.run_id FROM dag_runs l
      WHERE l.dag_id = r.dag_id AND l.run_type = 'scheduled' ORDER BY l.logical_date DESC LIMIT 1)`

// sqlCleanCounts counts the rows a batch of runs holds; the batch is the
// CTE "batch" of the statement it is appended to.
const sqlCleanCounts = `
SELECT (SELECT count(*) FROM batch),
       (SELECT count(*) FROM task_instances t JOIN batch USING (run_id)),
       (SELECT count(*) FROM task_attempts a JOIN batch USING (run_id)),
       (SELECT count(*) FROM task_logs g JOIN batch USING (run_id))`

const (
	// What a clean before $1 would delete (dry run).
	sqlCountCleanable = `WITH batch AS (` + sqlCleanableRuns + `)` + sqlCleanCounts

	// Delete up to $4 cleanable runs in one statement (one transaction).
	// SKIP LOCKED: a run someone is marking or clearing right now is left
	// for the next clean instead of making either side wait. The DELETE
	// runs although nothing reads it (PostgreSQL always executes
	// data-modifying CTEs); the counts see the snapshot before it.
	sqlCleanRunsBatch = `
WITH batch AS (` + sqlCleanableRuns + `
  ORDER BY coalesce(r.end_date, r.queued_at) LIMIT $4 FOR UPDATE OF r SKIP LOCKED),
gone AS (DELETE FROM dag_runs d USING batch WHERE d.run_id = batch.run_id)` + sqlCleanCounts
)

// Worker registry rows of workers that stopped, or crashed and stopped
// heartbeating, before $1. Only status and the UI read them (the last
// hour's), and every worker start adds one.
const (
	sqlOldWorkers            = ` FROM workers WHERE coalesce(stopped_at, heartbeat_at) < $1`
	sqlCountCleanableWorkers = `SELECT count(*)` + sqlOldWorkers
	sqlCleanWorkers          = `DELETE` + sqlOldWorkers
)
