package web_test

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/finpipe/finpipe/web"
)

// Every status the API answers is one its OpenAPI document lists for that
// operation (issue 13): each operation is called with its path filled with
// real and unknown ids, without and with a wrong token, with a session but
// no CSRF header, and with no, malformed, empty and oversized bodies.
func TestOpenAPIListsEveryStatusTheAPIAnswers(t *testing.T) {
	t.Parallel()
	// Many wrong tokens follow: a budget large enough that they stay 401s.
	h := newHarnessWith(t, assetRegistry(t, testDAGs()...), false, func(o *web.Options) { o.LoginThrottle.Burst = 10000 })
	var run struct {
		RunID string `json:"run_id"`
	}
	h.json("POST", "/api/v1/dags/idle/runs", `{"logical_date": "2024-01-01"}`, 201, &run)
	var bf struct {
		ID int64 `json:"id"`
	}
	h.json("POST", "/api/v1/backfills", `{"dag_id": "idle", "from_date": "2023-01-01", "to_date": "2023-01-02"}`, 201, &bf)

	var doc struct {
		Paths map[string]map[string]struct {
			Responses map[string]any `json:"responses"`
		} `json:"paths"`
	}
	h.json("GET", "/api/v1/openapi.json", "", 200, &doc)
	real := strings.NewReplacer("{dag_id}", "idle", "{run_id}", run.RunID, "{task_id}", "noop", "{try}", "1",
		"{backfill_id}", fmt.Sprint(bf.ID), "{asset_name}", assetPath(tableAsset))
	unknown := strings.NewReplacer("{dag_id}", "nope", "{run_id}", "nope", "{task_id}", "nope", "{try}", "x", "{backfill_id}", "99999",
		"{asset_name}", "nope")
	c := browserClient(t)
	uiLogin(t, c, h.srv.URL, "/dags")
	bodies := []string{"", "{}", `{"x":`, "[1]", `{"state": "nope", "is_paused": "yes"}`, `{"conf": {"x": "` + strings.Repeat("a", 1<<20) + `"}}`,
		`{"dag_id": "idle", "from_date": "2023-01-01", "to_date": "2023-01-02"}`}

	seen := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			method = strings.ToUpper(method)
			check := func(how string, status int) {
				seen[fmt.Sprint(status)] = true
				if _, ok := op.Responses[fmt.Sprint(status)]; !ok {
					t.Errorf("%s %s (%s) answered %d, which openapi.json does not list (lists %v)", method, path, how, status, keys(op.Responses))
				}
			}
			for _, p := range []string{real.Replace(path), unknown.Replace(path)} {
				for _, b := range bodies {
					status, _ := h.call(method, "/api/v1"+p, b, true)
					check(fmt.Sprintf("%s, body of %d bytes", p, len(b)), status)
				}
				for _, tok := range []string{"", "Bearer wrong-wrong-wrong"} {
					req, _ := http.NewRequest(method, h.srv.URL+"/api/v1"+p, nil)
					if tok != "" {
						req.Header.Set("Authorization", tok)
					}
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					resp.Body.Close()
					check(p+" with token "+fmt.Sprintf("%q", tok), resp.StatusCode)
				}
				req, _ := http.NewRequest(method, h.srv.URL+"/api/v1"+p, strings.NewReader("{}"))
				resp, err := c.Do(req) // a session cookie, no X-CSRF-Token
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				check(p+" with a session and no CSRF header", resp.StatusCode)
			}
		}
	}
	for _, want := range []string{"200", "400", "401", "403", "404", "413"} {
		if !seen[want] {
			t.Errorf("no call answered %s: the test misses a case", want)
		}
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
