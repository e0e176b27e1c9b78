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
		tbl, err := openAt(root, 0)
		if err != nil || tbl.Version() != 0 {
			t.Fatalf("version 0 (before the upgrade) must stay readable: %v", err)
		}
	})
	t.Run("in a checkpoint", func(t *testing.T) {
		root := t.TempDir()
		writeLog(t, root, `{"protocol":{"minReaderVersion":1,"minWriterVersion":2}}`+"\n"+testMetadata)
		st := newTableState()
		if err := applyCommitFile(root, 0, st); err != nil {
			t.Fatal(err)
		}
		st.protocol = &Protocol{MinReaderVersion: 3, MinWriterVersion: 7, ReaderFeatures: []string{"fancyFeature"}, WriterFeatures: []string{"fancyFeature"}}
		if err := writeCheckpoint(&Snapshot{root: root, version: 0, st: st}); err != nil {
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

// openAt loads one version of the table at root.
func openAt(root string, version int64) (*Snapshot, error) { return loadSnapshot(root, version) }

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
	if err := writeCheckpoint(&Snapshot{root: root, version: 3, st: st}); err != nil {
		t.Fatal(err)
	}
	a, err := readCheckpoint(checkpointRef{version: 3, files: []string{filepath.Join(logDir(root), "00000000000000000003.checkpoint.parquet")}})
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
// the updated ones twice; it must give exactly Spark's rows, or refuse.
func TestSparkDeletionVectorsPastACheckpoint(t *testing.T) {
	root := deltaRSCheckpoint(t, filepath.Join(sparkCase(t, "deletion_vectors"), "delta"))
	l, _ := listLog(root)
	if _, ok := l.latestCheckpoint(4); !ok {
		t.Fatal("delta-rs wrote no checkpoint")
	}
	cp, _ := l.latestCheckpoint(4)
	a, err := readCheckpoint(cp)
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
	_, err = Open(root)
	wantUnsupported(t, err, "deletionVectors", false)
}
