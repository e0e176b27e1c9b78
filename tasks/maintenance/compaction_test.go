package maintenance

import (
	"context"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/tasks/lake"
)

// TestCompactKeepsUpWithSmallCommits: after DefaultMinSmallFiles one-row
// commits to today's Bronze partition, Compact rewrites that partition
// into one file with the same rows (FinPipe's reader and delta-rs agree),
// and leaves a partition below the threshold, and every other table,
// untouched.
func TestCompactKeepsUpWithSmallCommits(t *testing.T) {
	t.Parallel()
	l, err := lake.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	today := lake.Date(time.Now())
	yesterday := today.AddDate(0, 0, -1)
	var offset int64
	bronzeDay(t, l, today, DefaultMinSmallFiles, &offset)
	bronzeDay(t, l, yesterday, 3, &offset)
	before := testenv.TableRows(t, l.Bronze)

	res, err := Compact(context.Background(), l, CompactionPolicy{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].Table != lake.BronzeTransactions {
		t.Fatalf("compacted %+v, want Bronze alone", res)
	}
	r := res[0]
	if len(r.Due) != 1 || r.Due[0].Values["ingest_date"] != lake.DateString(today) || r.Due[0].SmallFiles != DefaultMinSmallFiles {
		t.Errorf("due %+v, want today's partition with %d small files", r.Due, DefaultMinSmallFiles)
	}
	if r.FilesRemoved != DefaultMinSmallFiles || r.FilesAdded != 1 || r.Rows != DefaultMinSmallFiles {
		t.Errorf("%+v, want %d files into 1", r.OptimizeResult, DefaultMinSmallFiles)
	}
	got := filesPerPartition(t, l.Bronze)
	if got[lake.DateString(today)] != 1 || got[lake.DateString(yesterday)] != 3 {
		t.Errorf("files per partition %v, want today 1, yesterday 3 (below the threshold)", got)
	}
	after := testenv.TableRows(t, l.Bronze)
	if b, a := rowMultiset(before), rowMultiset(after); !maps.Equal(b, a) {
		t.Errorf("rows changed: %d before, %d after", len(before), len(after))
	}
	testenv.CheckWithDeltaRS(t, testenv.DeltaRS(t), l.Path(lake.BronzeTransactions))
}

// TestCompactBelowThresholdCommitsNothing: with fewer small files than the
// policy asks for, and fewer bytes, no table gets a commit.
func TestCompactBelowThresholdCommitsNothing(t *testing.T) {
	t.Parallel()
	l, err := lake.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var offset int64
	bronzeDay(t, l, lake.Date(time.Now()), DefaultMinSmallFiles-1, &offset)
	versions := tableVersions(t, l)
	res, err := Compact(context.Background(), l, CompactionPolicy{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 0 {
		t.Fatalf("compacted %+v below the threshold", res)
	}
	if got := tableVersions(t, l); len(got) != len(versions) || got[lake.BronzeTransactions] != versions[lake.BronzeTransactions] {
		t.Errorf("versions %v, want unchanged %v", got, versions)
	}
}

// TestCompactionPolicyBytes: the byte threshold alone makes a partition
// due (a few large micro-batches), but one small file never is.
func TestCompactionPolicyBytes(t *testing.T) {
	t.Parallel()
	l, err := lake.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var offset int64
	day := lake.Date(time.Now())
	bronzeDay(t, l, day, 1, &offset)
	snap, err := l.Bronze.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p := CompactionPolicy{MinSmallFiles: 1000, MinSmallBytes: 1}
	if due := p.Due(snap); len(due) != 0 {
		t.Errorf("one file due: %+v", due)
	}
	bronzeDay(t, l, day, 1, &offset)
	if snap, err = l.Bronze.Snapshot(context.Background()); err != nil {
		t.Fatal(err)
	}
	if due := p.Due(snap); len(due) != 1 || due[0].SmallFiles != 2 {
		t.Errorf("due %+v, want the partition by its bytes", due)
	}
}

// rowMultiset counts each row by its printed form.
func rowMultiset(rows []delta.Row) map[string]int {
	out := map[string]int{}
	for _, r := range rows {
		out[fmt.Sprint(r)]++
	}
	return out
}

func tableVersions(t *testing.T, l *lake.Lake) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, tb := range l.Tables() {
		s, err := tb.Delta.Snapshot(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out[tb.Spec.Name] = s.Version()
	}
	return out
}
