package delta

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeLog writes commit files 0, 1, … with the given newline-separated
// actions: tables with protocols this package cannot write itself.
func writeLog(t *testing.T, root string, commits ...string) {
	t.Helper()
	if err := os.MkdirAll(logDir(root), 0o755); err != nil {
		t.Fatal(err)
	}
	for v, c := range commits {
		if err := os.WriteFile(commitFile(root, int64(v)), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const (
	testSchemaString = `{\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}}]}`
	testMetadata     = `{"metaData":{"id":"t","format":{"provider":"parquet","options":{}},"schemaString":"` + testSchemaString + `","partitionColumns":[],"configuration":{}}}`
)

// wantUnsupported fails unless err is an *UnsupportedFeatureError naming
// feature, for writes or reads as write says, with the documented message.
func wantUnsupported(t *testing.T, err error, feature string, write bool) {
	t.Helper()
	var uf *UnsupportedFeatureError
	if !errors.Is(err, ErrUnsupportedFeature) || !errors.As(err, &uf) {
		t.Fatalf("err = %v, want an unsupported feature error", err)
	}
	if errors.Is(err, ErrCorruptLog) {
		t.Fatalf("err = %v: an unsupported feature is not corruption", err)
	}
	role := "reader"
	if write {
		role = "writer"
	}
	want := `table requires ` + role + ` feature "` + feature + `"`
	if uf.Feature != feature || uf.Write != write || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "(supported: ") {
		t.Fatalf("err = %q, want it to contain %q and the supported features", err, want)
	}
}

func TestUnknownReaderFeatureIsRefusedByName(t *testing.T) {
	protocol := `{"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["fancyFeature"],"writerFeatures":["fancyFeature"]}}`
	t.Run("in a commit", func(t *testing.T) {
		root := t.TempDir()
		writeLog(t, root, protocol+"\n"+testMetadata)
		_, err := Open(root)
		wantUnsupported(t, err, "fancyFeature", false)
	})
	t.Run("before actions the feature may govern", func(t *testing.T) {
		// An add this reader cannot parse comes after a protocol it cannot
		// read: the protocol decides, the add is not called corrupt.
		root := t.TempDir()
		writeLog(t, root, `{"add":{"path":"/abs/x.parquet","size":1}}`+"\n"+protocol+"\n"+testMetadata)
		_, err := Open(root)
		wantUnsupported(t, err, "fancyFeature", false)
	})
	t.Run("in a later commit", func(t *testing.T) {
		root := t.TempDir()
		writeLog(t, root, `{"protocol":{"minReaderVersion":1,"minWriterVersion":2}}`+"\n"+testMetadata, protocol)
		_, err := Open(root)
		wantUnsupported(t, err, "fancyFeature", false)
		tbl, err := snapshotAt(root, 0)
		if err != nil || tbl.Version() != 0 {
			t.Fatalf("version 0 (before the upgrade) must stay readable: %v", err)
		}
	})
	t.Run("in a checkpoint", func(t *testing.T) {
		root := t.TempDir()
		writeLog(t, root, `{"protocol":{"minReaderVersion":1,"minWriterVersion":2}}`+"\n"+testMetadata)
		st := newTableState()
		if err := applyCommitFile(context.Background(), fileStore{root}, 0, st); err != nil {
			t.Fatal(err)
		}
		st.protocol = &Protocol{MinReaderVersion: 3, MinWriterVersion: 7, ReaderFeatures: []string{"fancyFeature"}, WriterFeatures: []string{"fancyFeature"}}
		if err := writeCheckpoint(context.Background(), &Snapshot{root: fileStore{root}, version: 0, st: st}); err != nil {
			t.Fatal(err)
		}
		// The refusal must not fall back to replaying the JSON commits,
		// which would read the table without the feature.
		_, err := Open(root)
		wantUnsupported(t, err, "fancyFeature", false)
	})
	t.Run("reader version 4", func(t *testing.T) {
		root := t.TempDir()
		writeLog(t, root, `{"protocol":{"minReaderVersion":4,"minWriterVersion":7,"readerFeatures":[],"writerFeatures":[]}}`+"\n"+testMetadata)
		_, err := Open(root)
		if !errors.Is(err, ErrUnsupportedFeature) || !strings.Contains(err.Error(), "reader version 4") {
			t.Fatalf("err = %v", err)
		}
	})
}

// snapshotAt loads one version of the table at root.
func snapshotAt(root string, version int64) (*Snapshot, error) {
	return loadSnapshot(context.Background(), fileStore{root}, version)
}

func TestReaderVersion3WithoutFeaturesIsCorrupt(t *testing.T) {
	root := t.TempDir()
	writeLog(t, root, `{"protocol":{"minReaderVersion":3,"minWriterVersion":7,"writerFeatures":[]}}`+"\n"+testMetadata)
	if _, err := Open(root); !errors.Is(err, ErrCorruptLog) || !strings.Contains(err.Error(), "no readerFeatures") {
		t.Fatalf("err = %v, want a corrupt log error about the missing readerFeatures", err)
	}
}

func TestUnknownWriterFeatureIsNeverWritten(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	writeLog(t, root, `{"protocol":{"minReaderVersion":1,"minWriterVersion":7,"writerFeatures":["appendOnly","fancyWriterFeature"]}}`+"\n"+testMetadata)
	tbl, err := Open(root)
	if err != nil {
		t.Fatalf("a writer feature must not stop reading: %v", err)
	}
	_, err = tbl.Append(ctx, []Row{{int64(1)}}, CommitOptions{})
	wantUnsupported(t, err, "fancyWriterFeature", true)
	_, err = tbl.OverwritePartitions(ctx, []map[string]string{{}}, nil, CommitOptions{})
	wantUnsupported(t, err, "fancyWriterFeature", true)
	_, err = tbl.Optimize(ctx, nil)
	wantUnsupported(t, err, "fancyWriterFeature", true)
	_, err = tbl.Vacuum(ctx, 0, true)
	wantUnsupported(t, err, "fancyWriterFeature", true)
	entries, _ := os.ReadDir(root)
	if len(entries) != 1 {
		t.Fatalf("the refused writes left files behind: %v", entries)
	}
	if _, err := os.Stat(commitFile(root, 1)); err == nil {
		t.Fatal("a commit was written")
	}
}

func TestWriterFeaturesSupportedOnlyWhileUnused(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		feature, schemaMeta, config string
	}{
		{"invariants", `{\"delta.invariants\":\"{\\\"expression\\\":{\\\"expression\\\":\\\"id > 0\\\"}}\"}`, `{}`},
		{"checkConstraints", `{}`, `{"delta.constraints.positive":"id > 0"}`},
		{"changeDataFeed", `{}`, `{"delta.enableChangeDataFeed":"true"}`},
	} {
		t.Run(c.feature, func(t *testing.T) {
			root := t.TempDir()
			schema := `{\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,\"metadata\":` + c.schemaMeta + `}]}`
			writeLog(t, root, `{"protocol":{"minReaderVersion":1,"minWriterVersion":7,"writerFeatures":["`+c.feature+`"]}}`+"\n"+
				`{"metaData":{"id":"t","format":{"provider":"parquet","options":{}},"schemaString":"`+schema+`","partitionColumns":[],"configuration":`+c.config+`}}`)
			tbl, err := Open(root)
			if err != nil {
				t.Fatal(err)
			}
			_, err = tbl.Append(ctx, []Row{{int64(1)}}, CommitOptions{})
			wantUnsupported(t, err, c.feature, true)
		})
	}
	t.Run("unused", func(t *testing.T) {
		root := t.TempDir()
		writeLog(t, root, `{"protocol":{"minReaderVersion":1,"minWriterVersion":7,"writerFeatures":["invariants","checkConstraints","changeDataFeed","appendOnly"]}}`+"\n"+testMetadata)
		tbl, err := Open(root)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tbl.Append(ctx, []Row{{int64(1)}}, CommitOptions{}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestAppendOnlyTableRefusesRemoves(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	writeLog(t, root, `{"protocol":{"minReaderVersion":1,"minWriterVersion":2}}`+"\n"+
		`{"metaData":{"id":"t","format":{"provider":"parquet","options":{}},"schemaString":"`+testSchemaString+`","partitionColumns":[],"configuration":{"delta.appendOnly":"true"}}}`)
	tbl, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tbl.Append(ctx, []Row{{int64(1)}}, CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := tbl.OverwritePartitions(ctx, []map[string]string{{}}, []Row{{int64(2)}}, CommitOptions{}); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("overwrite of an append-only table: err = %v", err)
	}
}

// TestFinPipeTablesKeepTodaysProtocol: the features this package reads do
// not raise the protocol of the tables it creates.
func TestFinPipeTablesKeepTodaysProtocol(t *testing.T) {
	tbl, err := Create(filepath.Join(t.TempDir(), "t"), silverSchema, []string{"event_date"})
	if err != nil {
		t.Fatal(err)
	}
	snap, _ := tbl.Snapshot(context.Background())
	if p := snap.Protocol(); p.MinReaderVersion != 1 || p.MinWriterVersion != 2 || p.ReaderFeatures != nil || p.WriterFeatures != nil {
		t.Fatalf("protocol = %+v, want reader 1, writer 2", p)
	}
}

// TestCheckpointKeepsFeaturesAndDeletionVectors: a checkpoint this package
// writes keeps the protocol's features and every file's deletion vector,
// and reading it gives them back. Losing either read wrong rows silently.
func TestCheckpointKeepsFeaturesAndDeletionVectors(t *testing.T) {
	off := int32(1)
	dv := &DeletionVector{StorageType: "u", PathOrInlineDv: "kVEr6b7J2eKq0u9/>Dw:", Offset: &off, SizeInBytes: 176, Cardinality: 72}
	inline := &DeletionVector{StorageType: "i", PathOrInlineDv: "wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L", SizeInBytes: 40, Cardinality: 6}
	st := newTableState()
	st.protocol = &Protocol{MinReaderVersion: 3, MinWriterVersion: 7, ReaderFeatures: []string{"deletionVectors"}, WriterFeatures: []string{"deletionVectors", "appendOnly"}}
	st.metadata = &Metadata{ID: "t", Format: Format{Provider: "parquet"}, SchemaString: silverSchema.String(), PartitionColumns: []string{}}
	st.files["a.parquet"] = AddFile{Path: "a.parquet", Size: 10, DataChange: true, DeletionVector: dv}
	st.files["b.parquet"] = AddFile{Path: "b.parquet", Size: 10, DataChange: true, DeletionVector: inline}
	st.files["c.parquet"] = AddFile{Path: "c.parquet", Size: 10, DataChange: true}
	st.tombstones["d.parquet"] = RemoveFile{Path: "d.parquet", DeletionTimestamp: 1 << 50, DataChange: true, DeletionVector: dv}
	root := t.TempDir()
	os.MkdirAll(logDir(root), 0o755)
	if err := writeCheckpoint(context.Background(), &Snapshot{root: fileStore{root}, version: 3, st: st}); err != nil {
		t.Fatal(err)
	}
	a, err := readCheckpoint(context.Background(), checkpointRef{version: 3, files: []string{logDirName + "/00000000000000000003.checkpoint.parquet"}, root: fileStore{root}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.protocol.ReaderFeatures, st.protocol.ReaderFeatures) || !slices.Equal(a.protocol.WriterFeatures, st.protocol.WriterFeatures) {
		t.Fatalf("protocol = %+v, want %+v", a.protocol, st.protocol)
	}
	got := map[string]*DeletionVector{}
	for _, f := range a.adds {
		got[f.Path] = f.DeletionVector
	}
	for _, r := range a.removes {
		got[r.Path] = r.DeletionVector
	}
	for path, want := range map[string]*DeletionVector{"a.parquet": dv, "b.parquet": inline, "c.parquet": nil, "d.parquet": dv} {
		if got[path].uniqueID() != want.uniqueID() || (want != nil && (got[path].SizeInBytes != want.SizeInBytes || got[path].Cardinality != want.Cardinality)) {
			t.Fatalf("%s: deletion vector %+v, want %+v", path, got[path], want)
		}
	}
}

// deltaRSCheckpoint copies a reference table and has delta-rs (an
// independent writer) write its checkpoint at the latest version. It skips
// without delta-rs.
func deltaRSCheckpoint(t *testing.T, src string) string {
	t.Helper()
	python := os.Getenv("FINPIPE_PYTHON")
	if python == "" {
		python = filepath.Join("..", ".venv", "bin", "python")
	}
	if out, err := exec.Command(python, "-c", "import deltalake").CombinedOutput(); err != nil {
		t.Skipf("delta-rs checkpoint skipped: no deltalake in %s (`make venv` or FINPIPE_PYTHON): %v %s", python, err, out)
	}
	root := copyTable(t, src)
	out, err := exec.Command(python, "-c", "import sys, deltalake; deltalake.DeltaTable(sys.argv[1]).create_checkpoint()", root).CombinedOutput()
	if err != nil {
		t.Fatalf("delta-rs create_checkpoint: %v\n%s", err, out)
	}
	return root
}

// TestSparkDeletionVectorsPastACheckpoint is the table of the issue: Spark
// deleted and updated rows with deletion vectors, then a checkpoint was
// written. Reading it past the checkpoint gave the deleted rows back and
// the updated ones twice; it must give exactly Spark's rows. The
// checkpoint comes from delta-rs (an independent writer) when it is
// installed, and from this package's own checkpoint writer always; the
// JSON commits it covers are deleted so that only the checkpoint can
// explain the table.
func TestSparkDeletionVectorsPastACheckpoint(t *testing.T) {
	src := filepath.Join(sparkCase(t, "deletion_vectors"), "delta")
	expected := filepath.Join(sparkCase(t, "deletion_vectors"), "expected", "latest.jsonl")
	check := func(t *testing.T, root string) {
		t.Helper()
		l, _ := listLog(context.Background(), fileStore{root})
		cp, ok := l.latestCheckpoint(4)
		if !ok || cp.version != 4 {
			t.Fatal("no checkpoint at version 4")
		}
		a, err := readCheckpoint(context.Background(), cp)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(a.protocol.ReaderFeatures, "deletionVectors") {
			t.Fatalf("checkpoint protocol %+v lost its reader features", a.protocol)
		}
		withDV := 0
		for _, f := range a.adds {
			if f.DeletionVector != nil {
				withDV++
			}
		}
		if withDV != 9 {
			t.Fatalf("%d files with a deletion vector in the checkpoint, want 9", withDV)
		}
		for v := int64(0); v < 4; v++ {
			os.Remove(commitFile(root, v))
		}
		snap, err := loadSnapshot(context.Background(), fileStore{root}, -1)
		if err != nil {
			t.Fatal(err)
		}
		sameSparkRows(t, snap, expected)
	}
	t.Run("written by this package", func(t *testing.T) {
		root := copyTable(t, src)
		snap, err := loadSnapshot(context.Background(), fileStore{root}, -1)
		if err != nil {
			t.Fatal(err)
		}
		if err := writeCheckpoint(context.Background(), snap); err != nil {
			t.Fatal(err)
		}
		check(t, root)
	})
	t.Run("written by delta-rs", func(t *testing.T) {
		check(t, deltaRSCheckpoint(t, src))
	})
}

// TestDeletionVectorDamage: a deletion vector that is missing, truncated,
// or does not match the log is an error naming the file, never rows.
func TestDeletionVectorDamage(t *testing.T) {
	src := filepath.Join(sparkCase(t, "deletion_vectors"), "delta")
	const dvFile = "deletion_vector_4054f27e-2280-42d3-9013-85dfd9698bc6.bin" // version 1's vectors
	cases := []struct {
		name   string
		damage func(t *testing.T, root string)
		want   error
		says   string
	}{
		{"missing", func(t *testing.T, root string) { os.Remove(filepath.Join(root, dvFile)) }, ErrFileMissing, "not on disk"},
		{"truncated", func(t *testing.T, root string) { os.Truncate(filepath.Join(root, dvFile), 300) }, ErrCorruptFile, "truncated"},
		{"empty", func(t *testing.T, root string) { os.Truncate(filepath.Join(root, dvFile), 0) }, ErrCorruptFile, "empty file"},
		{"checksum", func(t *testing.T, root string) { flipByte(t, filepath.Join(root, dvFile), 20) }, ErrCorruptFile, "checksum mismatch"},
		{"size in the log", func(t *testing.T, root string) {
			editCommit(t, root, 1, `"offset":1,"sizeInBytes":176`, `"offset":1,"sizeInBytes":175`)
		}, ErrCorruptFile, "the log says 175"},
		{"cardinality in the log", func(t *testing.T, root string) {
			editCommit(t, root, 1, `"sizeInBytes":176,"cardinality":72`, `"sizeInBytes":176,"cardinality":70`)
		}, ErrCorruptFile, "the log says 70"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := copyTable(t, src)
			c.damage(t, root)
			snap, err := loadSnapshot(context.Background(), fileStore{root}, 1)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := snap.Rows(context.Background(), nil)
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), dvFile) || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("err = %v, want %v naming %s and saying %q", err, c.want, dvFile, c.says)
			}
			if rows != nil {
				t.Fatalf("%d rows returned with the error", len(rows))
			}
		})
	}
}

// flipByte inverts one byte of a file.
func flipByte(t *testing.T, file string, at int) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	b[at] ^= 0xff
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// editCommit replaces the first occurrence of old in a commit file.
func editCommit(t *testing.T, root string, v int64, old, new string) {
	t.Helper()
	b, err := os.ReadFile(commitFile(root, v))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("commit %d has no %s", v, old)
	}
	if err := os.WriteFile(commitFile(root, v), []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestInlineDeletionVector reads the protocol's example of an inline
// vector (rows 3, 4, 7, 11, 18, 29 removed).
func TestInlineDeletionVector(t *testing.T) {
	dv := &DeletionVector{StorageType: "i", PathOrInlineDv: "wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L", SizeInBytes: 40, Cardinality: 6}
	s := &Snapshot{root: fileStore{t.TempDir()}}
	add := AddFile{Path: "f.parquet", DeletionVector: dv}
	bm, err := s.deletedRows(context.Background(), add)
	if err != nil {
		t.Fatal(err)
	}
	if got := bm.ToArray(); !slices.Equal(got, []uint64{3, 4, 7, 11, 18, 29}) {
		t.Fatalf("rows = %v", got)
	}
	if err := checkDVFits(bm, add, 30); err != nil {
		t.Fatal(err)
	}
	if err := checkDVFits(bm, add, 29); !errors.Is(err, ErrCorruptFile) {
		t.Fatalf("a vector past the file's last row: err = %v", err)
	}
}

// TestVacuumKeepsDeletionVectorFiles: a deletion vector file is referenced
// only through the vectors of live files; vacuum must not delete it.
func TestVacuumKeepsDeletionVectorFiles(t *testing.T) {
	root := copyTable(t, filepath.Join(sparkCase(t, "deletion_vectors"), "delta"))
	tbl, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	deleted, err := tbl.Vacuum(context.Background(), 0, true)
	if err != nil {
		t.Fatal(err)
	}
	snap, _ := tbl.Snapshot(context.Background())
	for _, f := range deleted {
		if strings.HasPrefix(f, "deletion_vector_") {
			// Version 1's vectors were all replaced by version 2's; the
			// two files the live files use must stay.
			if f != "deletion_vector_4054f27e-2280-42d3-9013-85dfd9698bc6.bin" {
				t.Fatalf("vacuum would delete %s, which the latest version uses", f)
			}
		}
	}
	if _, err := snap.Rows(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
}

// TestWriteSparkDeletionVectorTable: this package writes a table with
// deletion vectors only as the feature allows: compaction reads the live
// rows, and removes each file together with its deletion vector (the
// logical file); vacuum then keeps what the new version needs.
func TestWriteSparkDeletionVectorTable(t *testing.T) {
	ctx := context.Background()
	expected := filepath.Join(sparkCase(t, "deletion_vectors"), "expected", "latest.jsonl")
	root := copyTable(t, filepath.Join(sparkCase(t, "deletion_vectors"), "delta"))
	tbl, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := tbl.Snapshot(ctx)
	res, err := tbl.Optimize(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Version != 5 || res.Rows != 2720 {
		t.Fatalf("optimize = %+v, want version 5 with Spark's 2720 live rows", res)
	}
	a, err := readCommit(context.Background(), fileStore{root}, 5)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range a.removes {
		if want := before.st.files[r.Path].DeletionVector; r.DeletionVector.uniqueID() != want.uniqueID() {
			t.Fatalf("remove %s has deletion vector %+v, the file had %+v", r.Path, r.DeletionVector, want)
		}
	}
	if _, err := tbl.Vacuum(ctx, 0, false); err != nil {
		t.Fatal(err)
	}
	after, _ := tbl.Snapshot(ctx)
	sameSparkRows(t, after, expected)
}

// TestDeletionVectorsInColumnScans: the reads of lake check and of Gold's
// Silver reads (ScanColumns with a few columns, a partition filter) and
// the row counts from the log skip deleted rows too.
func TestDeletionVectorsInColumnScans(t *testing.T) {
	tbl, err := Open(filepath.Join(sparkCase(t, "deletion_vectors"), "delta"))
	if err != nil {
		t.Fatal(err)
	}
	snap, _ := tbl.Snapshot(context.Background())
	n, fromLog := 0, int64(0)
	err = snap.ScanColumns(context.Background(), []string{"id"}, func(pv map[string]string) bool { return pv["event_date"] != "" },
		func(r Row) error { n++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range snap.Files() {
		fromLog += f.NumRecords()
	}
	if n != 2720 || fromLog != 2720 {
		t.Fatalf("scanned %d rows, the log counts %d, want Spark's 2720", n, fromLog)
	}
}
