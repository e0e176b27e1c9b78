-- 0001: the orchestrator's tables. Airflow's vocabulary: dags, dag_runs,
-- task_instances (one row per task per run, holding the current attempt),
-- task_attempts (one row per finished attempt, for the UI's retry history),
-- task_logs (each attempt's log lines), pools, workers, backfills.

CREATE TABLE dags (
    dag_id           text PRIMARY KEY,
    description      text        NOT NULL DEFAULT '',
    schedule         text        NOT NULL DEFAULT '',
    start_date       timestamptz,
    catchup          boolean     NOT NULL DEFAULT false,
    max_active_runs  integer     NOT NULL DEFAULT 16,
    max_active_tasks integer     NOT NULL DEFAULT 16,
    params           jsonb       NOT NULL DEFAULT '{}',
    tags             text[]      NOT NULL DEFAULT '{}',
    is_paused        boolean     NOT NULL DEFAULT false,
    is_active        boolean     NOT NULL DEFAULT true,
    synced_at        timestamptz NOT NULL DEFAULT now()
);

-- dag_tasks is the synced task definition: run creation copies it into
-- task_instances with one INSERT ... SELECT, so any process can create runs.
CREATE TABLE dag_tasks (
    dag_id             text    NOT NULL REFERENCES dags ON DELETE CASCADE,
    task_id            text    NOT NULL,
    ordinal            integer NOT NULL,
    upstream           text[]  NOT NULL DEFAULT '{}',
    downstream         text[]  NOT NULL DEFAULT '{}',
    retries            integer NOT NULL DEFAULT 0,
    retry_delay_ms     bigint  NOT NULL DEFAULT 0,
    max_retry_delay_ms bigint  NOT NULL DEFAULT 0,
    exponential_backoff boolean NOT NULL DEFAULT false,
    timeout_ms         bigint  NOT NULL DEFAULT 0,
    pool               text    NOT NULL DEFAULT 'default_pool',
    trigger_rule       text    NOT NULL DEFAULT 'all_success',
    PRIMARY KEY (dag_id, task_id)
);

CREATE TABLE pools (
    name        text PRIMARY KEY,
    slots       integer NOT NULL CHECK (slots >= 0),
    description text    NOT NULL DEFAULT ''
);
INSERT INTO pools (name, slots, description) VALUES ('default_pool', 128, 'Default pool');

CREATE TABLE backfills (
    id              bigserial PRIMARY KEY,
    dag_id          text        NOT NULL REFERENCES dags ON DELETE CASCADE,
    from_date       timestamptz NOT NULL,
    to_date         timestamptz NOT NULL,
    reprocess       text        NOT NULL,
    max_active_runs integer     NOT NULL,
    run_backwards   boolean     NOT NULL DEFAULT false,
    conf            jsonb       NOT NULL DEFAULT '{}',
    state           text        NOT NULL DEFAULT 'running', -- running | paused | cancelled | completed
    created_at      timestamptz NOT NULL DEFAULT now(),
    completed_at    timestamptz
);
-- One active backfill per DAG.
CREATE UNIQUE INDEX backfills_one_active ON backfills (dag_id) WHERE state IN ('running', 'paused');

CREATE TABLE dag_runs (
    run_id              text PRIMARY KEY,
    dag_id              text        NOT NULL REFERENCES dags ON DELETE CASCADE,
    logical_date        timestamptz NOT NULL,
    data_interval_start timestamptz NOT NULL,
    data_interval_end   timestamptz NOT NULL,
    run_type            text        NOT NULL, -- scheduled | manual | backfill
    state               text        NOT NULL,
    conf                jsonb       NOT NULL DEFAULT '{}',
    backfill_id         bigint REFERENCES backfills ON DELETE SET NULL,
    backfill_sort       integer     NOT NULL DEFAULT 0,
    queued_at           timestamptz NOT NULL DEFAULT now(),
    start_date          timestamptz,
    end_date            timestamptz,
    UNIQUE (dag_id, logical_date)
);
CREATE INDEX dag_runs_dag_state ON dag_runs (dag_id, state, logical_date);
CREATE INDEX dag_runs_active ON dag_runs (queued_at) WHERE state IN ('queued', 'running');

CREATE TABLE task_instances (
    run_id              text    NOT NULL REFERENCES dag_runs ON DELETE CASCADE,
    task_id             text    NOT NULL,
    dag_id              text    NOT NULL,
    ordinal             integer NOT NULL,
    state               text    NOT NULL DEFAULT 'none',
    try_number          integer NOT NULL DEFAULT 0,
    -- The task may run while try_number <= max_tries; clear sets max_tries to
    -- try_number + retries so a cleared task gets a fresh retry budget.
    retries             integer NOT NULL DEFAULT 0,
    max_tries           integer NOT NULL DEFAULT 0,
    upstream            text[]  NOT NULL DEFAULT '{}',
    downstream          text[]  NOT NULL DEFAULT '{}',
    -- Counters of finished upstream tasks, bumped in the transaction that
    -- finishes an upstream: the downstream is decided without scanning the run.
    up_total            integer NOT NULL DEFAULT 0,
    up_done             integer NOT NULL DEFAULT 0,
    up_success          integer NOT NULL DEFAULT 0,
    up_failed           integer NOT NULL DEFAULT 0,
    up_skipped          integer NOT NULL DEFAULT 0,
    trigger_rule        text    NOT NULL DEFAULT 'all_success',
    pool                text    NOT NULL DEFAULT 'default_pool',
    timeout_ms          bigint  NOT NULL DEFAULT 0,
    retry_delay_ms      bigint  NOT NULL DEFAULT 0,
    max_retry_delay_ms  bigint  NOT NULL DEFAULT 0,
    exponential_backoff boolean NOT NULL DEFAULT false,
    ready_at            timestamptz,
    queued_at           timestamptz,
    start_date          timestamptz,
    end_date            timestamptz,
    worker_id           text,
    hostname            text    NOT NULL DEFAULT '',
    error               text    NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, task_id)
);
-- Claim candidates, held/active attempts (pool and max_active_tasks counts,
-- reaper) and unfinished tasks (run completion check) each have a small
-- partial index.
CREATE INDEX task_instances_ready ON task_instances (ready_at, ordinal) WHERE state IN ('scheduled', 'up_for_retry');
CREATE INDEX task_instances_active ON task_instances (worker_id) WHERE state IN ('queued', 'running');
CREATE INDEX task_instances_unfinished ON task_instances (run_id, task_id) WHERE state IN ('none', 'scheduled', 'queued', 'running', 'up_for_retry');

CREATE TABLE task_attempts (
    run_id     text        NOT NULL,
    task_id    text        NOT NULL,
    try_number integer     NOT NULL,
    state      text        NOT NULL,
    start_date timestamptz,
    end_date   timestamptz NOT NULL,
    hostname   text        NOT NULL DEFAULT '',
    worker_id  text,
    error      text        NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, task_id, try_number),
    FOREIGN KEY (run_id, task_id) REFERENCES task_instances ON DELETE CASCADE
);

CREATE TABLE task_logs (
    run_id     text        NOT NULL,
    task_id    text        NOT NULL,
    try_number integer     NOT NULL,
    line_no    integer     NOT NULL,
    ts         timestamptz NOT NULL,
    level      text        NOT NULL,
    message    text        NOT NULL,
    PRIMARY KEY (run_id, task_id, try_number, line_no),
    FOREIGN KEY (run_id, task_id) REFERENCES task_instances ON DELETE CASCADE
);

CREATE TABLE workers (
    worker_id    text PRIMARY KEY,
    hostname     text        NOT NULL,
    pid          integer     NOT NULL,
    pools        text[]      NOT NULL DEFAULT '{}',
    concurrency  integer     NOT NULL,
    started_at   timestamptz NOT NULL DEFAULT now(),
    heartbeat_at timestamptz NOT NULL DEFAULT now(),
    stopped_at   timestamptz
);
