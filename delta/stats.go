package delta

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// statsStringPrefix is how many characters of a string Spark keeps in
// min/max stats (delta.dataSkippingStringPrefixLength).
const statsStringPrefix = 32

// colStats accumulates one column's stats while a file is written. Which
// fields are used depends on the column type: integers, dates, timestamps and
// decimals up to precision 18 use the int64 pair (unscaled for decimals).
type colStats struct {
	nulls        int64
	has          bool
	minI, maxI   int64
	minF, maxF   float64
	minS, maxS   string
	minD, maxD   decimal.Decimal
	nanSeen      bool
	collectMinMx bool
}

func (c *colStats) addInt(v int64) {
	if !c.has {
		c.minI, c.maxI, c.has = v, v, true
		return
	}
	if v < c.minI {
		c.minI = v
	} else if v > c.maxI {
		c.maxI = v
	}
}

func (c *colStats) addFloat(v float64) {
	if math.IsNaN(v) {
		c.nanSeen = true
		return
	}
	if !c.has {
		c.minF, c.maxF, c.has = v, v, true
		return
	}
	c.minF = min(c.minF, v)
	c.maxF = max(c.maxF, v)
}

func (c *colStats) addString(v string) {
	if !c.has {
		c.minS, c.maxS, c.has = v, v, true
		return
	}
	if v < c.minS {
		c.minS = v
	} else if v > c.maxS {
		c.maxS = v
	}
}

func (c *colStats) addDecimal(v decimal.Decimal) {
	if !c.has {
		c.minD, c.maxD, c.has = v, v, true
		return
	}
	if v.Cmp(c.minD) < 0 {
		c.minD = v
	}
	if v.Cmp(c.maxD) > 0 {
		c.maxD = v
	}
}

// statsJSON renders stats as Spark does: decimals as JSON numbers, dates as
// "2024-01-01", timestamps as ISO strings with milliseconds. Bounds are
// widened where Spark's format loses precision (a max timestamp with
// sub-millisecond digits is rounded up, a long string max is dropped) so
// that data skipping stays correct.
func statsJSON(cols []column, st []colStats, numRecords int64) string {
	var b bytes.Buffer
	b.WriteString(`{"numRecords":`)
	b.WriteString(strconv.FormatInt(numRecords, 10))
	writeBounds := func(key string, isMax bool) {
		b.WriteString(`,"` + key + `":{`)
		first := true
		for i, c := range cols {
			v, ok := boundJSON(c, &st[i], isMax)
			if !ok {
				continue
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			writeJSONString(&b, c.field.Name)
			b.WriteByte(':')
			b.WriteString(v)
		}
		b.WriteByte('}')
	}
	writeBounds("minValues", false)
	writeBounds("maxValues", true)
	b.WriteString(`,"nullCount":{`)
	for i, c := range cols {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(&b, c.field.Name)
		b.WriteByte(':')
		b.WriteString(strconv.FormatInt(st[i].nulls, 10))
	}
	b.WriteString("}}")
	return b.String()
}

// boundJSON returns the JSON text of a column's min or max.
func boundJSON(c column, s *colStats, isMax bool) (string, bool) {
	if !s.has || !s.collectMinMx {
		return "", false
	}
	pick := func(lo, hi int64) int64 {
		if isMax {
			return hi
		}
		return lo
	}
	switch c.dt.kind {
	case kindLong, kindInteger, kindShort, kindByte:
		return strconv.FormatInt(pick(s.minI, s.maxI), 10), true
	case kindDouble, kindFloat:
		if s.nanSeen {
			return "", false // NaN sorts above everything in Spark; no safe bound
		}
		v := s.minF
		if isMax {
			v = s.maxF
		}
		if math.IsInf(v, 0) {
			return "", false
		}
		return strconv.FormatFloat(v, 'g', -1, 64), true
	case kindDate:
		return `"` + dateFromDays(pick(s.minI, s.maxI)).Format(time.DateOnly) + `"`, true
	case kindTimestamp, kindTimestampNtz:
		us := pick(s.minI, s.maxI)
		ms := us / 1000
		if us%1000 < 0 {
			ms--
		}
		if isMax && us%1000 != 0 {
			ms++
		}
		layout := "2006-01-02T15:04:05.000Z"
		if c.dt.kind == kindTimestampNtz {
			layout = "2006-01-02T15:04:05.000" // as Spark writes it: no zone
		}
		return `"` + time.UnixMilli(ms).UTC().Format(layout) + `"`, true
	case kindDecimal:
		if c.dt.precision <= 18 {
			return decimal.New(pick(s.minI, s.maxI), -int32(c.dt.scale)).StringFixed(int32(c.dt.scale)), true
		}
		d := s.minD
		if isMax {
			d = s.maxD
		}
		return d.StringFixed(int32(c.dt.scale)), true
	case kindString:
		v := s.minS
		if isMax {
			v = s.maxS
		}
		if utf8.RuneCountInString(v) > statsStringPrefix {
			if isMax {
				return "", false // a truncated max would be below the real one
			}
			v = truncateRunes(v, statsStringPrefix) // a prefix is still a lower bound
		}
		var sb bytes.Buffer
		writeJSONString(&sb, v)
		return sb.String(), true
	}
	return "", false
}

func truncateRunes(s string, n int) string {
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}

func writeJSONString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s) // strings always marshal
	b.Write(enc)
}
