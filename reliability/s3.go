package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/internal/testenv"
)

// s3Proxy injects the PUT faults of the S3 row: while on, each commit PUT
// (a log entry) answers 503 with probability p503, or stalls past the
// lake's request_timeout with probability pStall (half of those after the
// server stored it, so only the answer is lost).
type s3Proxy struct {
	on           atomic.Bool
	mu           sync.Mutex
	rng          *rand.Rand
	n503, nStall atomic.Int64
	p503, pStall float64
	stallFor     time.Duration
}

func (p *s3Proxy) serve(w http.ResponseWriter, r *http.Request, upstream http.Handler) {
	if !p.on.Load() || r.Method != http.MethodPut || !strings.Contains(r.URL.Path, "/_delta_log/0") {
		upstream.ServeHTTP(w, r)
		return
	}
	p.mu.Lock()
	x, storeFirst := p.rng.Float64(), p.rng.IntN(2) == 0
	p.mu.Unlock()
	switch {
	case x < p.p503:
		p.n503.Add(1)
		testenv.ServiceUnavailable(w)
	case x < p.p503+p.pStall:
		p.nStall.Add(1)
		if storeFirst {
			upstream.ServeHTTP(httptest.NewRecorder(), r)
		}
		select {
		case <-r.Context().Done():
		case <-time.After(p.stallFor):
		}
		if c, _, err := w.(http.Hijacker).Hijack(); err == nil {
			c.Close()
		}
	default:
		upstream.ServeHTTP(w, r)
	}
}

// runS3Faults is the lake on S3 under faults: the pipeline keeps its lake
// in a versitygw S3 server (objects on disk, so it can be killed and come
// back) behind a fault proxy; meanwhile PUTs of commits answer 503 or stall,
// and the server is SIGKILLed and restarted, twice. Then the lake checks of
// the pipeline row. A second row: a wrong bucket and wrong credentials must
// fail `finpipe lake check` fast, saying so.
func runS3Faults(ctx context.Context, e *suite) []row {
	r := row{scenario: "lake on S3: server SIGKILLed mid-commits, PUTs answered 503 or stalled"}
	dir := e.dir("s3")
	v, err := testenv.StartVersity(filepath.Join(dir, "s3"))
	if err != nil {
		r.fail("versitygw: %v", err)
		return []row{r}
	}
	defer v.Kill()
	// The suite's own reads of the lake (drain, checks) sign with the
	// server's key too: gocloud takes credentials only from the
	// environment, and this process runs one scenario at a time.
	creds := []string{"AWS_ACCESS_KEY_ID=" + v.KeyID, "AWS_SECRET_ACCESS_KEY=" + v.Secret, "AWS_EC2_METADATA_DISABLED=true"}
	for _, kv := range creds {
		k, val, _ := strings.Cut(kv, "=")
		os.Setenv(k, val)
	}
	bucket, err := v.Bucket(ctx)
	if err != nil {
		r.fail("%v", err)
		return []row{r}
	}
	px := &s3Proxy{rng: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 3)), p503: 0.2, pStall: 0.05, stallFor: 6 * time.Second}
	proxied, stopProxy, err := testenv.S3FaultProxy(bucket, px.serve)
	if err != nil {
		r.fail("%v", err)
		return []row{r}
	}
	defer stopProxy()
	lakeURL := delta.JoinLocation(proxied, "lake")
	if u, err := url.Parse(lakeURL); err == nil {
		q := u.Query()
		q.Set("request_timeout", "3s") // a stalled PUT fails and is retried, not awaited for 2 min
		u.RawQuery = q.Encode()
		lakeURL = u.String()
	}

	pp, err := startPipeline(ctx, e, dir, 1, 2, append(creds, "FINPIPE_LAKE_URL="+lakeURL)...)
	if err != nil {
		r.fail("%v", err)
		return []row{r}
	}
	defer pp.close()
	b := pp.b
	opts := producedSet(e, 43)
	opts.Count = e.s.transactions / 2
	prod := producer(e, dir, b.addr, opts, e.s.produceRate)
	prodDone := make(chan error, 1)
	go func() { prodDone <- prod.run(ctx) }()

	var faults []string
	if waitProgress(ctx, lakeURL, 90*time.Second) != nil {
		faults = append(faults, "(pipeline idle before the faults)")
	}
	px.on.Store(true)
	sleep(ctx, 20*time.Second)
	px.on.Store(false)
	faults = append(faults, fmt.Sprintf("20 s of commit PUTs at 20%% 503 / 5%% stalled 6 s (request_timeout 3 s): %d 503s, %d stalls", px.n503.Load(), px.nStall.Load()))
	kills := 0
	for range 2 {
		if ctx.Err() != nil || waitProgress(ctx, lakeURL, 90*time.Second) != nil {
			break
		}
		v.Kill()
		kills++
		sleep(ctx, 3*time.Second)
		if err := v.Start(); err != nil {
			r.fail("versitygw restart: %v", err)
			break
		}
	}
	faults = append(faults, fmt.Sprintf("%d versitygw SIGKILLs mid-commits (3 s down, same directory)", kills))
	if err := <-prodDone; err != nil {
		r.fail("producer: %v", err)
	}
	pp.drainAndCheck(ctx, e, &r, lakeURL, opts)
	failed, _ := queryInt(ctx, pp.pg.url, `SELECT count(*) FROM task_attempts WHERE error <> ''`)
	faults = append(faults, fmt.Sprintf("%d task attempts failed (retried)", failed))
	r.load = fmt.Sprintf("%d transactions at %d/s through %s, lake in versitygw behind a fault proxy", opts.Count, e.s.produceRate, pp.mode)
	r.faults = strings.Join(faults, ", ")
	if x := pp.exits(); x != "" {
		r.faults += "; " + x
	}
	return []row{r, s3BadSettings(ctx, e, v, bucket)}
}

