package delta

import (
	"bufio"
	"context"
	"fmt"
	"math/big"
	"time"
	"unsafe"

	"github.com/google/uuid"
	"github.com/parquet-go/parquet-go"
	"github.com/shopspring/decimal"
)

const (
	// targetFileBytes is the (uncompressed, estimated) size at which a
	// writer rolls to a new file, Spark's and delta-rs's usual 128 MB.
	targetFileBytes = 128 << 20
	// rowGroupRows bounds the rows buffered in memory per row group.
	rowGroupRows = 1 << 20
	// batchRows is how many rows are handed to parquet-go at once.
	batchRows = 1024
)

// fileWriter writes the rows of one partition to one Parquet data file and
// gathers the add action's stats while doing so. Values are converted
// straight into parquet.Value (no reflection per row).
type fileWriter struct {
	l         *layout
	relPath   string
	file      fileSink
	buf       *bufio.Writer
	counter   countingWriter
	w         *parquet.GenericWriter[any]
	cols      [][]parquet.Value // one batch's values per leaf column, reused (grown on demand: most commits are small)
	pending   []Row             // rows not yet converted, up to batchRows
	pendingAt []int             // their indexes in the caller's rows, for errors
	stats     []colStats
	rows      int64
	groupRows int64
	estBytes  int64
}

type countingWriter struct {
	w *bufio.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// newFileWriter creates a new data file under root in the directory of the
// given partition values.
func newFileWriter(ctx context.Context, root storage, l *layout, partVals []string) (*fileWriter, error) {
	rel := partitionDir(l, partVals) + fmt.Sprintf("part-00000-%s-c000.snappy.parquet", uuid.NewString())
	f, err := root.create(ctx, rel)
	if err != nil {
		return nil, fmt.Errorf("delta: create data file: %w", err)
	}
	fw := &fileWriter{l: l, relPath: rel, file: f, stats: make([]colStats, len(l.data))}
	fw.buf = bufio.NewWriterSize(f, 64<<10)
	fw.counter.w = fw.buf
	fw.w = parquet.NewGenericWriter[any](&fw.counter, l.writerOptions...)

	for i, c := range l.data {
		fw.stats[i].collectMinMx = c.dt.kind != kindBoolean && c.dt.kind != kindBinary
	}
	fw.cols = make([][]parquet.Value, len(l.data))
	return fw, nil
}

// write appends one row, the at-th of the caller's (for errors); values
// must match the column types. Rows are buffered and converted a column
// at a time when batchRows have come (see flushBatch), so a bad value is
// reported by the write that flushes, naming its row.
func (fw *fileWriter) write(r Row, at int) error {
	fw.pending = append(fw.pending, r)
	fw.pendingAt = append(fw.pendingAt, at)
	fw.rows++
	if len(fw.pending) == batchRows {
		return fw.flushBatch()
	}
	return nil
}

// flushBatch converts the buffered rows column by column into
// parquet.Values and hands each column's values to parquet-go's column
// writer: one column's conversion is one tight loop over one Go type
// (instead of a type switch per value across a row), and parquet-go takes
// whole columns, several times cheaper than assembling parquet.Rows.
func (fw *fileWriter) flushBatch() error {
	if len(fw.pending) == 0 {
		return nil
	}
	writers := fw.w.ColumnWriters()
	for ci := range fw.l.data {
		c := &fw.l.data[ci]
		vals, n, bad, err := convertColumn(c, &fw.stats[ci], fw.pending, fw.cols[c.leaf][:0])
		fw.cols[c.leaf] = vals[:0]
		if err != nil {
			return fmt.Errorf("row %d: %w", fw.pendingAt[bad], err)
		}
		fw.estBytes += n
		if _, err := writers[c.leaf].WriteRowValues(vals); err != nil {
			return fmt.Errorf("delta: write parquet column: %w", err)
		}
	}
	fw.groupRows += int64(len(fw.pending))
	clear(fw.pending) // the caller's rows are not kept past their batch
	fw.pending, fw.pendingAt = fw.pending[:0], fw.pendingAt[:0]
	if fw.groupRows >= rowGroupRows {
		fw.groupRows = 0
		if err := fw.w.Flush(); err != nil {
			return fmt.Errorf("delta: flush row group: %w", err)
		}
	}
	return nil
}

// full reports whether the file reached the roll-over size.
func (fw *fileWriter) full() bool { return fw.estBytes >= targetFileBytes }

// finish closes the file and returns its add action (dataChange=true).
func (fw *fileWriter) finish(partVals []string) (AddFile, error) {
	err := fw.flushBatch()
	if err == nil {
		err = fw.w.Close()
	}
	if err == nil {
		err = fw.buf.Flush()
	}
	if cerr := fw.file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fw.abort()
		return AddFile{}, fmt.Errorf("delta: finish data file: %w", err)
	}
	return AddFile{
		Path:             fw.relPath,
		PartitionValues:  fw.l.partitionMap(partVals),
		Size:             fw.counter.n,
		ModificationTime: time.Now().UnixMilli(),
		DataChange:       true,
		Stats:            statsJSON(fw.l.data, fw.stats, fw.rows),
	}, nil
}

// abort closes and deletes a file that will never be committed.
func (fw *fileWriter) abort() {
	fw.file.abort()
}

