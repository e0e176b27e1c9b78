package delta

import (
	"slices"
	"time"
	"unsafe"

	"github.com/parquet-go/parquet-go"
)

// convertColumn converts column c of rows into parquet.Values with their
// levels set, appended to out[:0], updating st; est is an estimate of the
// encoded size. On a value that does not fit, err says why and bad is the
// row's index in rows.
//
// The common types of the lake's tables (strings, longs, timestamps) are
// converted inline, without a call per value; the others, nulls and bad
// values go through toValue.
func convertColumn(c *column, st *colStats, rows []Row, out []parquet.Value) (vals []parquet.Value, est int64, bad int, err error) {
	out = slices.Grow(out[:0], len(rows))[:len(rows)]
	for k, r := range rows {
		x := r[c.pos]
		p := &out[k]
		n := 0
		switch c.dt.kind {
		case kindString:
			s, ok := x.(string)
			if !ok {
				break
			}
			st.addString(s)
			*p, n = parquet.ByteArrayValue(unsafe.Slice(unsafe.StringData(s), len(s))), len(s)+4
		case kindLong:
			i, ok := x.(int64)
			if !ok {
				break
			}
			st.addInt(i)
			*p, n = parquet.Int64Value(i), 8
		case kindTimestamp:
			t, ok := x.(time.Time)
			if !ok {
				break
			}
			us := t.UnixMicro()
			st.addInt(us)
			*p, n = parquet.Int64Value(us), 8
		}
		if n == 0 {
			// Not the fast path's type: another Go type the column
			// accepts, a null, or a bad value.
			if *p, n, err = toValue(c, st, x); err != nil {
				return out[:0], 0, k, err
			}
		}
		est += int64(n)
		if p.IsNull() {
			p.SetDefinitionLevel(0)
		} else {
			p.SetDefinitionLevel(c.def)
		}
		p.SetColumnIndex(c.leaf)
	}
	return out, est, -1, nil
}
