package delta

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// Row is one table row: values in schema field order (partition columns
// included). Go types per Delta type: string→string, long→int64,
// integer→int32, short→int16, byte→int8, double→float64, float→float32,
// boolean→bool, binary→[]byte, date→time.Time (midnight UTC),
// timestamp→time.Time (UTC), timestamp_ntz→time.Time (its wall clock is the
// value; read back in UTC), decimal→decimal.Decimal, null→nil.
type Row []any

const secondsPerDay = 86400

// daysSinceEpoch returns the UTC calendar day of t as days since 1970-01-01.
func daysSinceEpoch(t time.Time) int32 {
	s := t.Unix()
	d := s / secondsPerDay
	if s%secondsPerDay < 0 {
		d--
	}
	return int32(d)
}

func dateFromDays(d int64) time.Time { return time.Unix(d*secondsPerDay, 0).UTC() }

// wallMicros is a timestamp_ntz value as stored: the wall clock reading of
// t, in microseconds since 1970-01-01 00:00, whatever t's location.
func wallMicros(t time.Time) int64 {
	_, offset := t.Zone()
	return t.UnixMicro() + int64(offset)*1_000_000
}

// typeError describes a Go value that does not fit a column.
func typeError(f Field, v any) error {
	return fmt.Errorf("column %q (%s): unexpected Go value %v of type %T", f.Name, f.Type, v, v)
}

// asInt64 accepts the integer Go types a caller may reasonably hold.
func asInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case int32:
		return int64(x), true
	case int16:
		return int64(x), true
	case int8:
		return int64(x), true
	}
	return 0, false
}

// intBits is the width of an integer kind.
func intBits(k kind) uint {
	switch k {
	case kindInteger:
		return 32
	case kindShort:
		return 16
	case kindByte:
		return 8
	}
	return 64
}

// narrowInt returns n as the Go type of an integer kind (see Row).
func narrowInt(k kind, n int64) any {
	switch k {
	case kindInteger:
		return int32(n)
	case kindShort:
		return int16(n)
	case kindByte:
		return int8(n)
	}
	return n
}

// intInRange converts an integer value for a column of the given bit width.
func intInRange(f Field, v any, bits uint) (int64, error) {
	n, ok := asInt64(v)
	if !ok {
		return 0, typeError(f, v)
	}
	if bits < 64 && (n < -(1<<(bits-1)) || n >= 1<<(bits-1)) {
		return 0, fmt.Errorf("column %q (%s): %d is out of range", f.Name, f.Type, n)
	}
	return n, nil
}

var pow10Int64 = func() [19]int64 {
	var p [19]int64
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// unscaled returns d as an integer count of 10^-scale units, refusing
// values that would lose digits or exceed the precision: money is never
// rounded silently.
func unscaled(f Field, dt dataType, d decimal.Decimal) (*big.Int, error) {
	exp := int(d.Exponent())
	c := d.Coefficient()
	switch shift := exp + dt.scale; {
	case shift > 0:
		c.Mul(c, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(shift)), nil))
	case shift < 0:
		q, r := new(big.Int).QuoRem(c, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-shift)), nil), new(big.Int))
		if r.Sign() != 0 {
			return nil, fmt.Errorf("column %q (%s): %s has more than %d decimal places", f.Name, f.Type, d, dt.scale)
		}
		c = q
	}
	limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(dt.precision)), nil)
	if new(big.Int).Abs(c).Cmp(limit) >= 0 {
		return nil, fmt.Errorf("column %q (%s): %s exceeds the precision", f.Name, f.Type, d)
	}
	return c, nil
}

// unscaled64 is the allocation-free fast path of unscaled for precisions up
// to 18, which covers Silver's decimal(18,2).
func unscaled64(f Field, dt dataType, d decimal.Decimal) (int64, error) {
	exp := int(d.Exponent())
	shift := exp + dt.scale
	if shift >= 0 && shift < 19 && d.NumDigits() <= 18 {
		c := d.CoefficientInt64()
		limit := pow10Int64[dt.precision]
		if shift > 0 {
			if c > math.MaxInt64/pow10Int64[shift] || c < math.MinInt64/pow10Int64[shift] {
				return 0, fmt.Errorf("column %q (%s): %s exceeds the precision", f.Name, f.Type, d)
			}
			c *= pow10Int64[shift]
		}
		if c >= limit || c <= -limit {
			return 0, fmt.Errorf("column %q (%s): %s exceeds the precision", f.Name, f.Type, d)
		}
		return c, nil
	}
	b, err := unscaled(f, dt, d)
	if err != nil {
		return 0, err
	}
	return b.Int64(), nil
}

