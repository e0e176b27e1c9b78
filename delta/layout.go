package delta

import (
	"fmt"
	"math"
	"slices"

	"github.com/parquet-go/parquet-go"
)

// column is one schema field resolved for reading and writing.
type column struct {
	field    Field
	dt       dataType
	pos      int  // index in Row
	leaf     int  // parquet leaf column index in data files (-1 for partition columns)
	optional bool // nullable in the data file
	def      int  // definition level of a non-null value (1 if optional)
}

// layout maps a Delta schema onto the Parquet schema of its data files.
// Partition columns are not stored in data files (as in Spark and
// delta-rs): their values live in the add action's partitionValues.
type layout struct {
	schema     Schema
	partition  []column // in partitioning order
	data       []column // in schema order
	parquet    *parquet.Schema
	partByName map[string]int // partition column name → index in partition
	// writerOptions configure parquet-go for this schema's data files.
	writerOptions []parquet.WriterOption
}

// newLayout builds the layout of a table; every column must have a
// primitive type.
func newLayout(s Schema, partitionColumns []string) (*layout, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	l := &layout{schema: s, partByName: map[string]int{}}
	for i, name := range partitionColumns {
		p := s.Index(name)
		if p < 0 {
			return nil, fmt.Errorf("delta: partition column %q is not in the schema", name)
		}
		if _, dup := l.partByName[name]; dup {
			return nil, fmt.Errorf("delta: partition column %q listed twice", name)
		}
		dt, _ := parseType(s.Fields[p].Type)
		l.partByName[name] = i
		l.partition = append(l.partition, column{field: s.Fields[p], dt: dt, pos: p, leaf: -1, optional: true})
	}
	group := parquet.Group{}
	for i, f := range s.Fields {
		if _, isPart := l.partByName[f.Name]; isPart {
			continue
		}
		dt, _ := parseType(f.Type)
		node := parquetNode(dt)
		if f.Nullable {
			node = parquet.Optional(node)
		} else {
			node = parquet.Required(node)
		}
		group[f.Name] = node
		def := 0
		if f.Nullable {
			def = 1
		}
		l.data = append(l.data, column{field: f, dt: dt, pos: i, optional: f.Nullable, def: def})
	}
	if len(l.data) == 0 {
		return nil, fmt.Errorf("delta: every column is a partition column; data files need at least one other column")
	}
	l.parquet = parquet.NewSchema("spark_schema", group)
	l.writerOptions = []parquet.WriterOption{
		l.parquet,
		parquet.Compression(fastSnappy{}),
		parquet.CreatedBy("finpipe-delta", "1", ""),
		// Version 1 data pages with PLAIN encoding are what Spark writes and
		// what every reader supports (parquet-go defaults to v2 pages and
		// DELTA_LENGTH_BYTE_ARRAY strings, which older readers reject).
		parquet.DataPageVersion(1),
		parquet.DefaultEncoding(&parquet.Plain),
		parquet.PageBufferSize(512 << 10),
		// No min/max in each data page's header: the column index below
		// holds the same bounds (parquet-mr, Spark's writer, stopped
		// writing header statistics when it gained column indexes), and
		// parquet-go would compute every page's bounds a second time for
		// them, a sixth of a Silver write.
		parquet.DataPageStatistics(false),
		// Page bounds stay on for every column (parquet.SkipPageBounds would
		// save time on strings, but parquet-go then writes a column index
		// with empty min/max for non-null pages, which makes readers that
		// filter pages by it, Spark's among them, skip pages wrongly).
	}
	for i := range l.data {
		leaf, ok := l.parquet.Lookup(l.data[i].field.Name)
		if !ok {
			return nil, fmt.Errorf("delta: internal error: column %q missing from parquet schema", l.data[i].field.Name)
		}
		// parquet.Group orders columns by name, so leaf indexes differ
		// from schema positions.
		l.data[i].leaf = leaf.ColumnIndex
	}
	return l, nil
}

// parquetNode returns the Parquet type Spark writes for a Delta type:
// timestamps as INT64 micros adjusted to UTC (never INT96), dates as INT32
// DATE, decimals as INT32/INT64 up to precision 9/18 and as a fixed-length
// byte array of the minimal width beyond.
func parquetNode(dt dataType) parquet.Node {
	switch dt.kind {
	case kindString:
		return parquet.String()
	case kindBinary:
		return parquet.Leaf(parquet.ByteArrayType)
	case kindLong:
		return parquet.Leaf(parquet.Int64Type)
	case kindInteger:
		return parquet.Leaf(parquet.Int32Type)
	case kindShort:
		return parquet.Int(16)
	case kindByte:
		return parquet.Int(8)
	case kindDouble:
		return parquet.Leaf(parquet.DoubleType)
	case kindFloat:
		return parquet.Leaf(parquet.FloatType)
	case kindBoolean:
		return parquet.Leaf(parquet.BooleanType)
	case kindDate:
		return parquet.Date()
	case kindTimestamp:
		return parquet.Timestamp(parquet.Microsecond)
	case kindTimestampNtz:
		return parquet.TimestampAdjusted(parquet.Microsecond, false)
	case kindDecimal:
		switch {
		case dt.precision <= 9:
			return parquet.Decimal(dt.scale, dt.precision, parquet.Int32Type)
		case dt.precision <= 18:
			return parquet.Decimal(dt.scale, dt.precision, parquet.Int64Type)
		default:
			return parquet.Decimal(dt.scale, dt.precision, parquet.FixedLenByteArrayType(decimalBytes(dt.precision)))
		}
	}
	panic("delta: parquetNode called with an unvalidated type") // unreachable: types are validated first
}

// decimalBytes is the smallest two's complement width holding 10^p - 1,
// Spark's minBytesForPrecision. The writer asks once per decimal value, so
// Delta's precisions (1–38) come from a table computed once.
func decimalBytes(precision int) int {
	if precision >= 0 && precision < len(decimalWidths) {
		return decimalWidths[precision]
	}
	return minBytesForPrecision(precision)
}

var decimalWidths = func() (w [39]int) {
	for p := range w {
		w[p] = minBytesForPrecision(p)
	}
	return w
}()

func minBytesForPrecision(precision int) int {
	n := 1
	for math.Pow(2, float64(8*n-1)) < math.Pow(10, float64(precision)) {
		n++
	}
	return n
}

// partitionOf returns the partition values of a row as strings, in
// partitioning order.
func (l *layout) partitionOf(r Row) ([]string, error) {
	vals := make([]string, len(l.partition))
	for i, c := range l.partition {
		s, err := formatPartitionValue(c.field, c.dt, r[c.pos])
		if err != nil {
			return nil, err
		}
		vals[i] = s
	}
	return vals, nil
}

// partitionMap turns ordered partition values into a partitionValues map.
func (l *layout) partitionMap(vals []string) map[string]string {
	m := make(map[string]string, len(vals))
	for i, c := range l.partition {
		m[c.field.Name] = vals[i]
	}
	return m
}

// partitionColumns returns the partition column names in order.
func (l *layout) partitionColumns() []string {
	out := make([]string, len(l.partition))
	for i, c := range l.partition {
		out[i] = c.field.Name
	}
	return slices.Clip(out)
}
