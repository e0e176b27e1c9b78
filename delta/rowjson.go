package delta

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// RowJSON renders a row as one JSON object with the columns in schema order,
// in a form that loses nothing: decimals as strings with the column scale
// ("1.50" in a decimal(18,2)), timestamps as
// RFC 3339 UTC, timestamp_ntz values as RFC 3339 without a zone, dates as YYYY-MM-DD, binary as base64, and NaN or infinite
// floats as the strings "NaN", "Infinity", "-Infinity". It is what
// `finpipe lake cat` prints and what the delta-rs check compares.
func (s Schema) RowJSON(r Row) ([]byte, error) {
	if len(r) != len(s.Fields) {
		return nil, fmt.Errorf("delta: row has %d values, the schema has %d columns", len(r), len(s.Fields))
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range s.Fields {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(&b, f.Name)
		b.WriteByte(':')
		dt, err := parseType(f.Type)
		if err != nil {
			return nil, fmt.Errorf("delta: column %q: %w", f.Name, err)
		}
		if err := writeJSONValue(&b, dt, r[i]); err != nil {
			return nil, fmt.Errorf("delta: column %q: %w", f.Name, err)
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func writeJSONValue(b *bytes.Buffer, dt dataType, v any) error {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		writeJSONString(b, x)
	case []byte:
		b.WriteByte('"')
		b.WriteString(base64.StdEncoding.EncodeToString(x))
		b.WriteByte('"')
	case int64, int32, int16, int8, int:
		fmt.Fprint(b, x)
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case float64:
		writeJSONFloat(b, x, 64)
	case float32:
		writeJSONFloat(b, float64(x), 32)
	case decimal.Decimal:
		writeJSONString(b, x.StringFixed(int32(dt.scale)))
	case time.Time:
		switch dt.kind {
		case kindDate:
			writeJSONString(b, x.UTC().Format(time.DateOnly))
		case kindTimestampNtz:
			writeJSONString(b, x.Format("2006-01-02T15:04:05.999999999"))
		default:
			writeJSONString(b, x.UTC().Format(time.RFC3339Nano))
		}
	default:
		return fmt.Errorf("unsupported Go value of type %T", v)
	}
	return nil
}

func writeJSONFloat(b *bytes.Buffer, x float64, bits int) {
	switch {
	case math.IsNaN(x):
		b.WriteString(`"NaN"`)
	case math.IsInf(x, 1):
		b.WriteString(`"Infinity"`)
	case math.IsInf(x, -1):
		b.WriteString(`"-Infinity"`)
	default:
		b.WriteString(strconv.FormatFloat(x, 'g', -1, bits))
	}
}
