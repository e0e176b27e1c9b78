package delta

import (
	"encoding/json"
	"fmt"
)

// Type widening (the typeWidening feature, "typeWidening-preview" in Delta
// 3) lets a column's type become wider without rewriting its files: files
// written before the change keep the narrower Parquet type, and the
// decoders (decode.go) convert their values to the column's type. Each
// change is recorded in the column's metadata under delta.typeChanges, and
// a reader must refuse a table with a change it cannot convert.

// typeChange is one entry of a column's delta.typeChanges.
type typeChange struct {
	FromType  string `json:"fromType"`
	ToType    string `json:"toType"`
	FieldPath string `json:"fieldPath,omitempty"`
}

// validateTypeChanges checks every recorded type change of the schema
// against the ones this reader converts.
func validateTypeChanges(st *tableState) error {
	for _, f := range st.schema.Fields {
		if len(f.Metadata) == 0 {
			continue
		}
		var md struct {
			Changes []typeChange `json:"delta.typeChanges"`
		}
		if err := json.Unmarshal(f.Metadata, &md); err != nil {
			return fmt.Errorf("%w: column %q: invalid metadata: %v", ErrCorruptLog, f.Name, err)
		}
		for _, c := range md.Changes {
			if !supportedWidening(c.FromType, c.ToType) {
				return fmt.Errorf("%w: column %q: type change from %s to %s is not one this reader converts (supported: integers to wider integers, to double or to wide enough decimals; float to double; date to timestamp_ntz; decimals to more precision and scale)",
					ErrUnsupportedFeature, f.Name, c.FromType, c.ToType)
			}
		}
	}
	return nil
}

// intRank orders the integer kinds by width (0 for other kinds).
func intRank(k kind) int {
	switch k {
	case kindByte:
		return 1
	case kindShort:
		return 2
	case kindInteger:
		return 3
	case kindLong:
		return 4
	}
	return 0
}

// supportedWidening reports whether the protocol defines the change from
// one type to the other, which the decoders then convert.
func supportedWidening(from, to string) bool {
	f, err1 := parseType(from)
	t, err2 := parseType(to)
	if err1 != nil || err2 != nil {
		return false
	}
	fi, ti := intRank(f.kind), intRank(t.kind)
	switch {
	case fi > 0 && ti > 0:
		return ti >= fi
	case f.kind == kindFloat && t.kind == kindDouble:
		return true
	case fi > 0 && fi <= 3 && t.kind == kindDouble:
		return true
	case f.kind == kindDate && t.kind == kindTimestampNtz:
		return true
	case f.kind == kindDecimal && t.kind == kindDecimal:
		k1, k2 := t.precision-f.precision, t.scale-f.scale
		return k1 >= k2 && k2 >= 0
	case fi > 0 && t.kind == kindDecimal:
		digits := 10 // byte, short, int: Decimal(10 + k1, k2) with k1 >= k2
		if fi == 4 {
			digits = 20
		}
		return t.precision-t.scale >= digits
	}
	return false
}
