package delta

import (
	"fmt"
	"math/big"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"
	"github.com/shopspring/decimal"
)

// decoder converts one non-null Parquet value of a data file column into
// the Go value of its Delta type.
type decoder func(v parquet.Value) (any, error)

// julianDayOfEpoch is 1970-01-01 as a Julian day, for INT96 timestamps.
const julianDayOfEpoch = 2440588

// newDecoder chooses the conversion from a file's Parquet column to a Delta
// type. Files from other engines differ in physical types (INT96 or millis
// timestamps, decimals as INT32/INT64/fixed or variable byte arrays, …), so
// the choice looks at the file, not only at the table schema.
func newDecoder(f Field, dt dataType, node parquet.Node) (decoder, error) {
	typ := node.Type()
	k := typ.Kind()
	mismatch := fmt.Errorf("delta: column %q (%s) is stored as %s in the data file", f.Name, f.Type, typ)
	switch dt.kind {
	case kindString:
		if k == parquet.ByteArray || k == parquet.FixedLenByteArray {
			return internedStrings(), nil
		}
	case kindBinary:
		if k == parquet.ByteArray || k == parquet.FixedLenByteArray {
			boxes := newSlab[[]byte]()
			return func(v parquet.Value) (any, error) { return boxes.box(append([]byte{}, v.ByteArray()...)), nil }, nil
		}
	case kindLong, kindInteger, kindShort, kindByte:
		if k != parquet.Int32 && k != parquet.Int64 {
			break
		}
		return intDecoder(dt.kind), nil
	case kindDouble, kindFloat:
		if k != parquet.Double && k != parquet.Float && (dt.kind != kindDouble || k != parquet.Int32 && k != parquet.Int64) {
			break
		}
		// Type widening byte, short or int → double: files written before
		// the change hold integers.
		return floatDecoder(dt.kind), nil
	case kindBoolean:
		if k == parquet.Boolean {
			return func(v parquet.Value) (any, error) { return v.Boolean(), nil }, nil
		}
	case kindDate:
		if k == parquet.Int32 {
			return timeDecoder(dateFromDays), nil
		}
	case kindTimestamp, kindTimestampNtz:
		if dt.kind == kindTimestampNtz && k == parquet.Int32 {
			// Type widening date → timestamp_ntz: a date written before
			// the change reads as its midnight.
			if lt := typ.LogicalType(); lt != nil && isDate(lt) {
				return timeDecoder(dateFromDays), nil
			}
		}
		return timestampDecoder(typ, mismatch)
	case kindDecimal:
		return decimalDecoder(dt, typ, mismatch)
	}
	return nil, mismatch
}

// internedCap bounds how many distinct values a string column remembers.
const internedCap = 1024

// internedProbe is how many look-ups a full string cache gets to prove
// itself: if fewer than half of them hit, the column has too many distinct
// values (ids) for the cache to pay, and it stops looking.
const internedProbe = 4096

// internedStrings decodes strings, returning the same boxed value for a
// repeated string: low-cardinality columns (currency, status, country, …)
// then cost no allocation per row. A column with many distinct values
// stops adding to the cache once it is full, and stops consulting it when
// it rarely hits (transaction or user ids: the look-up was pure cost).
func internedStrings() decoder {
	seen := make(map[string]any)
	boxes := newSlab[string]()
	probes, hits := 0, 0
	return func(v parquet.Value) (any, error) {
		b := v.ByteArray()
		if seen == nil {
			return boxes.box(string(b)), nil
		}
		full := len(seen) >= internedCap
		if full {
			probes++
		}
		if x, ok := seen[string(b)]; ok { // no allocation for the lookup
			if full {
				hits++
			}
			return x, nil
		}
		s := string(b)
		x := boxes.box(s)
		switch {
		case !full:
			seen[s] = x
		case probes >= internedProbe && hits*2 < probes:
			seen = nil
		}
		return x, nil
	}
}

// intDecoder decodes an INT32 or INT64 column as the Go type of an integer
// kind (see Row).
func intDecoder(k kind) decoder {
	longs, ints, shorts := newSlab[int64](), newSlab[int32](), newSlab[int16]()
	return func(v parquet.Value) (any, error) {
		n := v.Int64()
		if v.Kind() == parquet.Int32 {
			n = int64(v.Int32())
		}
		switch k {
		case kindInteger:
			return ints.box(int32(n)), nil
		case kindShort:
			return shorts.box(int16(n)), nil
		case kindByte:
			return int8(n), nil // boxed without allocating
		}
		return longs.box(n), nil
	}
}

