package delta_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/internal/testenv"
)

// The object store failing under FinPipe: wrong bucket or credentials, lost
// answers, 503s, stalls and a server killed mid-commit.

// TestS3WrongBucket: a bucket that does not exist is said so, for Open and
// Create alike, and is never taken for an empty table.
func TestS3WrongBucket(t *testing.T) {
	u, err := url.Parse(testenv.S3(t))
	if err != nil {
		t.Fatal(err)
	}
	u.Host = "no-such-bucket-" + u.Host
	loc := delta.JoinLocation(u.String(), "lake/t")
	if _, err := delta.Open(loc); err == nil || errors.Is(err, delta.ErrNotATable) || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("Open in a missing bucket: %v; want an error saying the bucket does not exist", err)
	}
	if _, err := delta.Create(loc, delta.SilverSchema, nil); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("Create in a missing bucket: %v; want an error saying the bucket does not exist", err)
	}
}

// TestS3LostPutAnswerIsNotCommittedTwice: the store writes a commit but
// its answer is lost (here a proxy in front of the S3 server answers 503
// after forwarding the PUT, as a timeout would); the client retries, and
// the retry finds the object there. The writer must recognise its own
// commit, not take it for a rival's: it would commit again at the next
// version, or, as here with a txn, fail with ErrConflict against itself
// although its write is in the table.
func TestS3LostPutAnswerIsNotCommittedTwice(t *testing.T) {
	ctx := context.Background()
	var lost atomic.Int32
	loc := faultyS3(t, func(w http.ResponseWriter, r *http.Request, proxy http.Handler) {
		if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "_delta_log/00000000000000000001.json") && lost.Add(1) == 1 {
			proxy.ServeHTTP(httptest.NewRecorder(), r) // stored upstream, answer dropped
			testenv.ServiceUnavailable(w)
			return
		}
		proxy.ServeHTTP(w, r)
	})
	tbl, err := delta.Create(loc, delta.SilverSchema, []string{"event_date"})
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Close()
	v, err := tbl.Append(ctx, delta.SilverRows(5), delta.CommitOptions{Txns: []delta.Txn{{AppID: "ingest-transactions-0", Version: 4}}})
	if err != nil {
		t.Fatal(err)
	}
	if lost.Load() < 2 {
		t.Fatalf("the client did not retry the PUT whose answer was lost (%d PUTs of version 1)", lost.Load())
	}
	snap, rows := latestRows(t, loc)
	if v != 1 || snap.Version() != 1 || len(rows) != 5 {
		t.Fatalf("append returned version %d; table at version %d with %d rows; want one commit (version 1) of 5 rows", v, snap.Version(), len(rows))
	}
}

// TestS3StoreDownDuringCommit: while the store refuses connections for the
// commit PUT (it restarts, say), the commit fails with an error, after the
// client's own retries, and leaves nothing in the log; the same table then
// commits the next write once the store is back, and nothing is doubled.
func TestS3StoreDownDuringCommit(t *testing.T) {
	ctx := context.Background()
	var down atomic.Bool
	loc := faultyS3(t, func(w http.ResponseWriter, r *http.Request, proxy http.Handler) {
		if down.Load() && r.Method == http.MethodPut && strings.Contains(r.URL.Path, "_delta_log/") {
			if c, _, err := w.(http.Hijacker).Hijack(); err == nil {
				c.Close() // the connection drops, as when the server restarts
			}
			return
		}
		proxy.ServeHTTP(w, r)
	})
	tbl, err := delta.Create(loc, delta.SilverSchema, []string{"event_date"})
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Close()
	rows := delta.SilverRows(10)
	down.Store(true)
	if _, err := tbl.Append(ctx, rows[:5], delta.CommitOptions{}); err == nil {
		t.Fatal("append succeeded while the store dropped every commit PUT")
	} else {
		t.Logf("while down: %v", err)
	}
	down.Store(false)
	v, err := tbl.Append(ctx, rows[5:], delta.CommitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	snap, got := latestRows(t, loc)
	if v != 1 || snap.Version() != 1 || len(got) != 5 {
		t.Fatalf("after the store came back: version %d (append said %d) with %d rows; want version 1 with the 5 rows of the second append", snap.Version(), v, len(got))
	}
}

// TestS3CommitStoredButEveryAnswerLost: the store keeps the commit but the
// client never gets an answer, on any of its attempts. The writer reads the
// version back, finds its own commit and reports success: the write is in
// the table once, with its data files.
func TestS3CommitStoredButEveryAnswerLost(t *testing.T) {
	ctx := context.Background()
	var puts atomic.Int32
	loc := faultyS3(t, func(w http.ResponseWriter, r *http.Request, proxy http.Handler) {
		if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "_delta_log/00000000000000000001.json") {
			puts.Add(1)
			proxy.ServeHTTP(httptest.NewRecorder(), r) // stored (or refused: exists)
			if c, _, err := w.(http.Hijacker).Hijack(); err == nil {
				c.Close() // and the answer never arrives
			}
			return
		}
		proxy.ServeHTTP(w, r)
	})
	tbl, err := delta.Create(loc, delta.SilverSchema, []string{"event_date"})
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Close()
	v, err := tbl.Append(ctx, delta.SilverRows(5), delta.CommitOptions{})
	if err != nil || v != 1 {
		t.Fatalf("append: version %d, %v; want version 1 (the commit is in the log)", v, err)
	}
	snap, got := latestRows(t, loc)
	if snap.Version() != 1 || len(got) != 5 || puts.Load() < 2 {
		t.Fatalf("version %d with %d rows after %d PUTs; want version 1 with 5 rows", snap.Version(), len(got), puts.Load())
	}
}

