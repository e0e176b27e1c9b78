package delta_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"sync"
	"testing"

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
