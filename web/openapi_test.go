package web

import (
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/finpipe/finpipe/scheduler"
)

// The OpenAPI document and the router describe the same API: every
// /api/v1 route is documented and every documented operation is routed.
func TestOpenAPIMatchesRouter(t *testing.T) {
	t.Parallel()
	// Routing needs no database: a nil store only provides method values.
	s := &server{sessions: newSessions("0123456789abcdef0123", nil), orch: (*scheduler.Store)(nil)}
	routes, ok := s.routes().(chi.Routes)
	if !ok {
		t.Fatal("router is not a chi.Routes")
	}
	routed := map[string]bool{}
	err := chi.Walk(routes, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if p, ok := strings.CutPrefix(route, "/api/v1"); ok {
			routed[method+" "+p] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	doc := openAPIDocument()
	for path, item := range doc["paths"].(map[string]any) {
		for method := range item.(map[string]any) {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	if missing := diff(routed, documented); len(missing) > 0 {
		t.Errorf("routed but not in openapi.json: %v", missing)
	}
	if stale := diff(documented, routed); len(stale) > 0 {
		t.Errorf("in openapi.json but not routed: %v", stale)
	}
	if len(routed) < 20 {
		t.Errorf("only %d API routes found: did the walk miss a group?", len(routed))
	}
}

// Every schema the document references is defined.
func TestOpenAPIReferencesResolve(t *testing.T) {
	t.Parallel()
	defined := schemas()
	for _, op := range operations {
		for _, name := range []string{op.body, op.resp} {
			if name != "" && defined[name] == nil {
				t.Errorf("%s %s references undefined schema %q", op.method, op.path, name)
			}
		}
	}
}

func diff(a, b map[string]bool) []string {
	var out []string
	for k := range a {
		if !b[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
