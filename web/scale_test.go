package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/finpipe/finpipe/scheduler"
	"github.com/finpipe/finpipe/scheduler/pgstore"
)

// seedRuns bulk-inserts n finished runs of the flaky DAG with their task
// instances, straight into the tables: going through TriggerRun would take
// minutes, and only the read side is under test here.
func seedRuns(t *testing.T, h *harness, n int) {
	t.Helper()
	ctx := context.Background()
	start := time.Now()
	_, err := pgstore.Exec(ctx, h.dbURL, `
INSERT INTO dag_runs (run_id, dag_id, logical_date, data_interval_start, data_interval_end, run_type, state, start_date, end_date)
SELECT 'flaky__scheduled__' || i, 'flaky', d, d, d + interval '1 day', 'scheduled',
       CASE WHEN i % 10 = 0 THEN 'failed' ELSE 'success' END, d, d + interval '1 minute'
FROM generate_series(1, $1::int) AS i, LATERAL (SELECT timestamptz '2000-01-01' + i * interval '1 hour' AS d) AS x`, n)
	if err != nil {
		t.Fatal(err)
	}
	_, err = pgstore.Exec(ctx, h.dbURL, `
INSERT INTO task_instances (run_id, task_id, dag_id, ordinal, state, try_number, start_date, end_date)
SELECT r.run_id, t.task_id, 'flaky', t.ordinal, CASE WHEN r.state = 'failed' AND t.task_id = 'load' THEN 'failed' ELSE 'success' END,
       CASE WHEN t.task_id = 'extract' THEN 2 ELSE 1 END, r.start_date, r.end_date
FROM dag_runs r CROSS JOIN (VALUES ('extract', 0), ('load', 1)) AS t(task_id, ordinal) WHERE r.dag_id = 'flaky'`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pgstore.Exec(ctx, h.dbURL, `ANALYZE dag_runs; ANALYZE task_instances`); err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded %d runs and %d task instances in %v", n, 2*n, time.Since(start).Round(time.Millisecond))
}

// timeGet fetches a URL a few times and returns the slowest, after one
// warm-up request (connection pool, plan cache).
func timeGet(t *testing.T, c *http.Client, u string, auth bool) time.Duration {
	t.Helper()
	var worst time.Duration
	for i := range 4 {
		req, _ := http.NewRequest("GET", u, nil)
		if auth {
			req.Header.Set("Authorization", "Bearer "+testToken)
		}
		start := time.Now()
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		d := time.Since(start)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", u, resp.StatusCode)
		}
		if i > 0 && d > worst {
			worst = d
		}
	}
	return worst
}

// Pages and API lists stay fast with 100,000 runs in the database: every
// query reads one page through an index, never the whole table.
func TestPagesStayFastWith100kRuns(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("seeds 100,000 runs")
	}
	h := newHarness(t, false)
	seedRuns(t, h, 100_000)
	c := browserClient(t)
	uiLogin(t, c, h.srv.URL, "/dags")

	var page scheduler.RunPage
	h.json("GET", "/api/v1/dags/flaky/runs?limit=500", "", 200, &page)
	for range 20 { // walk 20 pages deep: cursor paging does not slow down
		h.json("GET", "/api/v1/dags/flaky/runs?limit=500&cursor="+url.QueryEscape(page.NextCursor), "", 200, &page)
	}
	deep := h.srv.URL + "/api/v1/dags/flaky/runs?limit=50&cursor=" + url.QueryEscape(page.NextCursor)

	const budget = time.Second // generous for a shared 2-core CI machine
	for _, c2 := range []struct {
		name, url string
		auth      bool
	}{
		{"API runs, first page", h.srv.URL + "/api/v1/dags/flaky/runs?limit=50", true},
		{"API runs, page 21 by cursor", deep, true},
		{"API runs, failed only", h.srv.URL + "/api/v1/dags/flaky/runs?state=failed&limit=50", true},
		{"API runs, date range", h.srv.URL + "/api/v1/dags/flaky/runs?from=2005-01-01&to=2005-02-01&limit=50", true},
		{"API DAG list", h.srv.URL + "/api/v1/dags", true},
		{"UI DAGs page", h.srv.URL + "/dags", false},
		{"UI DAG page with grid", h.srv.URL + "/dags/flaky", false},
		{"UI grid fragment", h.srv.URL + "/dags/flaky?fragment=gridLive", false},
		{"UI runs page, failed only", h.srv.URL + "/dags/flaky/runs?state=failed", false},
	} {
		d := timeGet(t, c, c2.url, c2.auth)
		t.Logf("%-30s %v", c2.name, d.Round(100*time.Microsecond))
		if d > budget {
			t.Errorf("%s took %v with 100,000 runs (budget %v)", c2.name, d, budget)
		}
	}
}
