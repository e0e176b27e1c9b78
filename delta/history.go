package delta

import (
	"context"
	"errors"
	"io/fs"
)

// History returns the provenance of every commit still in the log, newest
// first, like Spark's DESCRIBE HISTORY. Counts of files and rows added are
// computed from each commit's add actions (RowsAdded is -1 when a file has
// no stats). Versions whose commit files were cleaned up are left out.
func (t *Table) History(ctx context.Context) ([]CommitInfo, error) {
	l, err := listLog(ctx, t.root)
	if err != nil {
		return nil, err
	}
	versions := l.sortedCommits()
	out := make([]CommitInfo, 0, len(versions))
	for i := len(versions) - 1; i >= 0; i-- {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		v := versions[i]
		a, err := readCommit(ctx, t.root, v)
		if errors.Is(err, fs.ErrNotExist) {
			continue // cleaned up while we listed
		}
		if err != nil {
			return nil, err
		}
		ci := CommitInfo{}
		if a.commitInfo != nil {
			ci = *a.commitInfo
		}
		ci.Version = v
		if ci.Timestamp.IsZero() {
			if st, err := t.root.stat(ctx, commitKey(v)); err == nil {
				ci.Timestamp = st.modTime.UTC()
			}
		}
		ci.FilesAdded, ci.FilesRemoved = len(a.adds), len(a.removes)
		for _, add := range a.adds {
			n := add.NumRecords()
			if n < 0 || ci.RowsAdded < 0 {
				ci.RowsAdded = -1
				continue
			}
			ci.RowsAdded += n
		}
		out = append(out, ci)
	}
	return out, nil
}
