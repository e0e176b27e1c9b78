package delta

import (
	"errors"
	"io"
	"slices"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// readOwnCheckpoint reads a checkpoint in writeCheckpoint's schema with the
// add actions decoded column by column: parquet-go's row reconstruction
// of the nested cpRow (every group and map, allocated per row) cost ~0.45 s
// of a 100,000-file checkpoint's 0.55 s load. Only the add columns a
// snapshot keeps are read; the other rows (protocol, metaData, txns,
// removes: the rows whose add.path is null) are read as rows, by runs. A
// file whose adds carry tags or deletion vectors is read as rows whole, so
// that this reader stays a short one for the common case.
func readOwnCheckpoint(pf *parquet.File, out *actions) error {
	leaves := leafIndexes(pf.Schema())
	cols := map[string]*cpColumn{}
	for _, name := range []string{"add.path", "add.size", "add.modificationTime", "add.dataChange", "add.stats",
		"add.partitionValues.key_value.key", "add.partitionValues.key_value.value",
		"add.tags.key_value.key", "add.deletionVector.storageType"} {
		i, ok := leaves[name]
		if !ok {
			return readRows[cpRow](pf, out)
		}
		c, err := readColumn(pf, i)
		if err != nil {
			return err
		}
		cols[name] = c
	}
	for _, name := range []string{"add.tags.key_value.key", "add.deletionVector.storageType"} {
		if slices.Contains(cols[name].null, false) {
			return readRows[cpRow](pf, out)
		}
	}
	paths, keys, vals := cols["add.path"], cols["add.partitionValues.key_value.key"], cols["add.partitionValues.key_value.value"]
	size, mtime, change, stats := cols["add.size"], cols["add.modificationTime"], cols["add.dataChange"], cols["add.stats"]
	rows := paths.len()
	if size.len() != rows || mtime.len() != rows || change.len() != rows || stats.len() != rows || keys.len() != vals.len() {
		return errors.New("checkpoint add columns have different row counts")
	}
	out.adds = slices.Grow(out.adds, rows)
	var rowErr error
	kv := 0 // next partitionValues entry
	runStart := -1
	for row := range rows {
		if kv >= keys.len() {
			return errors.New("checkpoint partitionValues column has fewer rows than add.path")
		}
		end := kv + 1 // this row's entries: the first value and those that repeat it
		for end < keys.len() && keys.rep[end] > 0 {
			end++
		}
		pv := make(map[string]string, end-kv)
		for ; kv < end; kv++ {
			if !keys.null[kv] { // else a null or empty map's one placeholder value
				pv[keys.str[kv]] = vals.str[kv] // "" when null (see AddFile)
			}
		}
		if paths.null[row] {
			if runStart < 0 {
				runStart = row
			}
			continue
		}
		if runStart >= 0 {
			if err := readRowRun(pf, int64(runStart), row-runStart, out, &rowErr); err != nil {
				return err
			}
			runStart = -1
		}
		// As cpRow.into, with the partition values built flat at once.
		a := addJSON{Path: paths.strAt(row), Stats: stats.strAt(row), Size: size.i64[row], ModificationTime: mtime.i64[row], DataChange: change.flags[row]}
		af, err := a.toAddFile()
		if err != nil {
			if rowErr == nil {
				rowErr = err
			}
			continue
		}
		af.PartitionValues = pv
		out.adds = append(out.adds, af)
	}
	if runStart >= 0 {
		if err := readRowRun(pf, int64(runStart), rows-runStart, out, &rowErr); err != nil {
			return err
		}
	}
	if kv != keys.len() {
		return errors.New("checkpoint partitionValues column has more rows than add.path")
	}
	return rowErr
}

// readRowRun reads n rows from row start on as cpRow (the non-add rows).
// The first row that does not convert is kept in rowErr, and the reading
// goes on (see readCheckpointPart); the error returned is the file's.
func readRowRun(pf *parquet.File, start int64, n int, out *actions, rowErr *error) error {
	r := parquet.NewGenericReader[cpRow](pf)
	defer r.Close()
	if err := r.SeekToRow(start); err != nil {
		return err
	}
	buf := make([]cpRow, min(n, 256))
	for n > 0 {
		got, err := r.Read(buf[:min(n, len(buf))])
		for i := range buf[:got] {
			if e := buf[i].into(out); e != nil && *rowErr == nil {
				*rowErr = e
			}
			buf[i] = cpRow{}
		}
		n -= got
		if err == io.EOF && n > 0 {
			return io.ErrUnexpectedEOF
		}
		if err != nil && err != io.EOF {
			return err
		}
	}
	return nil
}

// leafIndexes maps each leaf column's dotted path to its column index.
func leafIndexes(s *parquet.Schema) map[string]int {
	out := map[string]int{}
	for i, p := range s.Columns() {
		out[strings.Join(p, ".")] = i
	}
	return out
}

// cpColumn is one leaf column of a checkpoint, read whole: per value its
// repetition level, whether it is null, and its content (strings for
// byte arrays, ints and bools otherwise).
type cpColumn struct {
	rep   []int8
	null  []bool
	str   []string
	i64   []int64
	flags []bool
}

func (c *cpColumn) len() int { return len(c.null) }

// grow makes room for n more values of kind.
func (c *cpColumn) grow(n int, kind parquet.Kind) {
	c.rep, c.null = slices.Grow(c.rep, n), slices.Grow(c.null, n)
	switch kind {
	case parquet.ByteArray:
		c.str = slices.Grow(c.str, n)
	case parquet.Boolean:
		c.flags = slices.Grow(c.flags, n)
	default:
		c.i64 = slices.Grow(c.i64, n)
	}
}

// readColumn reads every value of leaf column i, all row groups. Strings
// are copied out of the pages, which are released.
func readColumn(pf *parquet.File, i int) (*cpColumn, error) {
	c := &cpColumn{}
	buf := make([]parquet.Value, 1024)
	for _, rg := range pf.RowGroups() {
		chunk := rg.ColumnChunks()[i]
		kind := chunk.Type().Kind()
		c.grow(int(chunk.NumValues()), kind)
		pages := chunk.Pages()
		err := readPages(pages, buf, func(v parquet.Value) {
			c.rep = append(c.rep, int8(v.RepetitionLevel()))
			c.null = append(c.null, v.IsNull())
			switch kind {
			case parquet.ByteArray:
				c.str = append(c.str, string(v.ByteArray()))
			case parquet.Boolean:
				c.flags = append(c.flags, !v.IsNull() && v.Boolean())
			default:
				var x int64
				if !v.IsNull() {
					x = v.Int64()
				}
				c.i64 = append(c.i64, x)
			}
		})
		pages.Close()
		if err != nil {
			return nil, err
		}
	}
	return c, nil
}

// readPages calls fn for every value of pages.
func readPages(pages parquet.Pages, buf []parquet.Value, fn func(parquet.Value)) error {
	for {
		page, err := pages.ReadPage()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		vr := page.Values()
		for {
			n, err := vr.ReadValues(buf)
			for _, v := range buf[:n] {
				fn(v)
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				parquet.Release(page)
				return err
			}
		}
		parquet.Release(page)
	}
}

func (c *cpColumn) strAt(i int) *string {
	if c.null[i] {
		return nil
	}
	return &c.str[i]
}
