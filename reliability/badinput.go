package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"
)

// runBadInput starts `finpipe web` on a real PostgreSQL with a run and a
// backfill in it, sends every API operation requests it must refuse, and
// the UI's forms posts without their CSRF token, then checks that the
// database did not change; Schemathesis then explores the API with a valid
// token on the same server.
func runBadInput(ctx context.Context, e *suite) []row {
	r := row{scenario: "bad requests: REST API and UI forms", load: "finpipe web + PostgreSQL"}
	start := time.Now()
	dir := e.dir("badinput")
	w, err := startWebEnv(ctx, e, dir)
	if err != nil {
		r.fail("%v", err)
		return []row{r}
	}
	defer w.stop()
	ids, err := seedForBadInput(ctx, w)
	if err != nil {
		r.fail("seed: %v", err)
		return []row{r}
	}
	before, err := dbFingerprint(ctx, w.pg.url)
	if err != nil {
		r.fail("fingerprint: %v", err)
		return []row{r}
	}
	tried := 0
	for _, f := range []func(*webEnv, map[string]string, *row) int{badAPIRequests, badUIPosts, badSessionInput} {
		tried += f(w, ids, &r)
	}
	after, err := dbFingerprint(ctx, w.pg.url)
	if err != nil {
		r.fail("fingerprint: %v", err)
	} else if after != before {
		r.fail("the database changed: %s → %s", before, after)
	}
	r.inputs = fmt.Sprintf("%d requests: no/wrong token, 2 MiB bodies, malformed JSON, forms without CSRF, "+
		"hostile next= redirects, far-future logical dates, login guessing, reused logged-out cookies, 1 MiB forms", tried)
	r.took = time.Since(start)
	return []row{r, schemathesis(ctx, e, w, dir)}
}

// seedForBadInput creates or finds what the refused requests name, so that
// a 404 never stands in for the refusal under test: a run, a backfill and
// one of the shipped DAGs' assets.
func seedForBadInput(ctx context.Context, w *webEnv) (map[string]string, error) {
	asset, err := queryString(ctx, w.pg.url, `SELECT coalesce(min(name), '') FROM assets`)
	if err != nil {
		return nil, err
	}
	if asset == "" {
		return nil, fmt.Errorf("the scheduler synced no asset of the shipped DAGs")
	}
	var run struct {
		RunID string `json:"run_id"`
	}
	if _, err := w.api("POST", "/dags/example_etl/runs", map[string]any{}, &run); err != nil {
		return nil, err
	}
	var bf struct {
		ID int64 `json:"id"`
	}
	_, err = w.api("POST", "/backfills", map[string]any{"dag_id": "example_etl", "from_date": "2026-01-01", "to_date": "2026-01-02"}, &bf)
	if err != nil {
		return nil, err
	}
	return map[string]string{"dag_id": "example_etl", "run_id": run.RunID, "task_id": "extract", "try": "1",
		"backfill_id": fmt.Sprint(bf.ID), "asset_name": asset}, nil
}

// dbFingerprint summarises every table a request could change.
func dbFingerprint(ctx context.Context, dbURL string) (string, error) {
	return queryString(ctx, dbURL, `SELECT concat_ws(' ',
  (SELECT count(*) FROM dag_runs), (SELECT count(*) FROM task_instances), (SELECT count(*) FROM backfills),
  (SELECT md5(coalesce(string_agg(run_id || state || conf::text, ',' ORDER BY run_id), '')) FROM dag_runs),
  (SELECT md5(coalesce(string_agg(run_id || task_id || state || max_tries, ',' ORDER BY run_id, task_id), '')) FROM task_instances),
  (SELECT md5(coalesce(string_agg(id || state, ',' ORDER BY id), '')) FROM backfills),
  (SELECT md5(coalesce(string_agg(dag_id || is_paused, ',' ORDER BY dag_id), '')) FROM dags),
  (SELECT md5(coalesce(string_agg(name || slots, ',' ORDER BY name), '')) FROM pools))`)
}

// operation is one method and path of the OpenAPI document.
type operation struct {
	method, path string
	public, body bool
}

