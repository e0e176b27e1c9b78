package delta

import (
	"bytes"
	"context"
	"encoding/binary"
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

// FuzzDeletionVector feeds damaged deletion vectors to the decoder: as a
// deletion vector file (version, size, bitmap, checksum) and as the
// bitmap itself; as inline Z85 text too. Errors are fine, panics and
// unbounded allocations are not.
// Run with: go test ./delta -run '^$' -fuzz FuzzDeletionVector -fuzztime 60s
func FuzzDeletionVector(f *testing.F) {
	for _, p := range referenceSeeds(f, filepath.Join("spark", "deletion_vectors", "delta", "deletion_vector_*.bin")) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b, int32(1))
		}
	}
	native, _ := z85Decode("wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L")
	f.Add(native, int32(0))
	portable := binary.LittleEndian.AppendUint32(nil, dvMagic)
	portable = append(portable, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x3a, 0x30, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 5, 0)
	f.Add(portable, int32(0))
	f.Fuzz(func(t *testing.T, data []byte, offset int32) {
		if bm, err := decodeDVBitmap(data); err == nil {
			bm.GetCardinality()
			checkDVFits(bm, AddFile{Path: "f", DeletionVector: &DeletionVector{StorageType: "i", PathOrInlineDv: "x"}}, 1000)
		}
		if len(data) > 5 {
			size := int32(binary.BigEndian.Uint32(data[1:5]))
			if b, err := parseDVFile(bytes.NewReader(data), int64(len(data)), int64(offset), size); err == nil {
				decodeDVBitmap(b)
			}
		}
		dv := &DeletionVector{StorageType: "u", PathOrInlineDv: string(data), Offset: &offset, SizeInBytes: offset, Cardinality: 1}
		for _, st := range []string{"u", "i", "p"} {
			dv.StorageType = st
			if dv.validate() == nil {
				dv.location()
			}
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
		a, err := readCheckpoint(context.Background(), checkpointRef{version: 1, files: []string{filepath.Base(path)}, root: fileStore{filepath.Dir(path)}})
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
		s.scanFile(context.Background(), AddFile{Path: "f.parquet", PartitionValues: file.PartitionValues}, proj, func(Row) error { return nil })
	})
}
