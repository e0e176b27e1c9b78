package web

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
)

// operation describes one API route for the OpenAPI document. The table
// below is the API's contract; TestOpenAPIMatchesRouter fails when a route
// is added to routes.go without a line here, or the other way round.
type operation struct {
	method, path, id, summary, tag string
	query                          []queryParam
	body                           string // request schema name, "" for none
	bodyOptional                   bool
	status                         int    // success status
	resp                           string // success schema name
	public                         bool   // no bearer token needed
	errs                           []int  // error statuses besides 400, 401, 403, 413, 429 and 500, which document() adds where they apply
}

type queryParam struct{ name, typ, desc string }

var operations = []operation{
	{method: "GET", path: "/health", id: "getHealth", tag: "Monitor", public: true, status: 200, resp: "Health", errs: []int{503},
		summary: "Database (and broker, when configured) reachable: 200, else 503"},
	{method: "GET", path: "/openapi.json", id: "getOpenAPI", tag: "Monitor", public: true, status: 200, resp: "",
		summary: "This document"},
	{method: "GET", path: "/dags", id: "listDAGs", tag: "DAG", status: 200, resp: "DAGList", summary: "List DAGs with schedule, paused flag, next and last run"},
	{method: "GET", path: "/dags/{dag_id}", id: "getDAG", tag: "DAG", status: 200, resp: "DAG", errs: []int{404}, summary: "Get a DAG with its tasks"},
	{method: "PATCH", path: "/dags/{dag_id}", id: "patchDAG", tag: "DAG", body: "PatchDAG", status: 200, resp: "DAG", errs: []int{404},
		summary: "Pause or unpause a DAG"},
	{method: "GET", path: "/dags/{dag_id}/runs", id: "listRuns", tag: "DagRun", status: 200, resp: "RunPage", errs: []int{404},
		summary: "List runs, newest logical date first, one page at a time",
		query: []queryParam{{"state", "string", "queued, running, success or failed"},
			{"from", "string", "logical_date >= from (date or RFC 3339)"}, {"to", "string", "logical_date <= to (date or RFC 3339)"},
			{"cursor", "string", "next_cursor of the previous page"}, {"limit", "integer", "1-500, default 50"}}},
	{method: "POST", path: "/dags/{dag_id}/runs", id: "triggerRun", tag: "DagRun", body: "TriggerRun", bodyOptional: true, status: 201, resp: "DagRun", errs: []int{404, 409},
		summary: "Trigger a run (409 when the run id or logical date is taken)"},
	{method: "GET", path: "/dags/{dag_id}/runs/{run_id}", id: "getRun", tag: "DagRun", status: 200, resp: "DagRun", errs: []int{404}, summary: "Get a run"},
	{method: "PATCH", path: "/dags/{dag_id}/runs/{run_id}", id: "markRun", tag: "DagRun", body: "MarkRun", status: 200, resp: "DagRun", errs: []int{404, 409},
		summary: "Mark a run success (its unfinished tasks too) or failed"},
	{method: "POST", path: "/dags/{dag_id}/runs/{run_id}/clear", id: "clearRun", tag: "DagRun", body: "ClearRun", bodyOptional: true, status: 200, resp: "DagRun", errs: []int{404, 409},
		summary: "Clear a run's tasks so they run again"},
	{method: "GET", path: "/dags/{dag_id}/runs/{run_id}/tasks", id: "listTaskInstances", tag: "TaskInstance", status: 200, resp: "TaskInstanceList", errs: []int{404},
		summary: "List a run's task instances"},
	{method: "GET", path: "/dags/{dag_id}/runs/{run_id}/tasks/{task_id}", id: "getTaskInstance", tag: "TaskInstance", status: 200, resp: "TaskInstance", errs: []int{404},
		summary: "Get a task instance with every attempt"},
	{method: "PATCH", path: "/dags/{dag_id}/runs/{run_id}/tasks/{task_id}", id: "markTaskInstance", tag: "TaskInstance", body: "MarkTask", status: 200, resp: "TaskInstance", errs: []int{404, 409},
		summary: "Mark a task instance success or failed"},
	{method: "POST", path: "/dags/{dag_id}/runs/{run_id}/tasks/{task_id}/clear", id: "clearTaskInstance", tag: "TaskInstance", body: "ClearTask", bodyOptional: true, status: 200, resp: "TaskInstanceList", errs: []int{404, 409},
		summary: "Clear a task instance (and by default its downstream) so it runs again with a fresh retry budget"},
	{method: "GET", path: "/dags/{dag_id}/runs/{run_id}/tasks/{task_id}/attempts/{try}/log", id: "getAttemptLog", tag: "TaskInstance", status: 200, resp: "LogPage", errs: []int{404},
		summary: "One page of an attempt's log; follows a running attempt",
		query: []queryParam{{"after_line", "integer", "return lines after this line number (default 0)"},
			{"limit", "integer", "1-10000, default 1000"},
			{"wait", "integer", "seconds (0-30) to wait for new lines while the attempt runs"}}},
	{method: "GET", path: "/dags/{dag_id}/runs/{run_id}/upstream_asset_events", id: "getUpstreamAssetEvents", tag: "Asset", status: 200, resp: "AssetEventList", errs: []int{404},
		summary: "The asset events an asset-triggered run covered (empty for other runs)"},
	{method: "GET", path: "/assets", id: "listAssets", tag: "Asset", status: 200, resp: "AssetList",
		summary: "List assets with their consumers, producers, last event and, for Kafka topics, end offsets and lag per consuming DAG"},
	{method: "GET", path: "/assets/events", id: "listAssetEvents", tag: "Asset", status: 200, resp: "AssetEventPage", errs: []int{404},
		summary: "List asset events, newest first, one page at a time (404 when the asset filter names no asset)",
		query: []queryParam{{"asset", "string", "only this asset's events"},
			{"before", "integer", "only events with a smaller id: next_before_id of the previous page"},
			{"limit", "integer", "1-500, default 50"}}},
	{method: "GET", path: "/assets/{asset_name}", id: "getAsset", tag: "Asset", status: 200, resp: "Asset", errs: []int{404},
		summary: "Get an asset (escape a '/' in its name as %2F; no asset is named events, ., or ..: the registry reserves them)"},
	{method: "GET", path: "/backfills", id: "listBackfills", tag: "Backfill", status: 200, resp: "BackfillList",
		summary: "List backfills, newest first",
		query:   []queryParam{{"dag_id", "string", "only this DAG's"}, {"limit", "integer", "1-100, default 50"}}},
	{method: "POST", path: "/backfills", id: "createBackfill", tag: "Backfill", body: "BackfillRequest", status: 201, resp: "Backfill", errs: []int{404, 409},
		summary: "Create a backfill (409 when the DAG already has an active one)"},
	{method: "POST", path: "/backfills/dry_run", id: "dryRunBackfill", tag: "Backfill", body: "BackfillRequest", status: 200, resp: "DryRun", errs: []int{404},
		summary: "List the logical dates a backfill would run, creating nothing"},
	{method: "GET", path: "/backfills/{backfill_id}", id: "getBackfill", tag: "Backfill", status: 200, resp: "Backfill", errs: []int{404}, summary: "Get a backfill with its progress"},
	{method: "POST", path: "/backfills/{backfill_id}/pause", id: "pauseBackfill", tag: "Backfill", status: 200, resp: "Backfill", errs: []int{404, 409}, summary: "Pause a backfill"},
	{method: "POST", path: "/backfills/{backfill_id}/unpause", id: "unpauseBackfill", tag: "Backfill", status: 200, resp: "Backfill", errs: []int{404, 409}, summary: "Resume a paused backfill"},
	{method: "POST", path: "/backfills/{backfill_id}/cancel", id: "cancelBackfill", tag: "Backfill", status: 200, resp: "Backfill", errs: []int{404, 409}, summary: "Cancel a backfill: its queued runs are marked failed (tasks skipped); running ones finish"},
}

