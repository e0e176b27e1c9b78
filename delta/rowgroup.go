package delta

import (
	"errors"
	"fmt"
	"io"

	"github.com/RoaringBitmap/roaring/v2/roaring64"
	"github.com/parquet-go/parquet-go"
)

// scanBatchRows is how many rows a scan decodes at once and hands over as
// one batch: large enough that per-batch costs (a channel send, the Row
// slab) vanish, small enough that the batches a parallel scan holds ahead
// stay a few megabytes.
const scanBatchRows = 512

// leafDecoder is one projected data column of a file: the Parquet leaf it
// is read from, its index in the Row, and its decoder.
type leafDecoder struct {
	leaf int
	out  int
	dec  decoder
}

// rowGroupReader decodes a file's row groups column by column into Rows.
//
// It reads only the projected leaf columns (parquet-go's row reader
// decodes every column of the file, and assembles a parquet.Row per row
// first), a batch of rows at a time: each column's values for the batch go
// straight into their slot of the batch's Rows, which share one
// allocation.
type rowGroupReader struct {
	file     string
	deleted  *roaring64.Bitmap // rows to skip, by position in the file; nil for none
	template Row               // partition values, the same in every row
	cols     []leafDecoder
	values   []parquet.Value // scanBatchRows values of one column, reused
	emit     func([]Row) error
	first    int64 // position in the file of the next row group's first row
}

// read decodes one row group and emits its rows (less deleted ones) in
// order. Errors from emit are returned as they are; decoding errors say
// which file and why.
func (g *rowGroupReader) read(rg parquet.RowGroup) error {
	chunks := rg.ColumnChunks()
	readers := make([]parquet.ColumnChunkValueReader, len(g.cols))
	defer func() {
		for _, r := range readers {
			if r != nil {
				r.Close()
			}
		}
	}()
	for i, c := range g.cols {
		if c.leaf >= len(chunks) {
			return fmt.Errorf("%w: data file %s: row group lacks column %d", ErrCorruptFile, g.file, c.leaf)
		}
		readers[i] = parquet.NewColumnChunkValueReader(chunks[c.leaf])
	}
	total := rg.NumRows()
	for done := int64(0); done < total; {
		n := int(min(int64(scanBatchRows), total-done))
		rows := g.newRows(n)
		for i, c := range g.cols {
			if err := g.fill(readers[i], c, rows); err != nil {
				return err
			}
		}
		rows = g.dropDeleted(rows, g.first+done)
		done += int64(n)
		if len(rows) == 0 {
			continue
		}
		if err := g.emit(rows); err != nil {
			return err
		}
	}
	g.first += total
	return nil
}

// newRows makes n Rows holding the partition values, in one allocation.
// Each Row is capped to its own width, so a caller appending to one does
// not overwrite the next.
func (g *rowGroupReader) newRows(n int) []Row {
	w := len(g.template)
	cells := make([]any, n*w)
	rows := make([]Row, n)
	for i := range rows {
		r := Row(cells[i*w : (i+1)*w : (i+1)*w])
		copy(r, g.template)
		rows[i] = r
	}
	return rows
}

// fill decodes the next len(rows) values of column c into rows. Values
// are decoded before the next ReadValues call, which may release the page
// that byte array values point into.
func (g *rowGroupReader) fill(r parquet.ColumnChunkValueReader, c leafDecoder, rows []Row) error {
	got := 0
	for got < len(rows) {
		k, err := r.ReadValues(g.values[:len(rows)-got])
		for _, v := range g.values[:k] {
			if !v.IsNull() {
				x, derr := c.dec(v)
				if derr != nil {
					return fmt.Errorf("%w: data file %s: %v", ErrCorruptFile, g.file, derr)
				}
				rows[got][c.out] = x
			}
			got++
		}
		switch {
		case errors.Is(err, io.EOF) && got < len(rows):
			return fmt.Errorf("%w: data file %s: column %d holds fewer values than the row group has rows", ErrCorruptFile, g.file, c.leaf)
		case err != nil && !errors.Is(err, io.EOF):
			return fmt.Errorf("%w: data file %s: %v", ErrCorruptFile, g.file, err)
		case k == 0 && err == nil:
			return fmt.Errorf("%w: data file %s: column %d: %v", ErrCorruptFile, g.file, c.leaf, io.ErrNoProgress)
		}
	}
	return nil
}

// dropDeleted removes the rows the deletion vector marks; rows[0] is row
// first of the file.
func (g *rowGroupReader) dropDeleted(rows []Row, first int64) []Row {
	if g.deleted == nil {
		return rows
	}
	kept := rows[:0]
	for i, r := range rows {
		if !g.deleted.Contains(uint64(first) + uint64(i)) {
			kept = append(kept, r)
		}
	}
	return kept
}
