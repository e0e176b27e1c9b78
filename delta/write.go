package delta

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Append writes rows as new data files (split by partition, rolled at about
// 128 MB) and commits them, with opts.Txns, in one commit. A concurrent
// blind append does not make it fail; see ErrConflict for what does.
func (t *Table) Append(ctx context.Context, rows []Row, opts CommitOptions) (int64, error) {
	snap, err := t.Snapshot(ctx)
	if err != nil {
		return 0, err
	}
	if snap.st.layErr != nil {
		return 0, snap.st.layErr
	}
	adds, err := writeFiles(ctx, t.root, snap.st.lay, rows)
	if err != nil {
		return 0, err
	}
	plan := &commitPlan{adds: adds, txns: opts.Txns, op: "WRITE",
		params: map[string]any{"mode": "Append", "partitionBy": jsonText(snap.st.lay.partitionColumns())}}
	plan.setOptions(opts)
	return t.commitOrClean(ctx, snap, plan)
}

// OverwritePartitions removes every file of the given partitions and adds
// rows, in one commit: readers see either the old or the new content of
// those partitions, never a mix. A partition is a map from partition column
// to value in partitionValues form ("" for null); a column left out matches
// every value, so []map[string]string{{}} replaces the whole table. Every
// row must fall in one of the partitions.
func (t *Table) OverwritePartitions(ctx context.Context, partitions []map[string]string, rows []Row, opts CommitOptions) (int64, error) {
	snap, err := t.Snapshot(ctx)
	if err != nil {
		return 0, err
	}
	l := snap.st.lay
	if snap.st.layErr != nil {
		return 0, snap.st.layErr
	}
	for _, p := range partitions {
		for col := range p {
			if _, ok := l.partByName[col]; !ok {
				return 0, fmt.Errorf("delta: overwrite: %q is not a partition column", col)
			}
		}
	}
	for i, r := range rows {
		if len(r) != len(l.schema.Fields) {
			continue // writeFiles reports it
		}
		vals, err := l.partitionOf(r)
		if err != nil {
			return 0, err
		}
		pv := l.partitionMap(vals)
		if !anyPartitionMatches(pv, partitions) {
			return 0, fmt.Errorf("delta: overwrite: row %d is in partition %v, outside the partitions being replaced", i, pv)
		}
	}
	now := time.Now().UnixMilli()
	var removes []RemoveFile
	for _, f := range snap.Files() {
		if anyPartitionMatches(f.PartitionValues, partitions) {
			removes = append(removes, RemoveFile{Path: f.Path, DeletionTimestamp: now, DataChange: true,
				PartitionValues: f.PartitionValues, Size: f.Size, HasExtendedMeta: true})
		}
	}
	adds, err := writeFiles(ctx, t.root, l, rows)
	if err != nil {
		return 0, err
	}
	plan := &commitPlan{adds: adds, removes: removes, txns: opts.Txns, op: "WRITE", readPartitions: partitions,
		params: map[string]any{"mode": "Overwrite", "partitionBy": jsonText(l.partitionColumns()), "predicate": jsonText(partitions)}}
	if plan.readPartitions == nil {
		plan.readPartitions = []map[string]string{}
	}
	plan.setOptions(opts)
	return t.commitOrClean(ctx, snap, plan)
}

func anyPartitionMatches(pv map[string]string, partitions []map[string]string) bool {
	for _, p := range partitions {
		if matchesPartition(pv, p) {
			return true
		}
	}
	return false
}

func (p *commitPlan) setOptions(opts CommitOptions) {
	if opts.Operation != "" {
		p.op = opts.Operation
	}
	for k, v := range opts.OperationParameters {
		p.params[k] = v
	}
}

// commitOrClean commits and, when the commit fails, deletes the data files
// it added: they were never referenced by the log.
func (t *Table) commitOrClean(ctx context.Context, snap *Snapshot, plan *commitPlan) (int64, error) {
	v, err := t.commit(ctx, snap, plan)
	if err != nil {
		removeDataFiles(t.root, plan.adds)
		return 0, err
	}
	return v, nil
}

func removeDataFiles(root string, adds []AddFile) {
	for _, a := range adds {
		os.Remove(filepath.Join(root, filepath.FromSlash(a.Path)))
	}
}

// writeFiles streams rows into one open file per partition, rolling a file
// when it reaches targetFileBytes, and returns the add actions.
func writeFiles(ctx context.Context, root string, l *layout, rows []Row) (adds []AddFile, err error) {
	type open struct {
		fw   *fileWriter
		vals []string
	}
	writers := map[string]*open{}
	defer func() {
		if err != nil {
			for _, o := range writers {
				o.fw.abort()
			}
			removeDataFiles(root, adds)
			adds = nil
		}
	}()
	var noPartition []string
	for i, r := range rows {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return adds, err
			}
		}
		if len(r) != len(l.schema.Fields) {
			return adds, fmt.Errorf("delta: row %d has %d values, the schema has %d columns", i, len(r), len(l.schema.Fields))
		}
		vals := noPartition
		key := ""
		if len(l.partition) > 0 {
			if vals, err = l.partitionOf(r); err != nil {
				return adds, fmt.Errorf("delta: row %d: %w", i, err)
			}
			key = partitionKey(vals)
		}
		o := writers[key]
		if o == nil {
			fw, err := newFileWriter(root, l, vals)
			if err != nil {
				return adds, err
			}
			o = &open{fw: fw, vals: vals}
			writers[key] = o
		}
		if err := o.fw.write(r); err != nil {
			return adds, fmt.Errorf("delta: row %d: %w", i, err)
		}
		if o.fw.full() {
			delete(writers, key)
			a, err := o.fw.finish(o.vals)
			if err != nil {
				return adds, err
			}
			adds = append(adds, a)
		}
	}
	for key, o := range writers {
		delete(writers, key)
		a, err := o.fw.finish(o.vals)
		if err != nil {
			return adds, err
		}
		adds = append(adds, a)
	}
	return adds, nil
}

// isConflict reports whether err is a commit conflict.
func isConflict(err error) bool { return errors.Is(err, ErrConflict) }
