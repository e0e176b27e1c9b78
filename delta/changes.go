package delta

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
)

// Change is the data change of one commit: the files it added and removed
// with dataChange=true. Rearrangements that leave the rows as they were
// (optimize's compaction writes dataChange=false) are left out, so that a
// consumer following the feed never sees a row twice.
type Change struct {
	Version int64
	Adds    []AddFile
	Removes []RemoveFile
}

// Changes returns the data changes of the commits after version from up to
// and including version to, oldest first: what an incremental consumer that
// has processed the table up to from must process next. A commit that
// changed no data still appears, with no files. It reads only those commit
// files, so its cost is proportional to the range, not the table.
func (t *Table) Changes(ctx context.Context, from, to int64) ([]Change, error) {
	if from < -1 || to < from {
		return nil, fmt.Errorf("delta: invalid change range (%d, %d]", from, to)
	}
	out := make([]Change, 0, to-from)
	for v := from + 1; v <= to; v++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		a, err := readCommit(ctx, t.root, v)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: commit %d is not in the log (cleaned up, or not yet written)", ErrVersionNotFound, v)
		}
		if err != nil {
			return nil, err
		}
		c := Change{Version: v}
		for _, f := range a.adds {
			if f.DataChange {
				c.Adds = append(c.Adds, f)
			}
		}
		for _, r := range a.removes {
			if r.DataChange {
				c.Removes = append(c.Removes, r)
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// ScanFiles is ScanColumns over the given files rather than the snapshot's
// active ones: the files a change feed names, which a later commit may have
// removed from the table but not yet vacuumed. Rows are decoded with the
// snapshot's schema.
func (s *Snapshot) ScanFiles(ctx context.Context, files []AddFile, columns []string, fn func(Row) error) error {
	proj, err := s.projection(columns)
	if err != nil {
		return err
	}
	logical := make([]AddFile, len(files))
	for i, f := range files {
		logical[i] = s.logicalFile(f)
	}
	return s.scanAll(ctx, logical, proj, fn)
}