// faultyS3 is a table location in a fresh bucket of the test S3 server,
// reached through testenv's fault proxy, whose requests go to serve.
func faultyS3(t *testing.T, serve testenv.S3Fault) string {
	t.Helper()
	loc, stop, err := testenv.S3FaultProxy(testenv.S3(t), serve)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return delta.JoinLocation(loc, "lake/t")
}

// TestS3WrongCredentials: a store that checks signatures (versitygw; moto
// accepts any) refuses a wrong secret and an unknown key; Open and Create
// say that the credentials were refused, at once (the SDK does not retry a
// 403), and never take the table for a missing one.
func TestS3WrongCredentials(t *testing.T) {
	_, base := testenv.VersityS3(t)
	loc := delta.JoinLocation(base, "lake/t")
	if _, err := delta.Create(loc, delta.SilverSchema, nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, id, secret string }{
		{"wrong secret", "", "not-the-secret"},
		{"unknown key", "no-such-key", "not-the-secret"},
	} {
		if c.id != "" {
			t.Setenv("AWS_ACCESS_KEY_ID", c.id)
		}
		t.Setenv("AWS_SECRET_ACCESS_KEY", c.secret)
		_, err := delta.Open(loc)
		if err == nil || errors.Is(err, delta.ErrNotATable) || !strings.Contains(err.Error(), "credentials") {
			t.Fatalf("%s: Open: %v; want an error saying the credentials were refused", c.name, err)
		}
		t.Logf("%s: %v", c.name, err)
		if _, err := delta.Create(delta.JoinLocation(base, "lake/u"), delta.SilverSchema, nil); err == nil || !strings.Contains(err.Error(), "credentials") {
			t.Fatalf("%s: Create: %v; want an error saying the credentials were refused", c.name, err)
		}
	}
}

