package delta_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/internal/testenv"
)

// s3Table creates the silver-schema table at a fresh S3 location.
func s3Table(t *testing.T) (string, *delta.Table) {
	t.Helper()
	loc := delta.JoinLocation(testenv.S3(t), "lake/silver/transactions")
	tbl, err := delta.Create(loc, delta.SilverSchema, []string{"event_date"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tbl.Close() })
	return loc, tbl
}

func openS3(t *testing.T, loc string) *delta.Table {
	t.Helper()
	tbl, err := delta.Open(loc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tbl.Close() })
	return tbl
}

// latestRows opens loc afresh and reads its latest version.
func latestRows(t *testing.T, loc string) (*delta.Snapshot, []delta.Row) {
	t.Helper()
	ctx := context.Background()
	snap, err := openS3(t, loc).Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := snap.Rows(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	return snap, rows
}

// TestS3CommitRace: two writers on S3 hold the same snapshot and commit at
// once. Both want the next version; the store's conditional PUT lets
// exactly one have it. A blind append that lost retries at the version
// after; a commit whose txn the winner also committed fails with
// ErrConflict and writes nothing.
func TestS3CommitRace(t *testing.T) {
	loc, _ := s3Table(t)
	commitRace(t, loc)
}

// TestGCSCommitRace: the same on Google Cloud Storage (fake-gcs-server),
// whose precondition is ifGenerationMatch=0.
func TestGCSCommitRace(t *testing.T) { commitRace(t, blobTable(t, testenv.GCS(t))) }

// TestAzureCommitRace: the same on Azure Blob Storage (Azurite), whose
// precondition is If-None-Match: *.
func TestAzureCommitRace(t *testing.T) { commitRace(t, blobTable(t, testenv.Azure(t))) }

// blobTable creates the silver-schema table in the lake at base.
func blobTable(t *testing.T, base string) string {
	t.Helper()
	loc := delta.JoinLocation(base, "lake/silver/transactions")
	tbl, err := delta.Create(loc, delta.SilverSchema, []string{"event_date"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tbl.Close() })
	return loc
}

// commitRace is the race above on the new table at loc: blind appends both
// land, one retried; txn appends: one wins, one conflicts; the rows and
// txn read back.
func commitRace(t *testing.T, loc string) {
	t.Helper()
	ctx := context.Background()
	rows := delta.SilverRows(20)

	a, b := openS3(t, loc), openS3(t, loc)
	versions := make([]int64, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, w := range []*delta.Table{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			versions[i], errs[i] = w.Append(ctx, rows[i*10:(i+1)*10], delta.CommitOptions{})
		}()
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("blind appends: %v, %v", errs[0], errs[1])
	}
	if min(versions[0], versions[1]) != 1 || max(versions[0], versions[1]) != 2 {
		t.Fatalf("versions %v, want 1 and 2", versions)
	}
	hist, err := openS3(t, loc).History(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Both read version 0: the one at version 2 lost the race for 1 and retried.
	for _, ci := range hist[:2] {
		if ci.ReadVersion == nil || *ci.ReadVersion != 0 {
			t.Fatalf("version %d read version %v, want 0 (both writers started from it)", ci.Version, ci.ReadVersion)
		}
	}

	// Same txn appId from the same snapshot: one wins, one conflicts.
	c, d := openS3(t, loc), openS3(t, loc)
	opts := delta.CommitOptions{Txns: []delta.Txn{{AppID: "ingest-transactions-0", Version: 41}}}
	for i, w := range []*delta.Table{c, d} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			versions[i], errs[i] = w.Append(ctx, rows[i*10:(i+1)*10], opts)
		}()
	}
	wg.Wait()
	won, conflicted := 0, 0
	for i := range errs {
		switch {
		case errs[i] == nil && versions[i] == 3:
			won++
		case errors.Is(errs[i], delta.ErrConflict):
			conflicted++
		default:
			t.Fatalf("writer %d: version %d, %v", i, versions[i], errs[i])
		}
	}
	if won != 1 || conflicted != 1 {
		t.Fatalf("%d won, %d conflicted; want exactly one of each", won, conflicted)
	}
	snap, got := latestRows(t, loc)
	if snap.Version() != 3 || len(got) != 30 {
		t.Fatalf("version %d with %d rows, want 3 with 30", snap.Version(), len(got))
	}
	if v, _ := snap.TxnVersion("ingest-transactions-0"); v != 41 {
		t.Fatalf("txn version %d, want 41", v)
	}
}

