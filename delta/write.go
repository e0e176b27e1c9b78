package delta

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"time"
)

// Append writes rows as new data files (split by partition, rolled at about
// 128 MB) and commits them, with opts.Txns, in one commit. A concurrent
// blind append does not make it fail; see ErrConflict for what does.
func (t *Table) Append(ctx context.Context, rows []Row, opts CommitOptions) (int64, error) {
	snap, err := t.writeSnapshot(ctx)
	if err != nil {
		return 0, err
	}
	adds, err := writeFiles(ctx, t.root, snap.st.lay, rows)
	if err != nil {
		return 0, err
	}
	return t.commitOrClean(ctx, snap, appendPlan(snap.st.lay, adds, opts))
}

// writeSnapshot is the table as it is now, for a write of data files: one
// that this writer may write (protocol) and whose schema it can lay out.
func (t *Table) writeSnapshot(ctx context.Context) (*Snapshot, error) {
	snap, err := t.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	if err := snap.writable(nil); err != nil {
		return nil, err
	}
	if snap.st.layErr != nil {
		return nil, snap.st.layErr
	}
	return snap, nil
}

// appendPlan is the commit of an append of the files adds: Append's and an
// Appender's are the same.
func appendPlan(l *layout, adds []AddFile, opts CommitOptions) *commitPlan {
	plan := &commitPlan{adds: adds, txns: opts.Txns, op: "WRITE",
		params: map[string]any{"mode": "Append", "partitionBy": jsonText(l.partitionColumns())}}
	plan.setOptions(opts)
	return plan
}