// toValue converts one Go value into a parquet.Value (levels not yet set),
// updating stats; n is an estimate of its encoded size.
func toValue(c *column, st *colStats, v any) (pv parquet.Value, n int, err error) {
	if v == nil {
		if !c.optional {
			return pv, 0, fmt.Errorf("column %q is not nullable but got nil", c.field.Name)
		}
		st.nulls++
		return parquet.NullValue(), 1, nil
	}
	switch c.dt.kind {
	case kindString:
		s, ok := v.(string)
		if !ok {
			return pv, 0, typeError(c.field, v)
		}
		st.addString(s)
		pv = parquet.ByteArrayValue(unsafe.Slice(unsafe.StringData(s), len(s)))
		n = len(s) + 4
	case kindBinary:
		b, ok := v.([]byte)
		if !ok {
			return pv, 0, typeError(c.field, v)
		}
		pv, n = parquet.ByteArrayValue(b), len(b)+4
	case kindLong:
		x, err := intInRange(c.field, v, 64)
		if err != nil {
			return pv, 0, err
		}
		st.addInt(x)
		pv, n = parquet.Int64Value(x), 8
	case kindInteger, kindShort, kindByte:
		x, err := intInRange(c.field, v, intBits(c.dt.kind))
		if err != nil {
			return pv, 0, err
		}
		st.addInt(x)
		pv, n = parquet.Int32Value(int32(x)), 4
	case kindDouble:
		x, ok := v.(float64)
		if !ok {
			return pv, 0, typeError(c.field, v)
		}
		st.addFloat(x)
		pv, n = parquet.DoubleValue(x), 8
	case kindFloat:
		x, ok := v.(float32)
		if !ok {
			return pv, 0, typeError(c.field, v)
		}
		st.addFloat(float64(x))
		pv, n = parquet.FloatValue(x), 4
	case kindBoolean:
		b, ok := v.(bool)
		if !ok {
			return pv, 0, typeError(c.field, v)
		}
		pv, n = parquet.BooleanValue(b), 1
	case kindDate:
		t, ok := v.(time.Time)
		if !ok {
			return pv, 0, typeError(c.field, v)
		}
		d := daysSinceEpoch(t)
		st.addInt(int64(d))
		pv, n = parquet.Int32Value(d), 4
	case kindTimestamp, kindTimestampNtz:
		t, ok := v.(time.Time)
		if !ok {
			return pv, 0, typeError(c.field, v)
		}
		us := t.UnixMicro()
		if c.dt.kind == kindTimestampNtz {
			us = wallMicros(t)
		}
		st.addInt(us)
		pv, n = parquet.Int64Value(us), 8
	case kindDecimal:
		pv, n, err = decimalValue(c, st, v)
		if err != nil {
			return pv, 0, err
		}
	}
	return pv, n, nil
}

func decimalValue(c *column, st *colStats, v any) (parquet.Value, int, error) {
	d, ok := v.(decimal.Decimal)
	if !ok {
		return parquet.Value{}, 0, typeError(c.field, v)
	}
	if c.dt.precision <= 18 {
		u, err := unscaled64(c.field, c.dt, d)
		if err != nil {
			return parquet.Value{}, 0, err
		}
		st.addInt(u)
		if c.dt.precision <= 9 {
			return parquet.Int32Value(int32(u)), 4, nil
		}
		return parquet.Int64Value(u), 8, nil
	}
	n := decimalBytes(c.dt.precision)
	if u, ok := small64(c.dt, d); ok {
		// Gold's decimal(38,2) sums almost always fit 64 bits: skip the
		// big.Int arithmetic, which was most of a Gold write's time.
		st.addDecimal(d)
		return parquet.FixedLenByteArrayValue(twosComplement64(u, n)), n, nil
	}
	u, err := unscaled(c.field, c.dt, d)
	if err != nil {
		return parquet.Value{}, 0, err
	}
	st.addDecimal(d)
	b := twosComplement(u, n)
	return parquet.FixedLenByteArrayValue(b), len(b), nil
}

// small64 is d's unscaled value at dt's scale when that is exact and fits
// 18 digits (so within any precision above 18); ok is false otherwise, and
// unscaled decides.
func small64(dt dataType, d decimal.Decimal) (u int64, ok bool) {
	shift := int(d.Exponent()) + dt.scale
	if shift < 0 || shift > 18 || d.NumDigits()+shift > 18 {
		return 0, false
	}
	return d.CoefficientInt64() * pow10Int64[shift], true
}

// twosComplement64 encodes u big-endian in n ≥ 8 bytes, sign-extended.
func twosComplement64(u int64, n int) []byte {
	out := make([]byte, n)
	if u < 0 {
		for i := range out[:n-8] {
			out[i] = 0xff
		}
	}
	for i := 0; i < 8; i++ {
		out[n-1-i] = byte(u >> (8 * i))
	}
	return out
}

// twosComplement encodes u big-endian in exactly n bytes (u must fit).
func twosComplement(u *big.Int, n int) []byte {
	out := make([]byte, n)
	if u.Sign() >= 0 {
		u.FillBytes(out)
		return out
	}
	// -x in two's complement is 2^(8n) - x.
	m := new(big.Int).Lsh(big.NewInt(1), uint(8*n))
	m.Add(m, u)
	m.FillBytes(out)
	return out
}
