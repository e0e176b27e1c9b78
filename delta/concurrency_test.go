package delta

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var counterSchema = Schema{Fields: []Field{
	{Name: "writer", Type: "string", Nullable: false},
	{Name: "seq", Type: "long", Nullable: false},
	{Name: "day", Type: "date", Nullable: true},
}}

// appendMany appends commits batches of rows tagged with writer, each from
// its own Table (as a separate process would).
func appendMany(ctx context.Context, path, writer string, commits, rowsPer int) error {
	tbl, err := Open(path)
	if err != nil {
		return err
	}
	return appendManyTo(ctx, tbl, writer, commits, rowsPer)
}

func appendManyTo(ctx context.Context, tbl *Table, writer string, commits, rowsPer int) error {
	for c := 0; c < commits; c++ {
		rows := make([]Row, rowsPer)
		for i := range rows {
			rows[i] = Row{writer, int64(c*rowsPer + i), date(2024, 1, 1+c%3)}
		}
		if _, err := tbl.Append(ctx, rows, CommitOptions{}); err != nil {
			return fmt.Errorf("%s commit %d: %w", writer, c, err)
		}
	}
	return nil
}

// checkNothingLost verifies every (writer, seq) is present exactly once.
func checkNothingLost(t *testing.T, path string, writers []string, commits, rowsPer int) {
	t.Helper()
	tbl, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := tbl.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(len(writers) * commits); snap.Version() != want {
		t.Fatalf("version = %d, want %d (one per commit after create)", snap.Version(), want)
	}
	seen := map[string]int{}
	_, rows := snapshotRows(t, snap)
	for _, r := range rows {
		seen[fmt.Sprint(r[0], "/", r[1])]++
	}
	for _, w := range writers {
		for s := 0; s < commits*rowsPer; s++ {
			if n := seen[fmt.Sprint(w, "/", s)]; n != 1 {
				t.Fatalf("row %s/%d appears %d times", w, s, n)
			}
		}
	}
	if len(rows) != len(writers)*commits*rowsPer {
		t.Fatalf("rows = %d, want %d", len(rows), len(writers)*commits*rowsPer)
	}
	sameState(t, snap.st, replayJSON(t, path, snap.Version()))
}

func TestConcurrentAppendsGoroutines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t")
	if _, err := Create(path, counterSchema, []string{"day"}); err != nil {
		t.Fatal(err)
	}
	// a and b each have their own Table (they race through the file
	// system); c and d share one (they also race on its cached snapshot).
	writers := []string{"a", "b", "c", "d"}
	shared, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	const commits, rowsPer = 20, 5
	var wg sync.WaitGroup
	errs := make(chan error, len(writers))
	for i, w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i < 2 {
				errs <- appendMany(context.Background(), path, w, commits, rowsPer)
			} else {
				errs <- appendManyTo(context.Background(), shared, w, commits, rowsPer)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	checkNothingLost(t, path, writers, commits, rowsPer)
}

// TestConcurrentAppendsProcesses runs two copies of the test binary that
// append to one table at the same time.
func TestConcurrentAppendsProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	path := filepath.Join(t.TempDir(), "t")
	if _, err := Create(path, counterSchema, []string{"day"}); err != nil {
		t.Fatal(err)
	}
	writers := []string{"p1", "p2"}
	const commits, rowsPer = 30, 5
	var cmds []*exec.Cmd
	for _, w := range writers {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperAppendProcess$")
		cmd.Env = append(os.Environ(), "DELTA_HELPER_APPEND="+strings.Join([]string{path, w, strconv.Itoa(commits), strconv.Itoa(rowsPer)}, ","))
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("writer process: %v", err)
		}
	}
	checkNothingLost(t, path, writers, commits, rowsPer)
}

