-- 0002: data-aware scheduling (Airflow 3's assets). An asset is a Kafka
-- topic or a Delta table; an asset event records that it changed, with its
-- source (the task attempt that committed it, or the Kafka watcher's end
-- offsets). DAGs are scheduled on assets; tasks declare outlets. Pending
-- events per DAG are what its next asset-triggered run will cover (Airflow's
-- asset_dag_run_queue); once a run is queued they move to
-- dag_run_asset_events, which says which events each run covered.

CREATE TABLE assets (
    name        text PRIMARY KEY,
    kind        text        NOT NULL CHECK (kind IN ('kafka_topic', 'delta_table')),
    uri         text        NOT NULL DEFAULT '',
    description text        NOT NULL DEFAULT '',
    is_active   boolean     NOT NULL DEFAULT true,
    synced_at   timestamptz NOT NULL DEFAULT now()
);

-- 'all': every asset of the DAG needs a new event (Airflow's default);
-- 'any': one is enough.
ALTER TABLE dags ADD COLUMN asset_condition text NOT NULL DEFAULT 'all'
    CHECK (asset_condition IN ('all', 'any'));

CREATE TABLE dag_schedule_assets (
    dag_id text NOT NULL REFERENCES dags ON DELETE CASCADE,
    asset  text NOT NULL REFERENCES assets ON DELETE CASCADE,
    PRIMARY KEY (dag_id, asset)
);
CREATE INDEX dag_schedule_assets_asset ON dag_schedule_assets (asset);

CREATE TABLE task_outlets (
    dag_id  text NOT NULL,
    task_id text NOT NULL,
    asset   text NOT NULL REFERENCES assets ON DELETE CASCADE,
    PRIMARY KEY (dag_id, task_id, asset),
    FOREIGN KEY (dag_id, task_id) REFERENCES dag_tasks ON DELETE CASCADE
);
CREATE INDEX task_outlets_asset ON task_outlets (asset);

CREATE TABLE asset_events (
    id             bigserial PRIMARY KEY,
    asset          text        NOT NULL REFERENCES assets ON DELETE CASCADE,
    ts             timestamptz NOT NULL DEFAULT now(),
    source_dag_id  text        NOT NULL DEFAULT '',
    source_run_id  text        NOT NULL DEFAULT '',
    source_task_id text        NOT NULL DEFAULT '',
    source_try     integer     NOT NULL DEFAULT 0,
    offsets        jsonb, -- {"partition": next offset}, the watcher's events only
    extra          jsonb       NOT NULL DEFAULT '{}'
);
-- Listing newest first, per asset and over all of them.
CREATE INDEX asset_events_asset_id ON asset_events (asset, id DESC);
CREATE INDEX asset_events_ts ON asset_events (ts);

-- Events not yet covered by a run of the DAG (kept while it is paused, or
-- while an 'all' condition waits for its other assets).
CREATE TABLE asset_pending_events (
    dag_id   text   NOT NULL REFERENCES dags ON DELETE CASCADE,
    event_id bigint NOT NULL REFERENCES asset_events ON DELETE CASCADE,
    PRIMARY KEY (dag_id, event_id)
);
CREATE INDEX asset_pending_events_event ON asset_pending_events (event_id);

CREATE TABLE dag_run_asset_events (
    run_id   text   NOT NULL REFERENCES dag_runs ON DELETE CASCADE,
    event_id bigint NOT NULL REFERENCES asset_events ON DELETE CASCADE,
    PRIMARY KEY (run_id, event_id)
);
CREATE INDEX dag_run_asset_events_event ON dag_run_asset_events (event_id);

-- Coalescing, enforced where two schedulers cannot race past it: at most
-- one queued asset-triggered run per DAG.
CREATE UNIQUE INDEX dag_runs_one_queued_asset_run ON dag_runs (dag_id)
    WHERE state = 'queued' AND run_type = 'asset_triggered';

-- What each DAG's successful attempts consumed of a topic: the next offset
-- per partition (only ever raised).
CREATE TABLE asset_consumed_offsets (
    dag_id      text   NOT NULL REFERENCES dags ON DELETE CASCADE,
    asset       text   NOT NULL REFERENCES assets ON DELETE CASCADE,
    partition   integer NOT NULL,
    next_offset bigint NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (dag_id, asset, partition)
);

-- The watcher's last-seen end offsets of each topic asset.
CREATE TABLE asset_end_offsets (
    asset      text    NOT NULL REFERENCES assets ON DELETE CASCADE,
    partition  integer NOT NULL,
    end_offset bigint  NOT NULL,
    seen_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (asset, partition)
);

-- Lag of each DAG on each topic asset: records past what its runs consumed
-- (a partition it never consumed counts from 0). Rows for the DAGs scheduled
-- on the topic and for those that report consumed offsets (reports).
CREATE VIEW asset_dag_lag AS
SELECT d.asset, d.dag_id, bool_or(d.reports) AS reports,
       coalesce((SELECT sum(greatest(x.end_offset - coalesce(c.next_offset, 0), 0))
                 FROM asset_end_offsets x
                 LEFT JOIN asset_consumed_offsets c
                   ON c.dag_id = d.dag_id AND c.asset = x.asset AND c.partition = x.partition
                 WHERE x.asset = d.asset), 0)::bigint AS lag
FROM (
  SELECT s.asset, s.dag_id, false AS reports
  FROM dag_schedule_assets s JOIN assets a ON a.name = s.asset AND a.kind = 'kafka_topic'
  UNION
  SELECT DISTINCT c.asset, c.dag_id, true FROM asset_consumed_offsets c
) d
GROUP BY d.asset, d.dag_id;
