package pgstore

// Asset scheduling's statements (scheduler/asset*.go, store_assets*.go),
// kept beside queries.go and written the same way. The schema is
// migrations/0002_assets.sql.

const (
	// ---- definitions ----

	sqlUpsertAssets = `
INSERT INTO assets (name, kind, uri, description, is_active, synced_at)
SELECT u.name, u.kind, u.uri, u.description, true, now()
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS u(name, kind, uri, description)
ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind, uri = EXCLUDED.uri,
  description = EXCLUDED.description, is_active = true, synced_at = now()`

	sqlSetAssetCondition = `UPDATE dags SET asset_condition = $2 WHERE dag_id = $1`
	sqlDropDAGAssets     = `DELETE FROM dag_schedule_assets WHERE dag_id = $1 AND asset <> ALL($2::text[])`
	sqlAddDAGAssets      = `
INSERT INTO dag_schedule_assets (dag_id, asset) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`
	// Pending events of assets the DAG is no longer scheduled on would
	// otherwise count towards its condition forever.
	sqlDropStalePending = `
DELETE FROM asset_pending_events p USING asset_events e
WHERE p.dag_id = $1 AND e.id = p.event_id AND e.asset <> ALL($2::text[])`

	sqlDeleteTaskOutlets = `DELETE FROM task_outlets WHERE dag_id = $1`
	sqlInsertTaskOutlets = `
INSERT INTO task_outlets (dag_id, task_id, asset) SELECT $1, unnest($2::text[]), unnest($3::text[])
ON CONFLICT DO NOTHING`

	sqlDAGAssets = `SELECT dag_id, array_agg(asset ORDER BY asset) FROM dag_schedule_assets GROUP BY dag_id`

	// ---- events and queueing ----

	// $1 is a JSON array of events (see eventRow). Each event becomes
	// pending for every active DAG scheduled on its asset, paused or not
	// (a paused DAG's run is queued when it is unpaused, as in Airflow).
	sqlInsertAssetEvents = `
WITH ev AS (
  INSERT INTO asset_events (asset, source_dag_id, source_run_id, source_task_id, source_try, offsets, extra)
  SELECT e.asset, e.source_dag_id, e.source_run_id, e.source_task_id, e.source_try,
         NULLIF(e.offsets, 'null'::jsonb), coalesce(NULLIF(e.extra, 'null'::jsonb), '{}')
  FROM jsonb_to_recordset($1::jsonb) AS e(asset text, source_dag_id text, source_run_id text,
       source_task_id text, source_try int, offsets jsonb, extra jsonb)
  RETURNING id, asset
), pend AS (
  INSERT INTO asset_pending_events (dag_id, event_id)
  SELECT s.dag_id, ev.id FROM ev
  JOIN dag_schedule_assets s ON s.asset = ev.asset JOIN dags d ON d.dag_id = s.dag_id
  WHERE d.is_active
  RETURNING dag_id
)
SELECT DISTINCT dag_id FROM pend ORDER BY dag_id`

	// One transaction-scoped advisory lock per DAG, taken in id order so
	// that two queuers never deadlock.
	sqlLockAssetQueues = `
SELECT count(pg_advisory_xact_lock(hashtextextended('finpipe-asset-queue:' || id, 0)))
FROM (SELECT DISTINCT unnest($1::text[]) AS id ORDER BY 1) ids`

	// A DAG's condition holds when it has pending events and, unless it
	// is 'any', every asset it is scheduled on has one of them.
	sqlAssetReadyDAGs = `
SELECT d.dag_id FROM dags d
WHERE d.is_active AND NOT d.is_paused AND ($1::text[] IS NULL OR d.dag_id = ANY($1::text[]))
  AND EXISTS (SELECT 1 FROM asset_pending_events p WHERE p.dag_id = d.dag_id)
  AND (d.asset_condition = 'any' OR NOT EXISTS (
    SELECT 1 FROM dag_schedule_assets s WHERE s.dag_id = d.dag_id AND NOT EXISTS (
      SELECT 1 FROM asset_pending_events p JOIN asset_events e ON e.id = p.event_id
      WHERE p.dag_id = d.dag_id AND e.asset = s.asset)))
ORDER BY d.dag_id`

	// FOR UPDATE: promotion waits until the events linked to the run commit.
	sqlQueuedAssetRun = `
SELECT run_id FROM dag_runs WHERE dag_id = $1 AND run_type = 'asset_triggered' AND state = 'queued' FOR UPDATE`

	sqlLinkPendingEvents = `
WITH moved AS (DELETE FROM asset_pending_events WHERE dag_id = $1 RETURNING event_id)
INSERT INTO dag_run_asset_events (run_id, event_id) SELECT $2, event_id FROM moved ON CONFLICT DO NOTHING`

	sqlUpsertConsumedOffsets = `
INSERT INTO asset_consumed_offsets AS c (dag_id, asset, partition, next_offset)
SELECT $1, u.asset, u.partition, u.next_offset
FROM unnest($2::text[], $3::int[], $4::bigint[]) AS u(asset, partition, next_offset)
ON CONFLICT (dag_id, asset, partition) DO UPDATE
  SET next_offset = GREATEST(c.next_offset, EXCLUDED.next_offset), updated_at = now()`

	// ---- the Kafka watcher ----

	sqlEndOffsets    = `SELECT partition, end_offset FROM asset_end_offsets WHERE asset = $1`
	sqlSetEndOffsets = `
INSERT INTO asset_end_offsets (asset, partition, end_offset, seen_at)
SELECT $1, unnest($2::int[]), unnest($3::bigint[]), now()
ON CONFLICT (asset, partition) DO UPDATE SET end_offset = EXCLUDED.end_offset, seen_at = now()`

	// DAGs behind on a topic they report consumption of ($2: only that
	// DAG, '' for all), with no asset-triggered run queued (nor running,
	// unless $3), whose last finished such run did not fail less than $1
	// seconds ago (a broken pipeline must not get a run every poll).
	sqlLaggingAssetDAGs = `
SELECT DISTINCT l.dag_id FROM asset_dag_lag l
JOIN dag_schedule_assets s ON s.dag_id = l.dag_id AND s.asset = l.asset
JOIN dags d ON d.dag_id = l.dag_id
WHERE l.reports AND l.lag > 0 AND d.is_active AND NOT d.is_paused AND ($2 = '' OR l.dag_id = $2)
  AND NOT EXISTS (SELECT 1 FROM dag_runs r WHERE r.dag_id = l.dag_id AND r.run_type = 'asset_triggered'
      AND (r.state = 'queued' OR (r.state = 'running' AND NOT $3::boolean)))
  AND NOT EXISTS (SELECT 1 FROM (SELECT r.state, r.end_date FROM dag_runs r
      WHERE r.dag_id = l.dag_id AND r.run_type = 'asset_triggered' AND r.state IN ('success', 'failed')
      ORDER BY r.logical_date DESC LIMIT 1) last
      WHERE last.state = 'failed' AND ($4::boolean OR last.end_date > now() - make_interval(secs => $1)))
ORDER BY l.dag_id`

	// ---- operator reads ----

	sqlListAssets = `
SELECT a.name, a.kind, a.uri, a.description,
  ARRAY(SELECT s.dag_id FROM dag_schedule_assets s WHERE s.asset = a.name ORDER BY s.dag_id),
  ARRAY(SELECT o.dag_id || '.' || o.task_id FROM task_outlets o WHERE o.asset = a.name ORDER BY 1),
  (SELECT e.id FROM asset_events e WHERE e.asset = a.name ORDER BY e.id DESC LIMIT 1),
  (SELECT jsonb_object_agg(x.partition::text, x.end_offset) FROM asset_end_offsets x WHERE x.asset = a.name),
  (SELECT jsonb_object_agg(l.dag_id, l.lag) FROM asset_dag_lag l WHERE l.asset = a.name)
FROM assets a WHERE ($1 = '' OR a.name = $1) ORDER BY a.name`

	sqlAssetEventColumns = `e.id, e.asset, e.ts, e.source_dag_id, e.source_run_id, e.source_task_id,
       e.source_try, e.offsets, e.extra,
       ARRAY(SELECT l.run_id FROM dag_run_asset_events l WHERE l.event_id = e.id ORDER BY l.run_id)`

	// Two statements rather than ($1 = '' OR ...), so that each uses its
	// index: (asset, id DESC) or the primary key, backwards.
	sqlListAssetEvents = `SELECT ` + sqlAssetEventColumns + ` FROM asset_events e
WHERE ($1::bigint = 0 OR e.id < $1) ORDER BY e.id DESC LIMIT $2`
	sqlListEventsOfAsset = `SELECT ` + sqlAssetEventColumns + ` FROM asset_events e
WHERE e.asset = $3 AND ($1::bigint = 0 OR e.id < $1) ORDER BY e.id DESC LIMIT $2`

	sqlGetAssetEvents = `SELECT ` + sqlAssetEventColumns + ` FROM asset_events e
WHERE e.id = ANY($1::bigint[]) ORDER BY e.id DESC`

	sqlRunAssetEvents = `SELECT ` + sqlAssetEventColumns + `
FROM dag_run_asset_events r JOIN asset_events e ON e.id = r.event_id WHERE r.run_id = $1 ORDER BY e.id`

	// ---- retention ----

	// Events before $1 that no run covers and no DAG waits on, except each
	// asset's newest (its "last event" stays shown); and those before $2
	// (the asset retention's cutoff, $2 >= $1) whose source run is gone
	// too, or which have none (the watcher's): an event lives as long as
	// the run it came from or a run it started, at least until $2.
	sqlCleanableEvents = `
SELECT e.id FROM asset_events e
WHERE e.ts < $2 AND (e.ts < $1 OR NOT EXISTS (SELECT 1 FROM dag_runs s WHERE s.run_id = e.source_run_id))
  AND NOT EXISTS (SELECT 1 FROM dag_run_asset_events l WHERE l.event_id = e.id)
  AND NOT EXISTS (SELECT 1 FROM asset_pending_events p WHERE p.event_id = e.id)
  AND e.id <> (SELECT max(m.id) FROM asset_events m WHERE m.asset = e.asset)`

	sqlCountCleanableEvents = `SELECT count(*) FROM (` + sqlCleanableEvents + `) c`
	sqlCleanAssetEvents     = `
WITH batch AS (` + sqlCleanableEvents + ` ORDER BY e.ts LIMIT $3 FOR UPDATE OF e SKIP LOCKED)
DELETE FROM asset_events d USING batch WHERE d.id = batch.id`
)