// TestS3ServerKilledMidCommits: a writer commits in a loop, each commit
// carrying txn(appId, i) as the pipeline's do, while the S3 server
// (versitygw, which keeps its objects on disk) is killed with SIGKILL and
// restarted, twice. A commit that failed is retried as a task would: re-read
// the txn, append again only if it is not there. Afterwards every commit is
// in the log exactly once, in order, and every row is in the table once.
func TestS3ServerKilledMidCommits(t *testing.T) {
	ctx := context.Background()
	v, base := testenv.VersityS3(t)
	loc := delta.JoinLocation(base, "lake/t")
	tbl, err := delta.Create(loc, delta.SilverSchema, []string{"event_date"})
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Close()
	const commits, appID = 30, "ingest-transactions-0"
	rows := delta.SilverRows(commits)
	var failed atomic.Int32
	done := make(chan error, 1)
	go func() {
		for i := range commits {
			if err := commitOnce(ctx, tbl, appID, int64(i), rows[i:i+1], &failed); err != nil {
				done <- fmt.Errorf("commit %d: %w", i, err)
				return
			}
		}
		done <- nil
	}()
	for _, at := range []int64{5, 15} {
		if !waitVersion(ctx, tbl, at, done) {
			break // the writer ended early: its error is below
		}
		v.Kill()
		time.Sleep(2 * time.Second) // down long enough for the SDK's own retries to give up
		if err := v.Start(); err != nil {
			t.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if failed.Load() == 0 {
		t.Fatal("no commit attempt failed: the server was never down mid-commits")
	}
	t.Logf("%d commit attempts failed while the server was down, all retried", failed.Load())
	snap, got := latestRows(t, loc)
	if tv, _ := snap.TxnVersion(appID); snap.Version() != commits || len(got) != commits || tv != commits-1 {
		t.Fatalf("version %d, %d rows, txn %d; want %d commits of one row each, txn %d", snap.Version(), len(got), tv, commits, commits-1)
	}
	ids := map[any]int{}
	for _, r := range got {
		if ids[r[0]]++; ids[r[0]] > 1 {
			t.Fatalf("transaction %v is in the table twice", r[0])
		}
	}
}

// commitOnce appends rows with txn(appID, version) unless the table
// already has that txn, retrying failed attempts as a task retry would.
func commitOnce(ctx context.Context, tbl *delta.Table, appID string, version int64, rows []delta.Row, failed *atomic.Int32) error {
	var last error
	for range 600 { // each attempt fails at once while the server is down
		snap, err := tbl.Snapshot(ctx)
		if err == nil {
			if tv, ok := snap.TxnVersion(appID); ok && tv >= version {
				return nil // an attempt whose answer was lost landed
			}
			opts := delta.CommitOptions{Txns: []delta.Txn{{AppID: appID, Version: version}}}
			if _, err = tbl.Append(ctx, rows, opts); err == nil {
				return nil
			}
		}
		last = err
		failed.Add(1)
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("still failing after 600 attempts: %w", last)
}

// waitVersion waits until tbl reaches version v; false if done (the
// writer) ended first, whose result it puts back.
func waitVersion(ctx context.Context, tbl *delta.Table, v int64, done chan error) bool {
	for {
		select {
		case err := <-done:
			done <- err
			return false
		default:
		}
		if s, err := tbl.Snapshot(ctx); err == nil && s.Version() >= v {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestS3PutFaults: the commit PUT answered with 503 or stalled, before or
// after the server stored it. The SDK retries a 503; a stall is cut by the
// location's request_timeout. Whatever happens the commit is in the log
// once (the writer recognises its own commit) or not at all with a clear
// error, and the next commit of the same table lands at the next version.
func TestS3PutFaults(t *testing.T) {
	// A stall holds the answer until the client gives up (its
	// request_timeout of 2 s), or 4 s, after which the connection drops.
	stall := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(4 * time.Second):
		}
		if c, _, err := w.(http.Hijacker).Hijack(); err == nil {
			c.Close()
		}
	}
	for _, c := range []struct {
		name   string
		faults int32 // how many commit PUTs meet the fault (-1: all)
		store  bool  // forward the PUT to the server before the fault
		fault  func(w http.ResponseWriter, r *http.Request)
		lands  bool // whether the first append succeeds
		errSay string
	}{
		{"two 503s, then an answer", 2, false, func(w http.ResponseWriter, _ *http.Request) { testenv.ServiceUnavailable(w) }, true, ""},
		{"503 to every attempt", -1, false, func(w http.ResponseWriter, _ *http.Request) { testenv.ServiceUnavailable(w) }, false, "ServiceUnavailable"},
		{"stalled, never stored", -1, false, stall, false, "deadline exceeded"},
		{"stored, then the answer stalls", 1, true, stall, true, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			var on atomic.Bool
			var hits atomic.Int32
			loc := faultyS3(t, func(w http.ResponseWriter, r *http.Request, proxy http.Handler) {
				if on.Load() && r.Method == http.MethodPut && strings.Contains(r.URL.Path, "_delta_log/0") {
					if n := hits.Add(1); c.faults < 0 || n <= c.faults {
						if c.store {
							proxy.ServeHTTP(httptest.NewRecorder(), r)
						}
						c.fault(w, r)
						return
					}
				}
				proxy.ServeHTTP(w, r)
			})
			loc = withQuery(t, loc, "request_timeout", "2s")
			tbl, err := delta.Create(loc, delta.SilverSchema, []string{"event_date"})
			if err != nil {
				t.Fatal(err)
			}
			defer tbl.Close()
			rows := delta.SilverRows(10)
			on.Store(true)
			v, err := tbl.Append(ctx, rows[:5], delta.CommitOptions{})
			on.Store(false)
			switch {
			case c.lands && (err != nil || v != 1):
				t.Fatalf("append: version %d, %v; want version 1", v, err)
			case !c.lands && (err == nil || !strings.Contains(err.Error(), c.errSay)):
				t.Fatalf("append: version %d, %v; want an error saying %q", v, err, c.errSay)
			}
			t.Logf("%d faulty PUTs; append: version %d, %v", hits.Load(), v, err)
			want := 5
			if !c.lands {
				want = 0
			}
			if v, err = tbl.Append(ctx, rows[5:], delta.CommitOptions{}); err != nil {
				t.Fatal(err)
			}
			snap, got := latestRows(t, loc)
			if snap.Version() != v || len(got) != want+5 || v != int64(want/5+1) {
				t.Fatalf("version %d (append said %d) with %d rows; want %d rows, each append once", snap.Version(), v, len(got), want+5)
			}
		})
	}
}

// withQuery sets a query parameter of the location loc.
func withQuery(t *testing.T, loc, key, value string) string {
	t.Helper()
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}