var pathParamRE = regexp.MustCompile(`\{([a-z_]+)\}`)

// openAPIDocument builds the OpenAPI 3.1 document from the table.
func openAPIDocument() map[string]any {
	paths := map[string]any{}
	for _, op := range operations {
		item, _ := paths[op.path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[op.path] = item
		}
		item[strings.ToLower(op.method)] = op.document()
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "FinPipe API", "version": "1.0.0",
			"description": "Orchestrator REST API. Authenticate with `Authorization: Bearer <token>` (the token is `FINPIPE_API_TOKEN` or the file `<data dir>/api_token`). Errors are `{\"error\": {\"code\", \"message\"}}`; too many wrong tokens from one client answer 429 with `Retry-After`."},
		"servers":    []any{map[string]any{"url": "/api/v1"}},
		"security":   []any{map[string]any{"bearer": []any{}}},
		"paths":      paths,
		"components": map[string]any{"schemas": schemas(), "securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}}},
	}
}

func (op operation) document() map[string]any {
	var params []any
	for _, m := range pathParamRE.FindAllStringSubmatch(op.path, -1) {
		typ := "string"
		if m[1] == "try" || m[1] == "backfill_id" {
			typ = "integer"
		}
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": typ}})
	}
	for _, q := range op.query {
		params = append(params, map[string]any{"name": q.name, "in": "query", "description": q.desc, "schema": map[string]any{"type": q.typ}})
	}
	ok := map[string]any{"description": "OK"}
	if op.resp != "" {
		ok["content"] = jsonContent(op.resp)
	}
	responses := map[string]any{itoa(op.status): ok}
	errs := op.errs
	if !op.public {
		errs = append(errs, 401, 429) // 429: too many wrong tokens from the client's address
	}
	if op.body != "" || len(op.query) > 0 {
		errs = append(errs, 400)
	}
	if op.body != "" {
		errs = append(errs, 413) // over maxBodyBytes
	}
	if !op.public && op.method != "GET" {
		errs = append(errs, 403) // the UI's session without its X-CSRF-Token header
	}
	errs = append(errs, 500) // a server-side failure, logged
	for _, code := range errs {
		if code == 503 {
			responses["503"] = map[string]any{"description": "a dependency is unreachable", "content": jsonContent("Health")}
			continue
		}
		responses[itoa(code)] = map[string]any{"description": http.StatusText(code), "content": jsonContent("Error")}
	}
	doc := map[string]any{"operationId": op.id, "summary": op.summary, "tags": []any{op.tag}, "responses": responses}
	if params != nil {
		doc["parameters"] = params
	}
	if op.body != "" {
		doc["requestBody"] = map[string]any{"required": !op.bodyOptional, "content": jsonContent(op.body)}
	}
	if op.public {
		doc["security"] = []any{}
	}
	return doc
}

func jsonContent(schema string) map[string]any {
	return map[string]any{"application/json": map[string]any{"schema": ref(schema)}}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// GET /api/v1/openapi.json. The document is encoded once per server (it
// never changes while the process runs).
func (s *server) apiOpenAPI(w http.ResponseWriter, r *http.Request) {
	s.openAPIOnce.Do(func() { s.openAPIJSON, s.openAPIErr = encodeJSON(openAPIDocument()) })
	if s.openAPIErr != nil {
		s.writeError(w, r, s.openAPIErr) // 500, logged
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(s.openAPIJSON)
}
