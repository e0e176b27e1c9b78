package web

import (
	"net/http"
)

// apiDocsCSP loosens the UI's policy for the API reference page alone:
// Redoc (vendored, web/static/vendor/redoc) styles itself with <style>
// elements it writes at run time and runs its search index in a worker
// made from a blob: URL. Scripts still come only from this origin.
const apiDocsCSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'; form-action 'self'"

// GET /api: the API reference, rendered in the browser from
// /api/v1/openapi.json. Public, like the document it shows.
func (s *server) uiAPIDocs(w http.ResponseWriter, r *http.Request) {
	page, err := staticFS.ReadFile("static/api.html")
	if err != nil {
		s.uiError(w, r, err)
		return
	}
	w.Header().Set("Content-Security-Policy", apiDocsCSP)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(page)
}

// GET /favicon.ico: browsers ask for it even with the <link rel="icon">
// every page has; answer with the same SVG.
func (s *server) favicon(w http.ResponseWriter, r *http.Request) {
	icon, err := staticFS.ReadFile("static/favicon.svg")
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(icon)
}
