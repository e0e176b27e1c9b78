package delta

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseLog feeds damaged commit files to the log parser and the replay
// that follows it: they must return errors, never panic.
// Run with: go test ./delta -run '^$' -fuzz FuzzParseLog -fuzztime 60s
func FuzzParseLog(f *testing.F) {
	seeds := referenceSeeds(f, filepath.Join("*", "*", "_delta_log", "*.json"))
	more := referenceSeeds(f, filepath.Join("dat", "*", "delta", "_delta_log", "*.json"))
	for _, p := range append(seeds, more...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"add":{"path":"%zz","partitionValues":{"a":null},"size":-1,"dataChange":true,"stats":"{"}}`))
	f.Add([]byte(`{"metaData":{"schemaString":"{\"type\":\"struct\",\"fields\":[{\"name\":\"a\",\"type\":{\"type\":\"array\"}}]}","partitionColumns":["b"]}}`))
	f.Add([]byte("{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":2}}\n\n{\"txn\":{\"appId\":\"x\",\"version\":-5}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := parseCommit(data)
		if err != nil {
			return
		}
		st := newTableState()
		if err := st.apply(a); err != nil {
			return
		}
		if st.validate(0) != nil {
			return
		}
		snap := &Snapshot{root: fileStore{t.TempDir()}, st: st}
		for _, f := range snap.Files() {
			f.ParsedStats()
			f.NumRecords()
		}
		if st.lay != nil {
			checkpointRows(st, 0)
		}
	})
}

// FuzzReadCheckpoint feeds damaged checkpoint files to the checkpoint
// reader: errors are fine, panics are not (parquet-go's generic reader
// panics on some damage; readCheckpointPart must turn that into an error).
// Run with: go test ./delta -run '^$' -fuzz FuzzReadCheckpoint -fuzztime 60s
func FuzzReadCheckpoint(f *testing.F) {
	seeds := referenceSeeds(f, filepath.Join("golden", "*", "_delta_log", "*.checkpoint*.parquet"))
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "00000000000000000001.checkpoint.parquet")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		a, err := readCheckpoint(checkpointRef{version: 1, files: []string{filepath.Base(path)}, root: fileStore{filepath.Dir(path)}})
		if err == nil {
			newTableState().apply(a)
		}
	})
}

// FuzzScanDataFile feeds damaged data files to the row reader: errors are
// fine, panics are not.
// Run with: go test ./delta -run '^$' -fuzz FuzzScanDataFile -fuzztime 60s
func FuzzScanDataFile(f *testing.F) {
	ctx := context.Background()
	tbl, err := Create(filepath.Join(f.TempDir(), "t"), silverSchema, []string{"event_date"})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := tbl.Append(ctx, silverRows(20), CommitOptions{}); err != nil {
		f.Fatal(err)
	}
	snap, _ := tbl.Snapshot(ctx)
	file := snap.Files()[0]
	path := filepath.Join(tbl.Path(), filepath.FromSlash(file.Path))
	seed, _ := os.ReadFile(path)
	f.Add(seed)
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "f.parquet")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		s := &Snapshot{root: fileStore{filepath.Dir(p)}, version: snap.version, st: snap.st}
		proj, _ := s.projection(nil)
		s.scanFile(AddFile{Path: "f.parquet", PartitionValues: file.PartitionValues}, proj, func(Row) error { return nil })
	})
}
