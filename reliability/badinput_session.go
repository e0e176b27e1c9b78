package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// badSessionInput tries what issue 15 found in the web layer: login
// redirects to another host, far-future logical dates, guessing the token,
// a cookie reused after logout, forms over 1 MiB, and the Secure flag
// behind the (trusted) proxy; plus a dry run beside the seeded active
// backfill, which must plan (200) and create nothing.
func badSessionInput(w *webEnv, ids map[string]string, r *row) int {
	tried := 0
	check := func(what string, ok bool, format string, args ...any) {
		tried++
		if !ok {
			r.fail("%s: "+format, append([]any{what}, args...)...)
		}
	}
	for _, next := range []string{`/x/../\evil.example`, "/\t/evil.example", "//evil.example", `/\evil.example`, "https://evil.example/", "\n//evil.example"} {
		c, resp, err := postLogin(w, w.token, next, nil)
		if err != nil {
			check("login next="+strconv.Quote(next), false, "%v", err)
			continue
		}
		loc := resp.Header.Get("Location")
		check("login next="+strconv.Quote(next), resp.StatusCode == http.StatusSeeOther && sameSite(loc), "%d → %q", resp.StatusCode, loc)
		resp, err = c.Get(w.base + "/login?next=" + url.QueryEscape(next))
		if err == nil {
			resp.Body.Close()
			loc = resp.Header.Get("Location")
		}
		check("GET /login?next="+strconv.Quote(next), err == nil && sameSite(loc), "%v → %q", err, loc)
	}
	for _, body := range []map[string]any{{"logical_date": "9999-12-31T23:59:59Z"}, {"logical_date": "0000-01-01T00:00:00Z"}} {
		status, _ := w.api("POST", "/dags/example_etl/runs", body, nil)
		check(fmt.Sprintf("trigger at %v", body["logical_date"]), status == 400, "%d, want 400", status)
	}
	status, _ := w.api("POST", "/backfills", map[string]any{"dag_id": "example_etl", "from_date": "2026-01-01", "to_date": "9999-12-31"}, nil)
	check("backfill to 9999-12-31", status == 400, "%d, want 400", status)
	status, err := w.api("POST", "/backfills/dry_run", map[string]any{"dag_id": "example_etl", "from_date": "2026-01-01", "to_date": "2026-01-02"}, nil)
	check("dry run beside an active backfill", status == 200, "%d (%v), want 200", status, err)

	guesser := http.Header{"X-Forwarded-For": {"203.0.113.77"}}
	for i := 1; i <= 6; i++ {
		_, resp, err := postLogin(w, randomToken(), "/dags", guesser)
		want := http.StatusSeeOther
		if i == 6 {
			want = http.StatusTooManyRequests
		}
		ok := err == nil && resp.StatusCode == want && (want != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "")
		check(fmt.Sprintf("wrong token #%d from one client", i), ok, "%v %v, want %d", err, statusOf(resp), want)
	}
	_, resp, err := postLogin(w, w.token, "/dags", guesser)
	check("right token from the throttled client", err == nil && resp.StatusCode == http.StatusTooManyRequests, "%v %v, want 429", err, statusOf(resp))

	c, resp, err := postLogin(w, w.token, "/dags", http.Header{"X-Forwarded-Proto": {"https"}})
	if err != nil {
		check("login behind the proxy", false, "%v", err)
		return tried
	}
	var session *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "finpipe_session" {
			session = ck
		}
	}
	check("session cookie behind a TLS proxy", session != nil && session.Secure, "%+v, want Secure", session)
	if session == nil {
		return tried
	}
	csrf, err := pageCSRF(c, w.base+"/dags")
	if err != nil {
		check("CSRF field on /dags", false, "%v", err)
		return tried
	}
	big := url.Values{"csrf": {csrf}, "dag_id": {"example_etl"}, "conf": {strings.Repeat("x", 1<<20)}}
	resp, err = c.PostForm(w.base+"/trigger", big)
	if err == nil {
		resp.Body.Close()
	}
	check("UI form over 1 MiB", err == nil && resp.StatusCode == http.StatusRequestEntityTooLarge, "%v %v, want 413", err, statusOf(resp))
	resp, err = c.PostForm(w.base+"/logout", url.Values{"csrf": {csrf}})
	if err == nil {
		resp.Body.Close()
	}
	check("logout", err == nil && resp.StatusCode == http.StatusSeeOther, "%v %v", err, statusOf(resp))
	req, _ := http.NewRequest("GET", w.base+"/api/v1/dags", nil)
	req.AddCookie(&http.Cookie{Name: session.Name, Value: session.Value})
	resp, err = http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	check("logged-out cookie reused", err == nil && resp.StatusCode == http.StatusUnauthorized, "%v %v, want 401", err, statusOf(resp))
	return tried
}

// postLogin posts the login form from a fresh client, with extra headers
// on both requests (as a proxy would add them).
func postLogin(w *webEnv, token, next string, hdr http.Header) (*http.Client, *http.Response, error) {
	c := newBrowser()
	get, _ := http.NewRequest("GET", w.base+"/login", nil)
	for k, v := range hdr {
		get.Header[k] = v
	}
	resp, err := c.Do(get)
	if err != nil {
		return c, nil, err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := loginNonce.FindSubmatch(b)
	if m == nil {
		return c, nil, fmt.Errorf("no login_csrf field on /login")
	}
	post, _ := http.NewRequest("POST", w.base+"/login", strings.NewReader(url.Values{"login_csrf": {string(m[1])}, "token": {token}, "next": {next}}.Encode()))
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range hdr {
		post.Header[k] = v
	}
	resp, err = c.Do(post)
	if err != nil {
		return c, nil, err
	}
	resp.Body.Close()
	return c, resp, nil
}

// sameSite reports whether a browser stays on this host for Location loc
// (it drops tabs and newlines and reads "\" as "/").
func sameSite(loc string) bool {
	loc = strings.NewReplacer("\t", "", "\n", "", "\r", "", `\`, "/").Replace(strings.TrimSpace(loc))
	u, err := url.Parse(loc)
	return err == nil && u.Host == "" && u.Scheme == "" && strings.HasPrefix(loc, "/") && !strings.HasPrefix(loc, "//")
}

func statusOf(resp *http.Response) any {
	if resp == nil {
		return "no response"
	}
	return resp.StatusCode
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// pageCSRF is the CSRF token of the first form on a page.
func pageCSRF(c *http.Client, u string) (string, error) {
	resp, err := c.Get(u)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := csrfField.FindSubmatch(b)
	if m == nil {
		return "", fmt.Errorf("no csrf field on %s (%d)", u, resp.StatusCode)
	}
	return string(m[1]), nil
}
