package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// browserClient is an http.Client with a cookie jar that does not follow
// redirects, so tests see each 303 and its Location.
func browserClient(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var hiddenField = regexp.MustCompile(`name="(login_csrf|csrf)" value="([^"]+)"`)

// formToken fetches a page and returns the value of its first CSRF field.
func formToken(t *testing.T, c *http.Client, pageURL string) string {
	t.Helper()
	resp, err := c.Get(pageURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := hiddenField.FindSubmatch(b)
	if m == nil {
		t.Fatalf("no CSRF field on %s (%d)", pageURL, resp.StatusCode)
	}
	return string(m[2])
}

func post(t *testing.T, c *http.Client, u string, form url.Values) *http.Response {
	t.Helper()
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func uiLogin(t *testing.T, c *http.Client, base, next string) *http.Response {
	t.Helper()
	nonce := formToken(t, c, base+"/login")
	return post(t, c, base+"/login", url.Values{"login_csrf": {nonce}, "token": {testToken}, "next": {next}})
}

func TestUIRedirectsToLoginAndSetsASafeCookie(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	c := browserClient(t)
	resp, err := c.Get(h.srv.URL + "/dags/flaky")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Fdags%2Fflaky" {
		t.Fatalf("anonymous page: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := post(t, c, h.srv.URL+"/trigger", url.Values{"dag_id": {"flaky"}}); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous post: %d", resp.StatusCode)
	}
	if resp := post(t, c, h.srv.URL+"/login", url.Values{"token": {testToken}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("login without its CSRF field: %d", resp.StatusCode)
	}

	resp = uiLogin(t, c, h.srv.URL, "/dags/flaky")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/dags/flaky" {
		t.Fatalf("login: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	var session *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "finpipe_session" {
			session = ck
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || strings.Contains(session.Value, testToken) {
		t.Fatalf("session cookie: %+v", session)
	}
	resp, err = c.Get(h.srv.URL + "/dags")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Fatalf("logged-in page: %d, CSP %q", resp.StatusCode, resp.Header.Get("Content-Security-Policy"))
	}
}

// hostileNext are "next" values that reach another host when a prefix
// check lets them through (issue 15): http.Redirect cleans "/x/../\\e"
// to "/\\e", and browsers drop tabs and newlines and read "\\" as "/".
var hostileNext = []string{"//evil.example/x", "https://evil.example/", `/\evil.example`, "javascript:alert(1)",
	`/x/../\evil.example`, "/\t/evil.example", "/\n/evil.example", "\t//evil.example", `/x/..//\evil.example`}

// offSite reports whether a browser leaves this host for Location loc.
func offSite(loc string) bool {
	loc = strings.NewReplacer("\t", "", "\n", "", "\r", "", `\`, "/").Replace(strings.TrimSpace(loc))
	u, err := url.Parse(loc)
	return err != nil || u.Host != "" || u.Scheme != "" || !strings.HasPrefix(loc, "/")
}

// POST /login, GET /login when already logged in, and every form's next.
func TestUILoginNeverRedirectsOffSite(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	for _, next := range hostileNext {
		c := browserClient(t)
		resp := uiLogin(t, c, h.srv.URL, next)
		if loc := resp.Header.Get("Location"); offSite(loc) || loc != "/" && loc != "/evil.example" {
			t.Errorf("POST /login next=%q redirected to %q", next, loc)
		}
		resp, err := c.Get(h.srv.URL + "/login?next=" + url.QueryEscape(next))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || offSite(loc) {
			t.Errorf("GET /login?next=%q (logged in): %d → %q", next, resp.StatusCode, loc)
		}
		csrf := formToken(t, c, h.srv.URL+"/dags")
		resp = post(t, c, h.srv.URL+"/dags/idle/pause", url.Values{"csrf": {csrf}, "paused": {"false"}, "next": {next}})
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || offSite(loc) {
			t.Errorf("form next=%q: %d → %q", next, resp.StatusCode, loc)
		}
	}
	// A failed login sends the browser back to the form, next included.
	c := browserClient(t)
	nonce := formToken(t, c, h.srv.URL+"/login")
	resp := post(t, c, h.srv.URL+"/login", url.Values{"login_csrf": {nonce}, "token": {"wrong"}, "next": {`/x/../\evil.example`}})
	if loc := resp.Header.Get("Location"); offSite(loc) || !strings.HasPrefix(loc, "/login?next=") {
		t.Errorf("failed login: → %q", loc)
	}
}

// Every state-changing form needs the session's CSRF token.
func TestUIFormsNeedTheCSRFToken(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	c := browserClient(t)
	uiLogin(t, c, h.srv.URL, "/dags")
	for _, path := range []string{"/trigger", "/dags/idle/pause", "/dags/idle/backfills", "/logout"} {
		if resp := post(t, c, h.srv.URL+path, url.Values{"dag_id": {"idle"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s without CSRF: %d", path, resp.StatusCode)
		}
		if resp := post(t, c, h.srv.URL+path, url.Values{"dag_id": {"idle"}, "csrf": {"forged"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s with a forged CSRF token: %d", path, resp.StatusCode)
		}
	}
	csrf := formToken(t, c, h.srv.URL+"/dags")
	resp := post(t, c, h.srv.URL+"/trigger", url.Values{"dag_id": {"idle"}, "csrf": {csrf}, "conf": {`{"a": 1}`}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/dags/idle/runs/") {
		t.Fatalf("trigger with CSRF: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// A bad conf is reported on the page, not as a server error.
	resp = post(t, c, h.srv.URL+"/trigger", url.Values{"dag_id": {"idle"}, "csrf": {csrf}, "conf": {`[1, 2]`}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/dags" {
		t.Fatalf("trigger with bad conf: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	// The session also opens the API to the UI's own scripts: reads freely,
	// writes only with the X-CSRF-Token header.
	resp, err := c.Get(h.srv.URL + "/api/v1/dags")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("API GET with session: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("PATCH", h.srv.URL+"/api/v1/dags/idle", strings.NewReader(`{"is_paused": true}`))
	if resp, err = c.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("API PATCH with session, no CSRF header: %d", resp.StatusCode)
	}
	req, _ = http.NewRequest("PATCH", h.srv.URL+"/api/v1/dags/idle", strings.NewReader(`{"is_paused": true}`))
	req.Header.Set("X-CSRF-Token", csrf)
	if resp, err = c.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("API PATCH with session and CSRF header: %d", resp.StatusCode)
	}
}

// Unknown ids and bad parameters on pages are 404/400 pages, not 500s.
func TestUIPagesAnswerBadIdsWithoutServerErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	c := browserClient(t)
	uiLogin(t, c, h.srv.URL, "/dags")
	for path, want := range map[string]int{
		"/dags/nope":                         404,
		"/dags/idle/runs/nope":               404,
		"/dags/idle/runs/nope/tasks/x":       404,
		"/dags/idle?before=bm90LWEtY3Vyc29y": 400,
		"/lake?day=tomorrow":                 400,
		"/dags/idle/runs?state=done":         400,
		"/dags/nope/runs":                    404,
		"/dags?fragment=nope":                404,
	} {
		resp, err := c.Get(h.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
}
