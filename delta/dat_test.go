package delta

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestDAT reads every Delta Acceptance Testing case at every version that
// has expected rows, and compares the rows as unordered multisets.
func TestDAT(t *testing.T) {
	root := filepath.Join(referenceDir(t), "dat")
	cases, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, c := range cases {
		caseDir := filepath.Join(root, c.Name())
		t.Run(c.Name(), func(t *testing.T) {
			tbl, err := Open(filepath.Join(caseDir, "delta"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(caseDir, "parquet", "table_content.parquet")); err == nil {
				snap, err := tbl.Snapshot(ctx)
				if err != nil {
					t.Fatal(err)
				}
				gn, got := snapshotRows(t, snap)
				wn, want := readPlainParquet(t, filepath.Join(caseDir, "parquet", "table_content.parquet"))
				sameRows(t, gn, got, wn, want)
				return
			}
			versions, err := os.ReadDir(filepath.Join(caseDir, "expected"))
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range versions {
				exp := filepath.Join(caseDir, "expected", v.Name())
				t.Run(v.Name(), func(t *testing.T) {
					var meta struct {
						Version          int64 `json:"version"`
						MinReaderVersion int   `json:"min_reader_version"`
						MinWriterVersion int   `json:"min_writer_version"`
					}
					b, err := os.ReadFile(filepath.Join(exp, "table_version_metadata.json"))
					if err != nil {
						t.Fatal(err)
					}
					if err := json.Unmarshal(b, &meta); err != nil {
						t.Fatal(err)
					}
					snap, err := tbl.SnapshotAt(ctx, meta.Version)
					if v.Name() == "latest" {
						snap, err = tbl.Snapshot(ctx)
					}
					if err != nil {
						t.Fatal(err)
					}
					if snap.Version() != meta.Version {
						t.Fatalf("version = %d, want %d", snap.Version(), meta.Version)
					}
					p := snap.Protocol()
					if p.MinReaderVersion != meta.MinReaderVersion || p.MinWriterVersion != meta.MinWriterVersion {
						t.Fatalf("protocol = %d/%d, want %d/%d", p.MinReaderVersion, p.MinWriterVersion, meta.MinReaderVersion, meta.MinWriterVersion)
					}
					gn, got := snapshotRows(t, snap)
					wn, want := readPlainParquet(t, filepath.Join(exp, "table_content.parquet"))
					sameRows(t, gn, got, wn, want)
				})
			}
		})
	}
}