// TestS3ManyWriters: several writers append in a loop; nothing is lost or
// doubled, whatever the interleaving.
func TestS3ManyWriters(t *testing.T) {
	ctx := context.Background()
	loc, _ := s3Table(t)
	const writers, commits = 3, 4
	rows := delta.SilverRows(writers * commits)
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tbl, err := delta.Open(loc)
			if err != nil {
				errs[w] = err
				return
			}
			defer tbl.Close()
			for c := range commits {
				i := w*commits + c
				if _, err := tbl.Append(ctx, rows[i:i+1], delta.CommitOptions{}); err != nil {
					errs[w] = fmt.Errorf("writer %d commit %d: %w", w, c, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	snap, got := latestRows(t, loc)
	if snap.Version() != writers*commits || len(got) != writers*commits {
		t.Fatalf("version %d with %d rows, want %d of each", snap.Version(), len(got), writers*commits)
	}
	ids := map[any]int{}
	for _, r := range got {
		ids[r[0]]++
	}
	for id, n := range ids {
		if n != 1 {
			t.Fatalf("transaction %v appears %d times", id, n)
		}
	}
}

// TestS3Maintenance: a checkpoint and _last_checkpoint every 10 commits,
// time travel, history, optimize, vacuum and log cleanup, all on S3.
func TestS3Maintenance(t *testing.T) {
	loc, _ := s3Table(t)
	maintenance(t, loc)
}

// TestGCSMaintenance and TestAzureMaintenance: the same on GCS and Azure,
// whose log listing goes through gocloud's portable List.
func TestGCSMaintenance(t *testing.T)   { maintenance(t, blobTable(t, testenv.GCS(t))) }
func TestAzureMaintenance(t *testing.T) { maintenance(t, blobTable(t, testenv.Azure(t))) }

// maintenance is TestS3Maintenance on the new table at loc.
func maintenance(t *testing.T, loc string) {
	t.Helper()
	ctx := context.Background()
	tbl := openS3(t, loc)
	rows := delta.SilverRows(24)
	for c := range 12 {
		if _, err := tbl.Append(ctx, rows[2*c:2*c+2], delta.CommitOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	fresh := openS3(t, loc) // loads from the checkpoint at 10
	snap, err := fresh.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := snap.Rows(ctx, nil); snap.Version() != 12 || len(got) != 24 {
		t.Fatalf("version %d with %d rows, want 12 with 24", snap.Version(), len(got))
	}
	old, err := fresh.SnapshotAt(ctx, 5)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := old.Rows(ctx, nil); len(got) != 10 {
		t.Fatalf("version 5 has %d rows, want 10", len(got))
	}
	hist, err := fresh.History(ctx)
	if err != nil || len(hist) != 13 || hist[0].Version != 12 || hist[0].Timestamp.IsZero() {
		t.Fatalf("history: %d commits, %v", len(hist), err)
	}

	res, err := fresh.Optimize(ctx, nil)
	if err != nil || res.FilesRemoved == 0 {
		t.Fatalf("optimize: %+v, %v", res, err)
	}
	deleted, err := fresh.Vacuum(ctx, 0, false)
	if err != nil || len(deleted) != res.FilesRemoved {
		t.Fatalf("vacuum deleted %d files (%v), want the %d that optimize removed", len(deleted), err, res.FilesRemoved)
	}
	after, err := openS3(t, loc).Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := after.Rows(ctx, nil); err != nil || len(got) != 24 {
		t.Fatalf("after optimize and vacuum: %d rows, %v", len(got), err)
	}
	if _, err := old.Rows(ctx, nil); !errors.Is(err, delta.ErrFileMissing) {
		t.Fatalf("reading a vacuumed version: %v, want ErrFileMissing", err)
	}
	cleaned, err := fresh.CleanupLog(ctx, 0, false)
	if err != nil || len(cleaned) != 10 {
		t.Fatalf("log cleanup removed %v (%v), want commits 0-9", cleaned, err)
	}
	if _, err := openS3(t, loc).SnapshotAt(ctx, 5); !errors.Is(err, delta.ErrVersionNotFound) {
		t.Fatalf("version 5 after log cleanup: %v, want ErrVersionNotFound", err)
	}
	if s, err := openS3(t, loc).Snapshot(ctx); err != nil || s.Version() != after.Version() {
		t.Fatalf("latest after log cleanup: %v", err)
	}
}

// TestS3InteropWithDeltaRS: delta-rs, given the same endpoint as storage
// options (scripts/deltars/location.py), reads FinPipe's S3 table with the
// same version, schema, txns and rows, checkpoint included; and FinPipe
// reads the table delta-rs writes there (appends, a partition overwrite, a
// delete, a compaction and a checkpoint), as delta-rs itself reads it.
func TestS3InteropWithDeltaRS(t *testing.T) {
	python := testenv.DeltaRS(t)
	ctx := context.Background()
	loc, tbl := s3Table(t)
	rows := delta.SilverRows(36)
	for c := range 12 {
		opts := delta.CommitOptions{Txns: []delta.Txn{{AppID: "silver<-bronze", Version: int64(c)}}}
		if _, err := tbl.Append(ctx, rows[3*c:3*c+3], opts); err != nil {
			t.Fatal(err)
		}
	}
	testenv.CheckWithDeltaRS(t, python, loc)

	rsLoc := delta.JoinLocation(loc, "../../rs/table")
	out, err := exec.Command(python, testenv.DeltaRSScript("write.py"), rsLoc).CombinedOutput()
	if err != nil {
		t.Fatalf("write.py %s: %v\n%s", rsLoc, err, out)
	}
	want, _ := strconv.ParseInt(string(bytes.TrimSpace(out)), 10, 64)
	rs := openS3(t, rsLoc)
	snap, err := rs.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Version() != want {
		t.Fatalf("version %d, delta-rs wrote %d", snap.Version(), want)
	}
	delta.CheckStatsMatchRows(t, snap)
	testenv.CheckSnapshotWithDeltaRS(t, python, rsLoc, snap, false)
}

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