// TestHelperAppendProcess is the body of a writer process; it does nothing
// in a normal test run.
func TestHelperAppendProcess(t *testing.T) {
	spec := os.Getenv("DELTA_HELPER_APPEND")
	if spec == "" {
		t.Skip("helper process only")
	}
	p := strings.Split(spec, ",")
	commits, _ := strconv.Atoi(p[2])
	rowsPer, _ := strconv.Atoi(p[3])
	if err := appendMany(context.Background(), p[0], p[1], commits, rowsPer); err != nil {
		t.Fatal(err)
	}
}

// TestConflicts commits from a stale snapshot after another writer won the
// race, and checks which combinations conflict.
func TestConflicts(t *testing.T) {
	ctx := context.Background()
	day1 := map[string]string{"day": "2024-01-01"}
	addIn := func(day string) AddFile {
		return AddFile{Path: "day=" + day + "/x-" + strconv.FormatInt(time.Now().UnixNano(), 10) + ".parquet",
			PartitionValues: map[string]string{"day": day}, DataChange: true}
	}
	cases := []struct {
		name     string
		winner   func(tbl *Table) error
		loser    commitPlan
		conflict bool
	}{
		{"blind appends", func(tbl *Table) error {
			_, err := tbl.Append(ctx, []Row{{"w", int64(1), nil}}, CommitOptions{})
			return err
		},
			commitPlan{adds: []AddFile{addIn("2024-01-01")}}, false},
		{"same txn appId", func(tbl *Table) error {
			_, err := tbl.Append(ctx, nil, CommitOptions{Txns: []Txn{{AppID: "app", Version: 1}}})
			return err
		}, commitPlan{txns: []Txn{{AppID: "app", Version: 1}}}, true},
		{"other txn appId", func(tbl *Table) error {
			_, err := tbl.Append(ctx, nil, CommitOptions{Txns: []Txn{{AppID: "other", Version: 1}}})
			return err
		}, commitPlan{txns: []Txn{{AppID: "app", Version: 1}}}, false},
		{"add into overwritten partition", func(tbl *Table) error {
			_, err := tbl.Append(ctx, []Row{{"w", int64(1), date(2024, 1, 1)}}, CommitOptions{})
			return err
		}, commitPlan{readPartitions: []map[string]string{day1}}, true},
		{"add into another partition", func(tbl *Table) error {
			_, err := tbl.Append(ctx, []Row{{"w", int64(1), date(2024, 1, 2)}}, CommitOptions{})
			return err
		}, commitPlan{readPartitions: []map[string]string{day1}}, false},
		{"metadata change", func(tbl *Table) error {
			return tbl.commitPlanForTest(ctx, &commitPlan{metadata: tbl.latest.st.metadata})
		}, commitPlan{adds: []AddFile{addIn("2024-01-01")}}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "t")
			tbl, err := Create(path, counterSchema, []string{"day"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tbl.Append(ctx, []Row{{"seed", int64(0), date(2024, 1, 1)}}, CommitOptions{}); err != nil {
				t.Fatal(err)
			}
			stale, _ := tbl.Snapshot(ctx)
			other, _ := Open(path)
			if err := c.winner(other); err != nil {
				t.Fatal(err)
			}
			plan := c.loser
			plan.op, plan.params = "WRITE", map[string]any{}
			v, err := tbl.commit(ctx, stale, &plan)
			if c.conflict != errors.Is(err, ErrConflict) || (!c.conflict && err != nil) {
				t.Fatalf("commit: version %d, err %v; want conflict=%v", v, err, c.conflict)
			}
			if !c.conflict && v != stale.Version()+2 {
				t.Fatalf("version = %d, want %d (after the winner)", v, stale.Version()+2)
			}
		})
	}
}

// commitPlanForTest commits a plan on top of the latest snapshot.
func (t *Table) commitPlanForTest(ctx context.Context, p *commitPlan) error {
	snap, err := t.Snapshot(ctx)
	if err != nil {
		return err
	}
	p.op, p.params = "TEST", map[string]any{}
	_, err = t.commit(ctx, snap, p)
	return err
}
