package delta

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// OptimizeResult reports what Optimize did.
type OptimizeResult struct {
	// Version is the OPTIMIZE commit, or -1 when there was nothing to do.
	Version             int64
	PartitionsOptimized int
	FilesRemoved        int
	FilesAdded          int
	Rows                int64
}

// Optimize compacts the small files (below the 128 MB target) of every
// partition passing partitionFilter (nil for all) that has more than one,
// rewriting each such partition's small files into as few files as
// possible. All partitions are committed in one commit whose actions carry
// dataChange=false, so streaming readers of the table's changes skip it and
// the rows, and the result of every query, stay the same. It conflicts only
// with a concurrent commit that removes one of the same files.
func (t *Table) Optimize(ctx context.Context, partitionFilter func(partitionValues map[string]string) bool) (OptimizeResult, error) {
	res := OptimizeResult{Version: -1}
	snap, err := t.Snapshot(ctx)
	if err != nil {
		return res, err
	}
	if err := snap.writable(nil); err != nil {
		return res, err
	}
	if snap.st.layErr != nil {
		return res, snap.st.layErr
	}
	l := snap.st.lay
	groups := map[string][]AddFile{}
	var keys []string
	for _, f := range snap.Files() {
		if f.Size >= targetFileBytes || (partitionFilter != nil && !partitionFilter(f.PartitionValues)) {
			continue
		}
		vals := make([]string, len(l.partition))
		for i, c := range l.partition {
			vals[i] = f.PartitionValues[c.field.Name]
		}
		k := partitionKey(vals)
		if groups[k] == nil {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], f)
	}
	slices.Sort(keys)
	proj, err := snap.projection(nil)
	if err != nil {
		return res, err
	}
	mw := newMultiWriter(ctx, t.root, l)
	now := time.Now().UnixMilli()
	var removes []RemoveFile
	for _, k := range keys {
		files := groups[k]
		if len(files) < 2 {
			continue
		}
		res.PartitionsOptimized++
		// The partition's files are decoded in parallel, and rewritten in
		// their order.
		err := snap.scanAll(ctx, files, proj, func(r Row) error { res.Rows++; return mw.write(r, int(res.Rows-1)) })
		if err != nil {
			mw.abort()
			if ctx.Err() != nil {
				return res, err
			}
			return res, fmt.Errorf("delta: optimize: %w", err)
		}
		for _, f := range files {
			removes = append(removes, f.removal(now, false))
		}
	}
	adds, err := mw.finish()
	if err != nil {
		return res, err
	}
	if len(removes) == 0 {
		return res, nil
	}
	for i := range adds {
		adds[i].DataChange = false
	}
	plan := &commitPlan{adds: adds, removes: removes, op: "OPTIMIZE",
		params: map[string]any{"predicate": "[]", "zOrderBy": "[]", "auto": false}}
	v, err := t.commitOrClean(ctx, snap, plan)
	if err != nil {
		return res, err
	}
	res.Version, res.FilesRemoved, res.FilesAdded = v, len(removes), len(adds)
	return res, nil
}

// TargetFileBytes is the size Optimize compacts towards: files at or above
// it are never rewritten, so a compaction policy counts only the files
// below it.
const TargetFileBytes = targetFileBytes
