package delta

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// checkStatsMatchRows verifies, file by file, that the add action's stats
// describe the file's rows: numRecords and nullCount exactly, min/max values
// exactly for numbers, decimals and dates, within the millisecond Spark
// keeps for timestamps, and as a prefix for (possibly truncated) strings.
// It is an invariant of tables written by any engine, so it checks Spark's
// golden tables and this package's writer alike.
func checkStatsMatchRows(t *testing.T, s *Snapshot) {
	t.Helper()
	for _, f := range s.Files() {
		st, ok := f.ParsedStats()
		if !ok {
			continue
		}
		var proj []projected
		for _, fld := range s.Schema().Fields {
			dt, err := parseType(fld.Type)
			if err != nil || isPartitionColumn(s, fld.Name) {
				continue
			}
			proj = append(proj, projected{field: fld, dt: dt, phys: physicalColumn{name: fld.Name}, mapping: mappingNone})
		}
		var rows []Row
		if err := s.scanFile(context.Background(), f, proj, func(r Row) error { rows = append(rows, r); return nil }); err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		if int64(len(rows)) != st.NumRecords {
			t.Fatalf("%s: numRecords %d, file has %d rows", f.Path, st.NumRecords, len(rows))
		}
		for i, p := range proj {
			checkColumnStats(t, f.Path, p, rows, i, st)
		}
	}
}

func isPartitionColumn(s *Snapshot, name string) bool {
	for _, c := range s.PartitionColumns() {
		if c == name {
			return true
		}
	}
	return false
}

func checkColumnStats(t *testing.T, file string, p projected, rows []Row, col int, st FileStats) {
	t.Helper()
	name := p.field.Name
	var nulls int64
	var lo, hi any
	for _, r := range rows {
		v := r[col]
		if v == nil {
			nulls++
			continue
		}
		if lo == nil || less(v, lo) {
			lo = v
		}
		if hi == nil || less(hi, v) {
			hi = v
		}
	}
	if raw, ok := st.NullCount[name]; ok {
		var n int64
		if json.Unmarshal(raw, &n) != nil || n != nulls {
			t.Fatalf("%s: nullCount[%s] = %s, file has %d nulls", file, name, raw, nulls)
		}
	}
	for _, b := range []struct {
		raw   json.RawMessage
		got   any
		isMax bool
	}{{st.MinValues[name], lo, false}, {st.MaxValues[name], hi, true}} {
		if b.raw == nil || b.got == nil {
			continue
		}
		if !boundMatches(p.dt, b.raw, b.got, b.isMax) {
			t.Fatalf("%s: stats bound of %s is %s, rows give %s", file, name, b.raw, canon(b.got))
		}
	}
}

func less(a, b any) bool {
	switch x := a.(type) {
	case int64:
		return x < b.(int64)
	case int32:
		return x < b.(int32)
	case int16:
		return x < b.(int16)
	case int8:
		return x < b.(int8)
	case float64:
		return x < b.(float64)
	case float32:
		return x < b.(float32)
	case string:
		return x < b.(string)
	case time.Time:
		return x.Before(b.(time.Time))
	case decimal.Decimal:
		return x.LessThan(b.(decimal.Decimal))
	case bool:
		return !x && b.(bool)
	}
	return false
}

func boundMatches(dt dataType, raw json.RawMessage, got any, isMax bool) bool {
	switch dt.kind {
	case kindTimestamp:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return false
		}
		ts, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return false
		}
		d := got.(time.Time).Sub(ts)
		return d > -time.Millisecond && d < time.Millisecond
	case kindString:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return false
		}
		return s == got.(string) || (!isMax && strings.HasPrefix(got.(string), s))
	case kindDate:
		var s string
		return json.Unmarshal(raw, &s) == nil && s == got.(time.Time).Format(time.DateOnly)
	case kindDecimal:
		d, err := decimal.NewFromString(string(raw))
		if err != nil {
			return false
		}
		// delta-rs writes decimals beyond float64's precision as doubles
		// (4.4074073677407406e+21): equal once both are doubles.
		return d.Equal(got.(decimal.Decimal)) || d.InexactFloat64() == got.(decimal.Decimal).InexactFloat64()
	case kindDouble, kindFloat:
		var f float64
		if json.Unmarshal(raw, &f) != nil {
			return false
		}
		if g, ok := got.(float32); ok {
			return float32(f) == g // -0.0 == 0
		}
		return f == got.(float64)
	}
	return string(raw) == canon(got) || strings.TrimSuffix(string(raw), ".0") == canon(got)
}