// OverwritePartitions removes every file of the given partitions and adds
// rows, in one commit: readers see either the old or the new content of
// those partitions, never a mix. A partition is a map from partition column
// to value in partitionValues form ("" for null); a column left out matches
// every value, so []map[string]string{{}} replaces the whole table. Every
// row must fall in one of the partitions.
func (t *Table) OverwritePartitions(ctx context.Context, partitions []map[string]string, rows []Row, opts CommitOptions) (int64, error) {
	snap, err := t.writeSnapshot(ctx)
	if err != nil {
		return 0, err
	}
	l := snap.st.lay
	for _, p := range partitions {
		for col := range p {
			if _, ok := l.partByName[col]; !ok {
				return 0, fmt.Errorf("delta: overwrite: %q is not a partition column", col)
			}
		}
	}
	// Consecutive rows usually share a partition: a row whose partition
	// values equal the previous row's needs no check of its own (formatting
	// and matching every row's values cost 0.27 CPU-s per million rows of
	// the pipeline bench).
	var lastRaw []any
	checked := false // whether lastRaw holds a checked row's values
	for i, r := range rows {
		if len(r) != len(l.schema.Fields) {
			checked = false
			continue // writeFiles reports it
		}
		if checked && sameRaw(l, r, lastRaw) {
			continue
		}
		checked = true
		lastRaw = lastRaw[:0]
		for _, c := range l.partition {
			lastRaw = append(lastRaw, r[c.pos])
		}
		vals, err := l.partitionOf(r)
		if err != nil {
			return 0, fmt.Errorf("delta: overwrite: row %d: %w", i, err)
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
			removes = append(removes, f.removal(now, true))
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
// it added: they were never referenced by the log. When the store failed
// so that the commit may have landed, they stay.
func (t *Table) commitOrClean(ctx context.Context, snap *Snapshot, plan *commitPlan) (int64, error) {
	v, err := t.commit(ctx, snap, plan)
	if err != nil {
		if !errors.Is(err, errOutcomeUnknown) {
			removeDataFiles(t.root, plan.adds)
		}
		return 0, err
	}
	return v, nil
}

// removeDataFiles deletes files no log entry references, best effort: what
// is left is an orphan that vacuum deletes later. It runs when the write's
// context may already be cancelled, so it does not take it.
func removeDataFiles(root storage, adds []AddFile) {
	for _, a := range adds {
		_ = root.remove(context.Background(), a.Path)
	}
}

// writeFiles writes rows through multiWriters and returns the add actions;
// on error every file it wrote is deleted. A large write is spread over
// lanes, one per core, written at the same time (see planLanes).
func writeFiles(ctx context.Context, root storage, l *layout, rows []Row) ([]AddFile, error) {
	lanes := planLanes(l, rows, runtime.GOMAXPROCS(0))
	if lanes == nil {
		return writeLane(ctx, root, l, rows, nil)
	}
	adds := make([][]AddFile, len(lanes))
	errs := make([]error, len(lanes))
	var wg sync.WaitGroup
	for i, lane := range lanes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A lane's panic (a bug) must not end the process from a
			// goroutine the caller cannot recover: it becomes the error.
			defer func() {
				if p := recover(); p != nil {
					errs[i] = fmt.Errorf("delta: write lane %d panicked: %v\n%s", i, p, debug.Stack())
				}
			}()
			adds[i], errs[i] = writeLane(ctx, root, l, rows, lane)
		}()
	}
	wg.Wait()
	var all []AddFile
	for i := range lanes {
		all = append(all, adds[i]...)
	}
	if err := errors.Join(errs...); err != nil {
		removeDataFiles(root, all) // the lanes that succeeded; the others cleaned up after themselves
		return nil, err
	}
	return all, nil
}

// writeLane writes the rows at the indexes given (nil: all rows) through
// one multiWriter; on error it deletes what it wrote.
func writeLane(ctx context.Context, root storage, l *layout, rows []Row, lane []int) ([]AddFile, error) {
	mw := newMultiWriter(ctx, root, l)
	n := len(rows)
	if lane != nil {
		n = len(lane)
	}
	for k := 0; k < n; k++ {
		i := k
		if lane != nil {
			i = lane[k]
		}
		if k%4096 == 0 {
			if err := ctx.Err(); err != nil {
				mw.abort()
				return nil, err
			}
		}
		if err := mw.write(rows[i], i); err != nil {
			mw.abort()
			return nil, fmt.Errorf("delta: %w", err)
		}
	}
	return mw.finish()
}

// multiWriter streams rows into one open file per partition, rolling a file
// when it reaches targetFileBytes.
type multiWriter struct {
	ctx     context.Context // of the one write or optimize this writer serves
	root    storage
	l       *layout
	writers map[string]*openFile
	adds    []AddFile
	// last and lastRaw remember the previous row's file and partition
	// values: consecutive rows usually share a partition, and comparing
	// values is much cheaper than formatting them.
	last    *openFile
	lastRaw []any
}

type openFile struct {
	fw   *fileWriter
	vals []string
	key  string
}

// fileFor returns the open file of r's partition, creating it if needed.
func (m *multiWriter) fileFor(r Row) (*openFile, error) {
	var vals []string
	key := ""
	if len(m.l.partition) > 0 {
		var err error
		if vals, err = m.l.partitionOf(r); err != nil {
			return nil, err
		}
		key = partitionKey(vals)
	}
	o := m.writers[key]
	if o == nil {
		fw, err := newFileWriter(m.ctx, m.root, m.l, vals)
		if err != nil {
			return nil, err
		}
		o = &openFile{fw: fw, vals: vals, key: key}
		m.writers[key] = o
	}
	m.last = o
	m.lastRaw = m.lastRaw[:0]
	for _, c := range m.l.partition {
		m.lastRaw = append(m.lastRaw, r[c.pos])
	}
	return o, nil
}

// samePartition reports whether r's partition values equal lastRaw.
func (m *multiWriter) samePartition(r Row) bool { return sameRaw(m.l, r, m.lastRaw) }

func newMultiWriter(ctx context.Context, root storage, l *layout) *multiWriter {
	return &multiWriter{ctx: ctx, root: root, l: l, writers: map[string]*openFile{}}
}

// write adds r, the at-th of the caller's rows: errors name the row that
// caused them, which with buffered conversion may be an earlier one.
func (m *multiWriter) write(r Row, at int) error {
	if len(r) != len(m.l.schema.Fields) {
		return fmt.Errorf("row %d: %d values for %d columns", at, len(r), len(m.l.schema.Fields))
	}
	o := m.last
	if o == nil || !m.samePartition(r) {
		var err error
		if o, err = m.fileFor(r); err != nil {
			return fmt.Errorf("row %d: %w", at, err)
		}
	}
	if err := o.fw.write(r, at); err != nil {
		return err
	}
	if o.fw.full() {
		m.last = nil
		delete(m.writers, o.key)
		a, err := o.fw.finish(o.vals)
		if err != nil {
			return err
		}
		m.adds = append(m.adds, a)
	}
	return nil
}

// finish closes every open file and returns all add actions; on error it
// aborts.
func (m *multiWriter) finish() ([]AddFile, error) {
	m.last = nil
	for key, o := range m.writers {
		delete(m.writers, key)
		a, err := o.fw.finish(o.vals)
		if err != nil {
			m.abort()
			return nil, err
		}
		m.adds = append(m.adds, a)
	}
	return m.adds, nil
}

// abort deletes every file written so far.
func (m *multiWriter) abort() {
	m.last = nil
	for key, o := range m.writers {
		delete(m.writers, key)
		o.fw.abort()
	}
	removeDataFiles(m.root, m.adds)
	m.adds = nil
}
