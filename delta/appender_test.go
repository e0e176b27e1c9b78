package delta_test

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/internal/testenv"
)

// streamSchema's rows say which stream handed them in and at which place.
var streamSchema = delta.Schema{Fields: []delta.Field{
	{Name: "stream", Type: "integer", Nullable: false},
	{Name: "seq", Type: "long", Nullable: false},
	{Name: "note", Type: "string", Nullable: true},
	{Name: "day", Type: "date", Nullable: true},
}}

func streamTable(t *testing.T) *delta.Table {
	t.Helper()
	tbl, err := delta.Create(filepath.Join(t.TempDir(), "t"), streamSchema, []string{"day"})
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

// streamRow is row seq of stream s; most rows fall on one day, some on
// another, interleaved, as late data arrives.
func streamRow(s int32, seq int64) delta.Row {
	day := delta.Date(2026, 3, 10)
	if seq%7 == 3 {
		day = delta.Date(2026, 3, 9)
	}
	return delta.Row{s, seq, "row " + string(rune('a'+s)), day}
}

// handStreams hands chunks of rows of streams at once, one goroutine per
// stream, each in order, as ingest's consumers do; it returns the first
// error of a Write.
func handStreams(a *delta.Appender, streams, chunks, chunkRows int) error {
	var wg sync.WaitGroup
	errs := make([]error, streams)
	for s := range streams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			chunk := make([]delta.Row, 0, chunkRows)
			for c := range chunks {
				chunk = chunk[:0]
				for k := range chunkRows {
					chunk = append(chunk, streamRow(int32(s), int64(c*chunkRows+k)))
				}
				if errs[s] = a.Write(s, chunk); errs[s] != nil { // the slice is reused: Write must have copied it
					return
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func parquetFiles(t *testing.T, tbl *delta.Table) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(tbl.Path(), func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".parquet") && !strings.Contains(p, "_delta_log") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// A streaming append commits, in one commit with its txns, exactly the
// rows handed in: each once, and each stream's rows in the order handed
// in when the commit's files are read in the commit's order, although streams were
// handed in at once and spread over several lanes. delta-rs reads the
// same table.
func TestAppenderCommitsTheRowsHandedInInOrder(t *testing.T) {
	ctx := context.Background()
	tbl := streamTable(t)
	a, err := tbl.NewAppender(ctx, delta.AppenderOptions{Lanes: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Abort()
	const streams, chunks, chunkRows = 3, 20, 1000 // past the rows that all go to lane 0
	if err := handStreams(a, streams, chunks, chunkRows); err != nil {
		t.Fatal(err)
	}
	v, err := a.Commit(ctx, delta.CommitOptions{Txns: []delta.Txn{{AppID: "stream", Version: 7}}})
	if err != nil {
		t.Fatal(err)
	}
	if v != 1 {
		t.Fatalf("committed version %d, want 1: one commit", v)
	}
	snap, err := tbl.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := snap.TxnVersion("stream"); !ok || got != 7 {
		t.Fatalf("txn version %d (%v), want 7", got, ok)
	}
	if len(snap.Files()) < 2*2 {
		t.Errorf("the commit has %d files for 2 days, want one per lane used and day", len(snap.Files()))
	}
	// Per stream and day, seqs must rise: rows of a day are in its files
	// in the order handed in. With the count and the range, each is once.
	last := map[[2]any]int64{}
	total := 0
	changes, err := tbl.Changes(ctx, 0, 1) // the commit's files in its order, as clean reads Bronze
	if err != nil || len(changes) != 1 {
		t.Fatalf("changes: %v, %v", changes, err)
	}
	err = snap.ScanFiles(ctx, changes[0].Adds, nil, func(r delta.Row) error {
		s, seq := r[0].(int32), r[1].(int64)
		key := [2]any{s, r[3]}
		if prev, ok := last[key]; ok && seq <= prev {
			t.Fatalf("stream %d: read seq %d after %d: rows out of the order handed in", s, seq, prev)
		}
		last[key] = seq
		if seq < 0 || seq >= chunks*chunkRows || r[2] != "row "+string(rune('a'+s)) {
			t.Fatalf("stream %d: row %v was never handed in", s, r)
		}
		total++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if total != streams*chunks*chunkRows {
		t.Fatalf("read %d rows, want %d", total, streams*chunks*chunkRows)
	}
	if _, err := a.Commit(ctx, delta.CommitOptions{}); err == nil {
		t.Fatal("a second Commit succeeded")
	}
	testenv.CheckWithDeltaRS(t, testenv.DeltaRS(t), tbl.Path())
}

// A small streaming append writes one file per partition, as a one-shot
// Append of the same rows does.
func TestASmallStreamingAppendWritesOneFilePerPartition(t *testing.T) {
	ctx := context.Background()
	tbl := streamTable(t)
	a, err := tbl.NewAppender(ctx, delta.AppenderOptions{Lanes: 4})
	if err != nil {
		t.Fatal(err)
	}
	if err := handStreams(a, 4, 5, 100); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Commit(ctx, delta.CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	snap, err := tbl.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(snap.Files()); n != 2 {
		t.Fatalf("2000 rows on 2 days made %d files, want 2", n)
	}
}

// An aborted streaming append, or one whose context ends, commits nothing
// and leaves no data file behind.
func TestAnAbortedStreamingAppendCommitsNothing(t *testing.T) {
	for _, how := range []string{"abort", "cancel"} {
		t.Run(how, func(t *testing.T) {
			tbl := streamTable(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			a, err := tbl.NewAppender(ctx, delta.AppenderOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if err := handStreams(a, 2, 40, 1000); err != nil {
				t.Fatal(err)
			}
			switch how {
			case "abort":
				a.Abort()
				if err := a.Write(0, []delta.Row{streamRow(0, 0)}); err == nil {
					t.Error("Write after Abort succeeded")
				}
				if _, err := a.Commit(context.Background(), delta.CommitOptions{Txns: []delta.Txn{{AppID: "x", Version: 1}}}); err == nil {
					t.Error("Commit after Abort succeeded")
				}
			case "cancel":
				cancel()
				if _, err := a.Commit(context.Background(), delta.CommitOptions{Txns: []delta.Txn{{AppID: "x", Version: 1}}}); !errors.Is(err, context.Canceled) {
					t.Errorf("Commit after the context ended: %v, want context.Canceled", err)
				}
				a.Abort() // after a failed Commit: nothing left to do
			}
			assertUntouched(t, tbl)
		})
	}
}

// A row that does not fit the schema fails the streaming append, naming
// the row by its place among the rows handed in; nothing is committed.
func TestABadRowFailsTheStreamingAppend(t *testing.T) {
	ctx := context.Background()
	tbl := streamTable(t)
	a, err := tbl.NewAppender(ctx, delta.AppenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := handStreams(a, 1, 3, 1000); err != nil {
		t.Fatal(err)
	}
	bad := streamRow(0, 3000)
	bad[1] = "not a long"
	werr := a.Write(0, []delta.Row{streamRow(0, 2999), bad}) // the lane finds it later, or at once
	_, cerr := a.Commit(ctx, delta.CommitOptions{Txns: []delta.Txn{{AppID: "x", Version: 1}}})
	if cerr == nil || !strings.Contains(cerr.Error(), "row 3001") {
		t.Fatalf("Commit after a bad row: %v, want an error naming row 3001", cerr)
	}
	if werr != nil && !strings.Contains(werr.Error(), "row 3001") {
		t.Fatalf("Write after a bad row: %v, want an error naming row 3001", werr)
	}
	assertUntouched(t, tbl)
}

// assertUntouched checks that tbl is still at version 0, without a data file.
func assertUntouched(t *testing.T, tbl *delta.Table) {
	t.Helper()
	snap, err := tbl.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := snap.TxnVersion("x"); snap.Version() != 0 || ok {
		t.Fatalf("table at version %d (txn x committed: %v), want untouched", snap.Version(), ok)
	}
	if files := parquetFiles(t, tbl); len(files) > 0 {
		t.Fatalf("data files left behind: %v", files)
	}
}
