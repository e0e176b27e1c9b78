package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"time"

	"github.com/finpipe/finpipe/scheduler/pgstore"
)

// loadWebPages seeds RELIABILITY_LOAD_RUNS finished example_etl runs (with
// their task instances) and times the pages a person opens first: the DAG
// page with its grid, and the API's first page of runs. The bound
// is 200 ms for the DAG page.
func loadWebPages(ctx context.Context, e *suite) row {
	r := row{scenario: "load: web DAG page"}
	w, err := startWebEnv(ctx, e, e.dir("load-web"))
	if err != nil {
		r.fail("%v", err)
		return r
	}
	defer w.stop()
	if err := seedRuns(ctx, w.pg.url, e.s.loadRuns); err != nil {
		r.fail("seed: %v", err)
		return r
	}
	c, in, err := uiLogin(w, w.token)
	if err != nil || !in {
		r.fail("UI login: %v", err)
		return r
	}
	const n = 50
	page, err := timeRequests(c, w.base+"/dags/example_etl", "", n)
	if err != nil {
		r.fail("%v", err)
		return r
	}
	api, err := timeRequests(http.DefaultClient, w.base+"/api/v1/dags/example_etl/runs?limit=50", w.token, n)
	if err != nil {
		r.fail("%v", err)
		return r
	}
	r.load = fmt.Sprintf("%d runs × 5 tasks; DAG page (grid) p50 %s p99 %s; API runs page p50 %s p99 %s (%d requests each)",
		e.s.loadRuns, ms(page[n/2]), ms(page[n*99/100]), ms(api[n/2]), ms(api[n*99/100]), n)
	if page[n*99/100] > e.s.pageBudget {
		r.fail("DAG page p99 %s is over %s", ms(page[n*99/100]), e.s.pageBudget)
	}
	return r
}

// seedRuns bulk-inserts finished runs of example_etl with their five task
// instances straight into the tables (triggering 100,000 runs through the
// engine would take far longer; only reads are under test), then ANALYZEs.
func seedRuns(ctx context.Context, dbURL string, n int) error {
	_, err := pgstore.Exec(ctx, dbURL, `
INSERT INTO dag_runs (run_id, dag_id, logical_date, data_interval_start, data_interval_end, run_type, state, start_date, end_date)
SELECT 'example_etl__seeded__' || i, 'example_etl', d, d, d + interval '1 minute', 'scheduled',
       CASE WHEN i % 20 = 0 THEN 'failed' ELSE 'success' END, d, d + interval '2 seconds'
FROM generate_series(1, $1::int) AS i, LATERAL (SELECT timestamptz '2020-01-01' + i * interval '1 minute' AS d) AS x`, n)
	if err != nil {
		return err
	}
	_, err = pgstore.Exec(ctx, dbURL, `
INSERT INTO task_instances (run_id, task_id, dag_id, ordinal, state, try_number, start_date, end_date)
SELECT r.run_id, t.task_id, 'example_etl', t.ordinal,
       CASE WHEN r.state = 'failed' AND t.task_id = 'load' THEN 'failed' ELSE 'success' END,
       CASE WHEN t.task_id = 'enrich' THEN 2 ELSE 1 END, r.start_date, r.end_date
FROM dag_runs r CROSS JOIN (VALUES ('extract', 0), ('validate', 1), ('enrich', 2), ('load', 3), ('report', 4)) AS t(task_id, ordinal)
WHERE r.run_id LIKE 'example_etl__seeded__%'`)
	if err != nil {
		return err
	}
	_, err = pgstore.Exec(ctx, dbURL, `ANALYZE dag_runs; ANALYZE task_instances`)
	return err
}

// timeRequests GETs u n times after one warm-up and returns the sorted
// durations; any status but 200 is an error.
func timeRequests(c *http.Client, u, token string, n int) ([]time.Duration, error) {
	var ds []time.Duration
	for i := 0; i <= n; i++ {
		req, _ := http.NewRequest("GET", u, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		start := time.Now()
		resp, err := c.Do(req)
		if err != nil {
			return nil, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return nil, fmt.Errorf("GET %s: %d", u, resp.StatusCode)
		}
		if i > 0 {
			ds = append(ds, time.Since(start))
		}
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds, nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
