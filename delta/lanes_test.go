package delta

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"
)

// laneTable is a table partitioned by day, for writes large enough to be
// spread over lanes.
func laneTable(t *testing.T) *Table {
	t.Helper()
	tbl, err := Create(filepath.Join(t.TempDir(), "t"), Schema{Fields: []Field{
		{Name: "id", Type: "long", Nullable: false},
		{Name: "day", Type: "date", Nullable: true},
	}}, []string{"day"})
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

// laneRows is a backlog's batch: most rows on one day, a few on two others,
// interleaved as late data arrives.
func laneRows() []Row {
	big, late1, late2 := date(2026, 3, 10), date(2026, 3, 9), date(2026, 3, 8)
	var rows []Row
	for i := 0; i < 3*laneMinRows; i++ {
		day := big
		switch i % 997 {
		case 1:
			day = late1
		case 2:
			day = late2
		}
		rows = append(rows, Row{int64(i), day})
	}
	return rows
}

// TestPlanLanesSplitsOnlyBigPartitions: a partition of at least
// laneMinRows rows is cut into one contiguous share per lane, in order;
// a small one stays whole in one lane, so it gains no file; every row is
// planned once.
func TestPlanLanesSplitsOnlyBigPartitions(t *testing.T) {
	tbl := laneTable(t)
	snap, err := tbl.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rows := laneRows()
	lanes := planLanes(snap.st.lay, rows, 2)
	if len(lanes) != 2 {
		t.Fatalf("planned %d lanes, want 2", len(lanes))
	}
	var all []int
	daysIn := make([]map[time.Time]int, 2)
	for j, lane := range lanes {
		if !slices.IsSorted(lane) {
			t.Errorf("lane %d is not in write order", j)
		}
		daysIn[j] = map[time.Time]int{}
		for _, i := range lane {
			daysIn[j][rows[i][1].(time.Time)]++
		}
		all = append(all, lane...)
	}
	slices.Sort(all)
	if len(all) != len(rows) || all[0] != 0 || all[len(all)-1] != len(rows)-1 || len(slices.Compact(all)) != len(rows) {
		t.Fatalf("the lanes hold %d row indexes, want each of the %d rows once", len(all), len(rows))
	}
	big := date(2026, 3, 10)
	if daysIn[0][big] == 0 || daysIn[1][big] == 0 {
		t.Errorf("the big day is in lanes %v, want both", []int{daysIn[0][big], daysIn[1][big]})
	}
	for _, d := range []time.Time{date(2026, 3, 9), date(2026, 3, 8)} {
		if (daysIn[0][d] == 0) == (daysIn[1][d] == 0) {
			t.Errorf("small day %s is in lanes %v, want exactly one", d.Format(time.DateOnly), []int{daysIn[0][d], daysIn[1][d]})
		}
	}
	if planLanes(snap.st.lay, rows[:laneMinRows-1], 2) != nil || planLanes(snap.st.lay, rows, 1) != nil {
		t.Error("a small write or a single core was planned over lanes")
	}
	short := append(slices.Clone(rows), Row{int64(1)})
	if planLanes(snap.st.lay, short, 2) != nil {
		t.Error("a write with a short row was planned over lanes: the sequential write must report it")
	}
}

// TestALaneWriteHoldsTheSameRows: written over lanes, a commit holds every
// row once, the big day in one file per lane, and a bad row still fails
// the whole write with nothing left behind.
func TestALaneWriteHoldsTheSameRows(t *testing.T) {
	ctx := context.Background()
	tbl := laneTable(t)
	rows := laneRows()
	adds, err := writeFiles(ctx, tbl.root, mustLayout(t, tbl), rows)
	if err != nil {
		t.Fatal(err)
	}
	perDay := map[string]int{}
	for _, a := range adds {
		perDay[a.PartitionValues["day"]]++
	}
	if runtime.GOMAXPROCS(0) < 2 {
		t.Log("one core: the write has one lane; only the rows are checked")
	} else if perDay["2026-03-10"] != 2 || perDay["2026-03-09"] != 1 || perDay["2026-03-08"] != 1 {
		t.Errorf("files per day %v, want 2 for the big day and 1 for each small one", perDay)
	}
	removeDataFiles(tbl.root, adds)

	if _, err := tbl.Append(ctx, rows, CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	snap, err := tbl.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]time.Time{}
	if err := snap.Scan(ctx, nil, func(r Row) error {
		id := r[0].(int64)
		if _, dup := got[id]; dup {
			return fmt.Errorf("row %d read twice", id)
		}
		got[id] = r[1].(time.Time)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if d, ok := got[r[0].(int64)]; !ok || !d.Equal(r[1].(time.Time)) {
			t.Fatalf("row %v read back as %v (present %v)", r, d, ok)
		}
	}
	if len(got) != len(rows) {
		t.Fatalf("read %d rows, wrote %d", len(got), len(rows))
	}

	bad := slices.Clone(rows)
	bad[len(bad)-3] = Row{"not a long", date(2026, 3, 10)} // in the second lane
	if _, err := tbl.Append(ctx, bad, CommitOptions{}); err == nil {
		t.Fatal("a write with a mistyped value succeeded")
	}
	after, err := tbl.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after.Version() != snap.Version() {
		t.Fatalf("the failed write committed version %d", after.Version())
	}
	onDisk := 0
	_ = filepath.Walk(tbl.Path(), func(p string, info os.FileInfo, err error) error {
		if err == nil && filepath.Ext(p) == ".parquet" {
			onDisk++
		}
		return nil
	})
	if onDisk != len(snap.Files()) {
		t.Fatalf("%d data files on disk, the table has %d: the failed write left files behind", onDisk, len(snap.Files()))
	}
}

func mustLayout(t *testing.T, tbl *Table) *layout {
	t.Helper()
	snap, err := tbl.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return snap.st.lay
}