func openAPIOperations(w *webEnv) ([]operation, error) {
	resp, err := http.Get(w.base + "/api/v1/openapi.json")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var doc struct {
		Paths map[string]map[string]struct {
			Security    *[]any `json:"security"`
			RequestBody any    `json:"requestBody"`
		} `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	var ops []operation
	for p, methods := range doc.Paths {
		for m, op := range methods {
			public := op.Security != nil && len(*op.Security) == 0
			ops = append(ops, operation{method: strings.ToUpper(m), path: p, public: public, body: op.RequestBody != nil})
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].path+ops[i].method < ops[j].path+ops[j].method })
	return ops, nil
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

// badAPIRequests sends each operation without a token and with a wrong
// one (401), and each body-taking one a 2 MiB body (413) and malformed
// JSON (400), all of which must be refused before anything is written.
func badAPIRequests(w *webEnv, ids map[string]string, r *row) int {
	ops, err := openAPIOperations(w)
	if err != nil {
		r.fail("%v", err)
		return 0
	}
	big := `{"conf": {"pad": "` + strings.Repeat("x", 2<<20) + `"}}`
	tried := 0
	for _, op := range ops {
		u := w.base + "/api/v1" + pathParam.ReplaceAllStringFunc(op.path, func(m string) string {
			return url.PathEscape(ids[strings.Trim(m, "{}")])
		})
		type attempt struct {
			what, auth, body string
			want             int
		}
		var as []attempt
		if !op.public {
			as = append(as, attempt{"no token", "", `{}`, 401}, attempt{"wrong token", "Bearer " + randomToken(), `{}`, 401})
		}
		if op.body {
			as = append(as, attempt{"2 MiB body", "Bearer " + w.token, big, 413},
				attempt{"malformed JSON", "Bearer " + w.token, `{"conf": {"a": 1,,}`, 400})
		}
		for _, a := range as {
			tried++
			req, _ := http.NewRequest(op.method, u, strings.NewReader(a.body))
			req.Header.Set("Content-Type", "application/json")
			if a.auth != "" {
				req.Header.Set("Authorization", a.auth)
			}
			// Each request comes from its own client, as the proxy tells it,
			// so that the failed-login throttle (tested in badSessionInput)
			// does not turn these 401s into 429s.
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.100.%d", tried%250+1))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				r.fail("%s %s (%s): %v", op.method, op.path, a.what, err)
				continue
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != a.want {
				r.fail("%s %s (%s): %d, want %d", op.method, op.path, a.what, resp.StatusCode, a.want)
			}
		}
	}
	return tried
}

var loginNonce = regexp.MustCompile(`name="login_csrf" value="([^"]+)"`)

// uiLogin posts the login form with token and returns a client holding
// whatever session it got, and whether /dags then opens.
func uiLogin(w *webEnv, token string) (*http.Client, bool, error) {
	c, _, err := postLogin(w, token, "/dags", nil)
	if err != nil {
		return nil, false, err
	}
	resp, err := c.Get(w.base + "/dags")
	if err != nil {
		return nil, false, err
	}
	resp.Body.Close()
	return c, resp.StatusCode == 200, nil
}

// newBrowser is a client with a cookie jar that shows each redirect
// rather than following it.
func newBrowser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// badUIPosts logs in with a wrong token (no session), then with the right
// one, and posts every state-changing form without its CSRF token (403).
func badUIPosts(w *webEnv, ids map[string]string, r *row) int {
	tried := 1
	if _, in, err := uiLogin(w, randomToken()); err != nil || in {
		r.fail("UI login with a wrong token: session %v, error %v", in, err)
	}
	c, in, err := uiLogin(w, w.token)
	if err != nil || !in {
		r.fail("UI login with the right token failed: %v", err)
		return tried
	}
	run := url.PathEscape(ids["run_id"])
	forms := map[string]url.Values{
		"/trigger":                                               {"dag_id": {"example_etl"}},
		"/dags/example_etl/pause":                                {"paused": {"true"}},
		"/dags/example_etl/backfills":                            {"from_date": {"2026-02-01"}, "to_date": {"2026-02-03"}},
		"/backfills/" + ids["backfill_id"] + "/cancel":           {},
		"/dags/example_etl/runs/" + run + "/clear":               {},
		"/dags/example_etl/runs/" + run + "/mark":                {"state": {"failed"}},
		"/dags/example_etl/runs/" + run + "/tasks/extract/clear": {},
		"/dags/example_etl/runs/" + run + "/tasks/extract/mark":  {"state": {"failed"}},
	}
	for path, form := range forms {
		for _, csrf := range []string{"", "forged-" + randomToken()} {
			tried++
			f := url.Values{}
			for k, v := range form {
				f[k] = v
			}
			if csrf != "" {
				f.Set("csrf", csrf)
			}
			resp, err := c.PostForm(w.base+path, f)
			if err != nil {
				r.fail("POST %s: %v", path, err)
				continue
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				r.fail("POST %s with CSRF %q: %d, want 403", path, csrf, resp.StatusCode)
			}
		}
	}
	return tried
}
