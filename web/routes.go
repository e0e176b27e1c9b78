package web

import (
	"io/fs"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// routes is the whole URL space. The OpenAPI document (openapi.go) lists
// the /api/v1 part; TestOpenAPIMatchesRouter walks this router to keep the
// two equal.
func (s *server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.Recoverer, securityHeaders)

	r.Route("/api/v1", func(r chi.Router) {
		r.NotFound(s.apiNotFound)
		r.MethodNotAllowed(s.apiMethodNotAllowed)
		r.Get("/health", s.api(s.apiHealth))
		r.Get("/openapi.json", s.apiOpenAPI)
		r.Group(func(r chi.Router) {
			r.Use(s.requireAPIAuth)
			r.Get("/dags", s.api(s.apiListDAGs))
			r.Get("/dags/{dag_id}", s.api(s.apiGetDAG))
			r.Patch("/dags/{dag_id}", s.api(s.apiPatchDAG))
			r.Get("/dags/{dag_id}/runs", s.api(s.apiListRuns))
			r.Post("/dags/{dag_id}/runs", s.api(s.apiTriggerRun))
			r.Get("/dags/{dag_id}/runs/{run_id}", s.api(s.apiGetRun))
			r.Patch("/dags/{dag_id}/runs/{run_id}", s.api(s.apiMarkRun))
			r.Post("/dags/{dag_id}/runs/{run_id}/clear", s.api(s.apiClearRun))
			r.Get("/dags/{dag_id}/runs/{run_id}/tasks", s.api(s.apiListTasks))
			r.Get("/dags/{dag_id}/runs/{run_id}/tasks/{task_id}", s.api(s.apiGetTask))
			r.Patch("/dags/{dag_id}/runs/{run_id}/tasks/{task_id}", s.api(s.apiMarkTask))
			r.Post("/dags/{dag_id}/runs/{run_id}/tasks/{task_id}/clear", s.api(s.apiClearTask))
			r.Get("/dags/{dag_id}/runs/{run_id}/tasks/{task_id}/attempts/{try}/log", s.api(s.apiAttemptLog))
			r.Get("/dags/{dag_id}/runs/{run_id}/upstream_asset_events", s.api(s.apiRunAssetEvents))
			r.Get("/assets", s.api(s.apiListAssets))
			r.Get("/assets/events", s.api(s.apiListAssetEvents))
			r.Get("/assets/{asset_name}", s.api(s.apiGetAsset))
			s.backfillRoutes(r)
		})
	})

	if s.metrics != nil {
		r.Method(http.MethodGet, "/metrics", s.metrics)
	}
	static, _ := fs.Sub(staticFS, "static")
	r.Handle("/static/*", http.StripPrefix("/static/", http.FileServerFS(static)))
	r.Get("/favicon.ico", s.favicon)
	r.Get("/api", s.uiAPIDocs)
	r.Get("/login", s.uiLoginForm)
	r.Post("/login", s.uiLogin)
	r.Group(func(r chi.Router) {
		r.Use(s.requireLogin)
		r.Get("/", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/dags", http.StatusSeeOther) })
		r.Post("/logout", s.uiLogout)
		r.Get("/dags", s.uiDAGs)
		r.Post("/trigger", s.uiTrigger)
		r.Post("/dags/{dag_id}/pause", s.uiPause)
		r.Get("/dags/{dag_id}", s.uiDAG)
		r.Post("/dags/{dag_id}/backfills", s.uiCreateBackfill)
		r.Post("/backfills/{backfill_id}/{action}", s.uiBackfillAction)
		r.Get("/dags/{dag_id}/runs", s.uiRuns)
		r.Get("/dags/{dag_id}/runs/{run_id}", s.uiRun)
		r.Post("/dags/{dag_id}/runs/{run_id}/clear", s.uiClearRun)
		r.Post("/dags/{dag_id}/runs/{run_id}/mark", s.uiMarkRun)
		r.Get("/dags/{dag_id}/runs/{run_id}/tasks/{task_id}", s.uiTask)
		r.Post("/dags/{dag_id}/runs/{run_id}/tasks/{task_id}/clear", s.uiClearTask)
		r.Post("/dags/{dag_id}/runs/{run_id}/tasks/{task_id}/mark", s.uiMarkTask)
		r.Get("/lake", s.uiLake)
		r.Get("/assets", s.uiAssets)
		r.Get("/assets/{asset_name}", s.uiAsset)
		r.Get("/runs/{run_id}", s.uiRunByID)
	})
	return r
}

// securityHeaders forbids framing and inline scripts: the UI's only script
// is /static/app.js, so an injected <script> would not run.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
		next.ServeHTTP(w, r)
	})
}
