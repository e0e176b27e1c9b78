// Package web serves FinPipe's REST API under /api/v1, its server-rendered
// HTML UI and the OpenAPI document that describes the API.
//
// The package depends on the orchestrator only through the Orchestrator
// interface declared here, beside its consumer, so the HTTP layer builds and
// is reviewed independently of the engine's internals; *scheduler.Store
// satisfies it (checked in orchestrator.go).
//
// Layout: one file per resource for the API (api_dags.go, api_runs.go,
// api_tasks.go, api_backfills.go), one per page for the UI (ui_*.go), and
// the cross-cutting parts in their own files: auth.go and session.go
// (bearer token, login cookie, CSRF), errors.go (the JSON error body and the
// mapping of the scheduler's sentinel errors to statuses), openapi.go (the
// document), svg.go (charts drawn on the server).
package web
