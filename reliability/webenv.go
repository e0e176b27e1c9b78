package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"time"

	"github.com/finpipe/finpipe/scheduler/pgstore"
)

// webEnv is a migrated PostgreSQL with the shipped DAGs synced and
// `finpipe web` serving it: what the bad-input and page-latency rows talk to.
type webEnv struct {
	pg    *postgres
	web   *proc
	base  string // http://127.0.0.1:port
	token string
	env   []string
}

// startWebEnv migrates, runs `finpipe scheduler` until the DAGs are
// synced (then stops it, so nothing changes behind the tests' back unless
// keepScheduler) and starts `finpipe web`.
func startWebEnv(ctx context.Context, e *suite, dir string) (*webEnv, error) {
	pg, err := startPostgres(ctx, filepath.Join(dir, "pg"))
	if err != nil {
		return nil, err
	}
	w := &webEnv{pg: pg, token: randomToken()}
	port, err := freePort()
	if err != nil {
		pg.stop()
		return nil, err
	}
	w.base = "http://127.0.0.1:" + strconv.Itoa(port)
	w.env = []string{"DATABASE_URL=" + pg.url, "FINPIPE_API_TOKEN=" + w.token, "FINPIPE_DATA_DIR=" + filepath.Join(dir, "data"),
		"FINPIPE_HTTP_ADDR=127.0.0.1:" + strconv.Itoa(port), "FINPIPE_LOG_FORMAT=json",
		// The rows play a TLS-terminating proxy on loopback, so that each
		// simulated client (X-Forwarded-For) has its own failed-login budget.
		"FINPIPE_TRUSTED_PROXIES=127.0.0.1,::1"}
	if err := newProc("migrate", e.bin, dir, w.env, "migrate", "up").run(ctx); err != nil {
		w.stop()
		return nil, err
	}
	sch := newProc("scheduler", e.bin, dir, w.env, "scheduler")
	if err := sch.start(); err != nil {
		w.stop()
		return nil, err
	}
	err = waitFor(ctx, 60*time.Second, func() (bool, error) {
		n, err := queryInt(ctx, pg.url, `SELECT count(*) FROM dags WHERE dag_id = 'example_etl'`)
		return n == 1, err
	})
	sch.stop()
	if err != nil {
		w.stop()
		return nil, fmt.Errorf("DAGs not synced by finpipe scheduler: %w (log %s)", err, sch.log)
	}
	w.web = newProc("web", e.bin, dir, w.env, "web")
	if err := w.web.start(); err != nil {
		w.stop()
		return nil, err
	}
	err = waitFor(ctx, 60*time.Second, func() (bool, error) {
		resp, err := http.Get(w.base + "/api/v1/health")
		if err != nil {
			return false, nil
		}
		resp.Body.Close()
		return resp.StatusCode == 200, nil
	})
	if err != nil {
		w.stop()
		return nil, fmt.Errorf("finpipe web did not answer: %w (log %s)", err, w.web.log)
	}
	return w, nil
}

func (w *webEnv) stop() {
	if w.web != nil {
		w.web.stop()
	}
	w.pg.stop()
}

// api sends a JSON request with the valid token and decodes a 2xx answer.
func (w *webEnv) api(method, path string, body any, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, w.base+"/api/v1"+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+w.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		return resp.StatusCode, json.Unmarshal(b, out)
	}
	return resp.StatusCode, nil
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// waitFor polls cond every 200 ms until it holds, fails, or timeout passes.
func waitFor(ctx context.Context, timeout time.Duration, cond func() (bool, error)) error {
	deadline := time.Now().Add(timeout)
	for {
		ok, err := cond()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not within %s", timeout)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		sleep(ctx, 200*time.Millisecond)
	}
}

// queryInt runs a one-number query on a short-lived connection (the suite
// must not hold connections across database restarts).
func queryInt(ctx context.Context, url, sql string, args ...any) (int64, error) {
	var n int64
	err := pgstore.QueryRow(ctx, url, sql, args, &n)
	return n, err
}

// queryString is queryInt for a text result.
func queryString(ctx context.Context, url, sql string, args ...any) (string, error) {
	var s string
	err := pgstore.QueryRow(ctx, url, sql, args, &s)
	return s, err
}
