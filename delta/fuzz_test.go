package delta

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseLog feeds damaged commit files to the log parser and the replay
// that follows it: they must return errors, never panic.
// Run with: go test ./delta -run '^$' -fuzz FuzzParseLog -fuzztime 60s
func FuzzParseLog(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(referenceDir(f), "*", "*", "_delta_log", "*.json"))
	more, _ := filepath.Glob(filepath.Join(referenceDir(f), "dat", "*", "delta", "_delta_log", "*.json"))
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
		snap := &Snapshot{root: t.TempDir(), st: st}
		for _, f := range snap.Files() {
			f.ParsedStats()
			f.NumRecords()
		}
		if st.lay != nil {
			checkpointRows(st, 0)
		}
	})
}