// floatDecoder decodes a FLOAT or DOUBLE column (or, for double, an
// integer one written before type widening) as float32 or float64.
func floatDecoder(k kind) decoder {
	doubles, floats := newSlab[float64](), newSlab[float32]()
	return func(v parquet.Value) (any, error) {
		var x float64
		switch v.Kind() {
		case parquet.Int32:
			x = float64(v.Int32())
		case parquet.Int64:
			x = float64(v.Int64())
		case parquet.Float:
			x = float64(v.Float())
		default:
			x = v.Double()
		}
		if k == kindFloat {
			return floats.box(float32(x)), nil
		}
		return doubles.box(x), nil
	}
}

// timeDecoder decodes an INT32/INT64 date or timestamp column with conv.
func timeDecoder(conv func(int64) time.Time) decoder {
	boxes := newSlab[time.Time]()
	return repeatCached(func(n int64) any { return boxes.box(conv(n)) })
}

// repeatCached decodes an INT32/INT64 column with conv, returning the
// previous boxed value when the raw value repeats (a batch's ingested_at,
// a partition's dates): no allocation for runs of equal values.
func repeatCached(conv func(int64) any) decoder {
	var last int64
	var lastX any
	return func(v parquet.Value) (any, error) {
		n := v.Int64()
		if v.Kind() == parquet.Int32 {
			n = int64(v.Int32())
		}
		if lastX == nil || n != last {
			last, lastX = n, conv(n)
		}
		return lastX, nil
	}
}

func timestampDecoder(typ parquet.Type, mismatch error) (decoder, error) {
	switch typ.Kind() {
	case parquet.Int96:
		boxes := newSlab[time.Time]()
		return func(v parquet.Value) (any, error) {
			i := v.Int96()
			nanos := int64(i[0]) | int64(i[1])<<32
			days := int64(i[2]) - julianDayOfEpoch
			return boxes.box(time.Unix(days*secondsPerDay, nanos).UTC()), nil
		}, nil
	case parquet.Int64:
		unit := time.Microsecond
		if lt := typ.LogicalType(); lt != nil {
			if ts, ok := lt.Value.(*format.TimestampType); ok {
				switch ts.Unit.Value.(type) {
				case *format.MilliSeconds:
					unit = time.Millisecond
				case *format.NanoSeconds:
					unit = time.Nanosecond
				}
			}
		} else if ct := typ.ConvertedType(); ct != nil && *ct == deprecated.TimestampMillis {
			unit = time.Millisecond
		}
		return timeDecoder(func(n int64) time.Time {
			switch unit {
			case time.Millisecond:
				return time.UnixMilli(n).UTC()
			case time.Nanosecond:
				return time.Unix(0, n).UTC()
			}
			return time.UnixMicro(n).UTC()
		}), nil
	}
	return nil, mismatch
}

func decimalDecoder(dt dataType, typ parquet.Type, mismatch error) (decoder, error) {
	scale := int32(dt.scale)
	isDecimal := false
	if lt := typ.LogicalType(); lt != nil {
		if d, ok := lt.Value.(*format.DecimalType); ok {
			scale, isDecimal = d.Scale, true
		}
	}
	if ct := typ.ConvertedType(); ct != nil && *ct == deprecated.Decimal {
		isDecimal = true
	}
	if !isDecimal && (typ.Kind() == parquet.Int32 || typ.Kind() == parquet.Int64) {
		// Type widening of an integer column to a decimal: files written
		// before the change hold plain integers, of scale 0.
		scale = 0
	}
	// Rescale when the file's scale differs from the table's: type widening
	// only ever raises the table's scale, so this never drops a digit.
	fix := func(d decimal.Decimal) decimal.Decimal {
		if scale != int32(dt.scale) {
			return d.Truncate(int32(dt.scale))
		}
		return d
	}
	boxes := newSlab[decimal.Decimal]()
	switch typ.Kind() {
	case parquet.Int32, parquet.Int64:
		return repeatCached(func(n int64) any { return boxes.box(fix(decimal.New(n, -scale))) }), nil
	case parquet.FixedLenByteArray, parquet.ByteArray:
		return func(v parquet.Value) (any, error) {
			return boxes.box(fix(decimal.NewFromBigInt(fromTwosComplement(v.ByteArray()), -scale))), nil
		}, nil
	}
	return nil, mismatch
}

// fromTwosComplement decodes a big-endian two's complement integer.
func fromTwosComplement(b []byte) *big.Int {
	n := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return n
}

func isDate(lt *format.LogicalType) bool {
	_, ok := lt.Value.(*format.DateType)
	return ok
}
