package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// browserTarget is where a browser goes for a Location header sent in
// answer to a request for http://finpipe.test/login, by the WHATWG URL
// rules that matter here. It is written apart from safeNext on purpose: it
// is the oracle the tests hold safeNext to.
func browserTarget(t testing.TB, location string) *url.URL {
	var b strings.Builder
	for i := 0; i < len(location); i++ {
		switch c := location[i]; c {
		case '\t', '\n', '\r':
		case '\\':
			b.WriteByte('/')
		default:
			b.WriteByte(c)
		}
	}
	ref, err := url.Parse(strings.Trim(b.String(), "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "))
	if err != nil {
		t.Fatalf("a browser could not parse Location %q: %v", location, err)
	}
	base, _ := url.Parse("http://finpipe.test/login")
	return base.ResolveReference(ref)
}

// location is the Location header http.Redirect sends for target.
func location(target string) string {
	w := httptest.NewRecorder()
	http.Redirect(w, httptest.NewRequest("GET", "http://finpipe.test/login", nil), target, http.StatusSeeOther)
	return w.Header().Get("Location")
}

// checkSafe holds safeNext's answer for next to the contract: a path on
// this origin that http.Redirect sends unchanged.
func checkSafe(t testing.TB, next string) string {
	got := safeNext(next)
	loc := location(got)
	if loc != got {
		t.Fatalf("safeNext(%q) = %q, but http.Redirect sends %q", next, got, loc)
	}
	if u := browserTarget(t, loc); u.Scheme != "http" || u.Host != "finpipe.test" || u.User != nil {
		t.Fatalf("safeNext(%q) = %q: a browser goes to %s", next, got, u)
	}
	return got
}

func TestSafeNextKeepsRedirectsOnThisSite(t *testing.T) {
	t.Parallel()
	for next, want := range map[string]string{
		// hostile: each of these reaches another host if passed through
		`/x/../\evil.example`:         "/evil.example",
		"/\t/evil.example":            "/",
		"/\n/evil.example":            "/",
		"/\r\n/evil.example/x":        "/",
		"\t//evil.example":            "/",
		" //evil.example":             "/",
		"\x00//evil.example":          "/",
		"//evil.example":              "/",
		`/\evil.example`:              "/",
		`\\evil.example`:              "/",
		`\/evil.example`:              "/",
		"/x/..//evil.example":         "/evil.example",
		"/././/evil.example":          "/evil.example",
		"https://evil.example/":       "/",
		"http:evil.example":           "/",
		"javascript:alert(1)":         "/",
		"java\tscript:alert(1)":       "/",
		"/x/../../../\\/evil.example": "/evil.example",
		"/%2e%2e//evil.example":       "/%2e%2e/evil.example",
		"":                            "/",
		"dags":                        "/",
		"/\x7f/evil.example":          "/",
		"/dags\x00":                   "/dags",
		// ordinary pages keep their path and query
		"/dags/flaky":                                          "/dags/flaky",
		"/dags/flaky/runs?state=failed&limit=5":                "/dags/flaky/runs?state=failed&limit=5",
		"/dags/flaky/runs/manual__2026-01-01T00:00:00%2B00:00": "/dags/flaky/runs/manual__2026-01-01T00:00:00%2B00:00",
		"/lake/":              "/lake/",
		"/login?next=%2Fdags": "/login?next=%2Fdags",
	} {
		if got := checkSafe(t, next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}

func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{`/x/../\evil.example`, "/\t/evil.example", "//e", `/\e`, "/a/b?c=d", " /\x01/e", "/%2e%2e//e", "/x/./..//e/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) { checkSafe(t, next) })
}