// formatPartitionValue renders a Go value the way partitionValues stores it.
// nil becomes "" (null).
func formatPartitionValue(f Field, dt dataType, v any) (string, error) {
	if v == nil {
		return "", nil
	}
	switch dt.kind {
	case kindString:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case kindBinary:
		if b, ok := v.([]byte); ok {
			return string(b), nil
		}
	case kindLong, kindInteger, kindShort, kindByte:
		n, err := intInRange(f, v, intBits(dt.kind))
		if err != nil {
			return "", err
		}
		return strconv.FormatInt(n, 10), nil
	case kindDouble:
		if x, ok := v.(float64); ok {
			return strconv.FormatFloat(x, 'g', -1, 64), nil
		}
	case kindFloat:
		if x, ok := v.(float32); ok {
			return strconv.FormatFloat(float64(x), 'g', -1, 32), nil
		}
	case kindBoolean:
		if b, ok := v.(bool); ok {
			return strconv.FormatBool(b), nil
		}
	case kindDate:
		if t, ok := v.(time.Time); ok {
			return t.UTC().Format(time.DateOnly), nil
		}
	case kindTimestamp:
		if t, ok := v.(time.Time); ok {
			return t.UTC().Format("2006-01-02 15:04:05.999999"), nil
		}
	case kindTimestampNtz:
		if t, ok := v.(time.Time); ok {
			return t.Format("2006-01-02 15:04:05.999999"), nil
		}
	case kindDecimal:
		if d, ok := v.(decimal.Decimal); ok {
			if _, err := unscaled(f, dt, d); err != nil {
				return "", err
			}
			return d.StringFixed(int32(dt.scale)), nil
		}
	}
	return "", typeError(f, v)
}

// parsePartitionValue decodes a partitionValues string into the Go value of
// the column type; "" is null.
func parsePartitionValue(f Field, dt dataType, s string) (any, error) {
	if s == "" {
		return nil, nil
	}
	bad := func(err error) error {
		return fmt.Errorf("partition column %q (%s): invalid value %q: %v", f.Name, f.Type, s, err)
	}
	switch dt.kind {
	case kindString:
		return s, nil
	case kindBinary:
		return []byte(s), nil
	case kindLong, kindInteger, kindShort, kindByte:
		n, err := strconv.ParseInt(s, 10, int(intBits(dt.kind)))
		if err != nil {
			return nil, bad(err)
		}
		return narrowInt(dt.kind, n), nil
	case kindDouble:
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, bad(err)
		}
		return x, nil
	case kindFloat:
		x, err := strconv.ParseFloat(s, 32)
		if err != nil {
			return nil, bad(err)
		}
		return float32(x), nil
	case kindBoolean:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, bad(err)
		}
		return b, nil
	case kindDate:
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return nil, bad(err)
		}
		return t, nil
	case kindTimestamp, kindTimestampNtz:
		// A date is a valid value too: a date partition column widened to
		// timestamp_ntz keeps its old files' values.
		for _, layout := range []string{"2006-01-02 15:04:05.999999999", time.RFC3339Nano, "2006-01-02T15:04:05.999999999", time.DateOnly} {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC(), nil
			}
		}
		return nil, bad(fmt.Errorf("not a timestamp"))
	case kindDecimal:
		d, err := decimal.NewFromString(s)
		if err != nil {
			return nil, bad(err)
		}
		return d, nil
	}
	return nil, bad(fmt.Errorf("unsupported type"))
}

// sameValue reports whether two row values are equal (same type and value);
// it is conservative: false only costs a slower path.
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	case string:
		y, ok := b.(string)
		return ok && x == y
	case int64:
		y, ok := b.(int64)
		return ok && x == y
	case int32:
		y, ok := b.(int32)
		return ok && x == y
	case decimal.Decimal:
		y, ok := b.(decimal.Decimal)
		return ok && x.Equal(y)
	}
	return false
}
