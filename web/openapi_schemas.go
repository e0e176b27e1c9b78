package web

// The OpenAPI document's schemas: the JSON the handlers send and accept.
// Names of fields follow the scheduler's JSON tags (Airflow's vocabulary).

type schema = map[string]any

func ref(name string) schema { return schema{"$ref": "#/components/schemas/" + name} }

func typ(t string) schema { return schema{"type": t} }

func nullable(t string) schema { return schema{"type": []any{t, "null"}} }

func dateTime() schema { return schema{"type": "string", "format": "date-time"} }

func nullableDateTime() schema { return schema{"type": []any{"string", "null"}, "format": "date-time"} }

func enum(values ...any) schema { return schema{"type": "string", "enum": values} }

func arrayOf(items schema) schema { return schema{"type": "array", "items": items} }

func object(props schema, required ...any) schema {
	s := schema{"type": "object", "properties": props}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

func listOf(key, item string) schema {
	return object(schema{key: arrayOf(ref(item)), "total_entries": typ("integer")}, key, "total_entries")
}

var (
	runStates  = []any{"queued", "running", "success", "failed"}
	taskStates = []any{"none", "scheduled", "queued", "running", "success", "failed", "up_for_retry", "upstream_failed", "skipped"}
)

func schemas() schema {
	return schema{
		"Error": object(schema{"error": object(schema{
			"code":    enum("bad_request", "unauthorized", "forbidden", "not_found", "method_not_allowed", "conflict", "too_large", "internal"),
			"message": typ("string")}, "code", "message")}, "error"),
		"Health": object(schema{"status": enum("ok", "unavailable"),
			"checks": schema{"type": "object", "additionalProperties": object(schema{
				"status": enum("ok", "unavailable"), "latency_ms": typ("integer"), "error": typ("string")})}}, "status", "checks"),
		"Task": object(schema{"task_id": typ("string"), "upstream": arrayOf(typ("string")), "downstream": arrayOf(typ("string")),
			"retries": typ("integer"), "retry_delay": schema{"type": "number", "description": "seconds"},
			"max_retry_delay": typ("number"), "exponential_backoff": typ("boolean"), "timeout": typ("number"),
			"pool": typ("string"), "trigger_rule": typ("string")}),
		"DAG": object(schema{"dag_id": typ("string"), "description": typ("string"), "schedule": typ("string"),
			"start_date": dateTime(), "catchup": typ("boolean"), "max_active_runs": typ("integer"), "max_active_tasks": typ("integer"),
			"params": typ("object"), "tags": arrayOf(typ("string")),
			"assets": schema{"type": "array", "items": typ("string"), "description": "names of the assets the DAG is scheduled on (beside schedule, if any)"}, "asset_condition": schema{"type": "string", "enum": []any{"all", "any"}, "description": "how several assets combine: all must have new events (Airflow's default) or any one"}, "is_paused": typ("boolean"), "is_active": typ("boolean"),
			"tasks": arrayOf(ref("Task")), "next_logical_date": nullableDateTime(),
			"last_run": schema{"oneOf": []any{ref("DagRun"), typ("null")}}}, "dag_id", "is_paused"),
		"DAGList":  listOf("dags", "DAG"),
		"PatchDAG": object(schema{"is_paused": typ("boolean")}, "is_paused"),
		"DagRun": object(schema{"run_id": typ("string"), "dag_id": typ("string"), "logical_date": dateTime(),
			"data_interval_start": dateTime(), "data_interval_end": dateTime(),
			"run_type": enum("scheduled", "manual", "backfill", "asset_triggered"), "state": enum(runStates...), "conf": typ("object"),
			"backfill_id": nullable("integer"), "queued_at": dateTime(), "start_date": nullableDateTime(), "end_date": nullableDateTime()},
			"run_id", "dag_id", "logical_date", "state"),
		"RunPage": object(schema{"runs": arrayOf(ref("DagRun")),
			"next_cursor": schema{"type": "string", "description": "pass as cursor for the next page; empty on the last page"}}, "runs", "next_cursor"),
		"TriggerRun": object(schema{"run_id": typ("string"),
			"logical_date": schema{"type": "string", "description": "RFC 3339 or YYYY-MM-DD; default now"},
			"conf":         typ("object")}),
		"ClearRun": object(schema{"only_failed": schema{"type": "boolean", "description": "clear only failed and upstream_failed tasks"}}),
		"Attempt": object(schema{"try_number": typ("integer"), "state": enum(taskStates...), "start_date": nullableDateTime(),
			"end_date": dateTime(), "duration": nullable("number"), "hostname": typ("string"), "error": typ("string")}),
		"TaskInstance": object(schema{"run_id": typ("string"), "dag_id": typ("string"), "task_id": typ("string"),
			"state": enum(taskStates...), "try_number": typ("integer"), "max_tries": typ("integer"),
			"upstream": arrayOf(typ("string")), "downstream": arrayOf(typ("string")), "pool": typ("string"), "trigger_rule": typ("string"),
			"ready_at": nullableDateTime(), "queued_at": nullableDateTime(), "start_date": nullableDateTime(), "end_date": nullableDateTime(),
			"duration": nullable("number"), "hostname": typ("string"), "error": typ("string"), "attempts": arrayOf(ref("Attempt"))},
			"run_id", "task_id", "state", "try_number"),
		"TaskInstanceList": listOf("task_instances", "TaskInstance"),
		"MarkRun":          object(schema{"state": enum("success", "failed")}, "state"),
		"MarkTask":         object(schema{"state": enum("success", "failed")}, "state"),
		"ClearTask":        object(schema{"downstream": schema{"type": "boolean", "default": true}}),
		"LogPage": object(schema{"lines": arrayOf(object(schema{"line": typ("integer"), "time": dateTime(),
			"level": typ("string"), "message": typ("string")})), "next_after_line": typ("integer"),
			"following": schema{"type": "boolean", "description": "the attempt is still running: ask again with after_line=next_after_line"}},
			"lines", "next_after_line", "following"),
		"BackfillRequest": object(schema{"dag_id": typ("string"),
			"from_date":          schema{"type": "string", "description": "first logical date (inclusive): YYYY-MM-DD or RFC 3339"},
			"to_date":            schema{"type": "string", "description": "last logical date (inclusive)"},
			"reprocess_behavior": schema{"type": "string", "enum": []any{"none", "failed", "completed"}, "default": "none"},
			"max_active_runs":    schema{"type": "integer", "minimum": 1, "maximum": 1000, "default": defaultBackfillRuns},
			"run_backwards":      typ("boolean"), "dag_run_conf": typ("object")}, "dag_id", "from_date", "to_date"),
		"Backfill": object(schema{"id": typ("integer"), "dag_id": typ("string"), "from_date": dateTime(), "to_date": dateTime(),
			"reprocess": enum("none", "failed", "completed"), "max_active_runs": typ("integer"), "run_backwards": typ("boolean"),
			"conf": typ("object"), "state": enum("running", "paused", "cancelled", "completed"), "created_at": dateTime(),
			"completed_at": nullableDateTime(), "run_counts": schema{"type": "object", "additionalProperties": typ("integer")},
			"progress": object(schema{"total": typ("integer"), "done": typ("integer"), "success": typ("integer"),
				"failed": typ("integer"), "running": typ("integer"), "queued": typ("integer")})}, "id", "dag_id", "state", "progress"),
		"BackfillList": listOf("backfills", "Backfill"),
		"Asset": object(schema{"name": typ("string"), "kind": enum("kafka_topic", "delta_table"), "uri": typ("string"),
			"description": typ("string"), "consumers": schema{"type": "array", "items": typ("string"), "description": "DAGs scheduled on the asset"},
			"producers":  schema{"type": "array", "items": typ("string"), "description": "dag_id.task_id of the tasks that declare it as an outlet"},
			"last_event": schema{"oneOf": []any{ref("AssetEvent"), typ("null")}},
			"end_offsets": schema{"type": "object", "additionalProperties": typ("integer"),
				"description": "Kafka topics: partition -> end offset, as the watcher last saw it"},
			"lag": schema{"type": "object", "additionalProperties": typ("integer"),
				"description": "Kafka topics: consuming dag_id -> records past what its runs consumed"}},
			"name", "kind", "uri", "consumers", "producers"),
		"AssetList": listOf("assets", "Asset"),
		"AssetEvent": object(schema{"id": typ("integer"), "asset": typ("string"), "timestamp": dateTime(),
			"source_dag_id": typ("string"), "source_run_id": typ("string"), "source_task_id": typ("string"), "source_try": typ("integer"),
			"offsets": schema{"type": "object", "additionalProperties": typ("integer"),
				"description": "Kafka topics: partition -> end offset the watcher saw"},
			"extra":          schema{"type": "object", "description": "what the emitting task attached (for a Delta table: the committed version)"},
			"triggered_runs": schema{"type": "array", "items": typ("string"), "description": "ids of the runs whose queueing covered this event"}},
			"id", "asset", "timestamp", "extra", "triggered_runs"),
		"AssetEventList": listOf("asset_events", "AssetEvent"),
		"AssetEventPage": object(schema{"asset_events": arrayOf(ref("AssetEvent")),
			"next_before_id": schema{"type": "integer", "description": "pass as before for the next page; 0 on the last page"}},
			"asset_events", "next_before_id"),
		"DryRun": object(schema{"dates": arrayOf(object(schema{"logical_date": dateTime(),
			"action": enum("create", "reprocess", "skip"), "existing_run_id": typ("string"), "existing_state": enum(runStates...)})),
			"total_entries": typ("integer")}, "dates", "total_entries"),
	}
}