// s3BadSettings runs `finpipe lake check` on a bucket that does not exist
// and with a wrong secret and an unknown key: each must fail within 30 s
// (no hang, no endless retry) with a message that says what is wrong.
func s3BadSettings(ctx context.Context, e *suite, v *testenv.Versity, bucket string) row {
	r := row{scenario: "lake on S3: wrong bucket, wrong credentials", load: "finpipe lake check against versitygw"}
	start := time.Now()
	wrongBucket := strings.Replace(bucket, "s3://", "s3://no-such-", 1)
	cases := []struct {
		name, loc, say string
		env            []string
	}{
		{"missing bucket", wrongBucket, "does not exist", nil},
		{"wrong secret", bucket, "refused the credentials", []string{"AWS_SECRET_ACCESS_KEY=wrong"}},
		{"unknown key", bucket, "refused the credentials", []string{"AWS_ACCESS_KEY_ID=nobody", "AWS_SECRET_ACCESS_KEY=wrong"}},
	}
	var tried []string
	for _, c := range cases {
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		cmd := exec.CommandContext(cctx, e.bin, "lake", "check", delta.JoinLocation(c.loc, "lake"))
		cmd.Env = append(os.Environ(), c.env...)
		t0 := time.Now()
		out, err := cmd.CombinedOutput()
		took := time.Since(t0)
		hung := cctx.Err() != nil
		cancel()
		switch {
		case hung:
			r.fail("%s: no answer within 30 s", c.name)
		case err == nil:
			r.fail("%s: lake check passed", c.name)
		case !strings.Contains(string(out), c.say):
			r.fail("%s: message does not say %q: %s", c.name, c.say, lastLines(string(out), 2))
		}
		tried = append(tried, fmt.Sprintf("%s (%s)", c.name, took.Round(time.Millisecond)))
	}
	r.inputs = strings.Join(tried, ", ")
	r.took = time.Since(start)
	return r
}
