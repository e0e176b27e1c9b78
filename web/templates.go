package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/finpipe/finpipe/scheduler"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages holds one parsed template set per page: the page file plus the
// shared layout and partials, so each page defines its own "content" and
// "live" blocks without clashing with the others.
type pages struct {
	byName map[string]*template.Template
}

var funcs = template.FuncMap{
	"ts":       formatTime,
	"tsp":      formatTimePtr,
	"dur":      formatDuration,
	"json":     formatJSON,
	"add":      func(a, b int) int { return a + b },
	"finished": func(s scheduler.TaskState) bool { return s.Finished() },
	"runDone":  func(s scheduler.RunState) bool { return s.Finished() },
	"bytes":    humanBytes,
	"logts":    func(t time.Time) string { return t.UTC().Format("15:04:05.000") },
	// seg escapes one path segment: asset names may hold '/'.
	"seg": url.PathEscape,
	// The states the grid and the run squares colour, for their legends.
	"taskStates": func() []string {
		return []string{"none", "scheduled", "queued", "running", "success", "failed", "up_for_retry", "upstream_failed", "skipped"}
	},
	"runStates": func() []string { return []string{"queued", "running", "success", "failed"} },
}

func loadPages() (*pages, error) {
	shared := []string{"templates/layout.html", "templates/partials.html"}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" || base == "partials.html" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFS, append(shared, n)...)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", base, err)
		}
		p.byName[strings.TrimSuffix(base, ".html")] = t
	}
	return p, nil
}

// view is what every page template receives.
type view struct {
	Title  string
	CSRF   string
	PollMS int64
	Flash  string
	Error  string
	Page   any
}

// render writes a page, or only its live block when the browser's poller
// asks for ?fragment=<id>. Rendering into a buffer first means a template
// failure becomes a clean error page, never half a page.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, name, title string, page any) {
	t := s.pages.byName[name]
	v := view{Title: title, PollMS: s.poll.Milliseconds(), Page: page}
	if sess, ok := sessionFrom(r.Context()); ok { // pages outside the login (the login form) have no CSRF token
		v.CSRF = s.sessions.csrfToken(sess)
	}
	block := "layout"
	if f := r.URL.Query().Get("fragment"); f != "" {
		if t.Lookup(f) == nil {
			http.Error(w, "unknown fragment", http.StatusNotFound)
			return
		}
		block = f
	} else if msg, isErr := s.takeFlash(w, r); isErr {
		v.Error = msg
	} else {
		v.Flash = msg
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, block, v); err != nil {
		s.log.Error("render page", "page", name, "err", err)
		http.Error(w, "internal error rendering the page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05") + " UTC"
}

func formatTimePtr(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return formatTime(*t)
}

func formatDuration(secs *float64) string {
	if secs == nil {
		return "—"
	}
	d := time.Duration(*secs * float64(time.Second))
	switch {
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return d.Round(time.Second).String()
}

// formatJSON indents v for a <pre>. It leaves <, > and & as they are:
// html/template escapes the text where it lands, and JSON's \u003c would
// show a conf or an asset event's extra as something nobody typed.
func formatJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return "{}"
	}
	return strings.TrimSuffix(b.String(), "\n")
}
