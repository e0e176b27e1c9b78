package delta

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Field is one top-level column of a table. Type uses Spark's names as they
// appear in the log's schemaString: "string", "long", "integer", "short",
// "byte", "double", "float", "boolean", "date", "timestamp", "timestamp_ntz",
// "binary" and "decimal(p,s)". Nested types written by other engines (struct, array, map)
// keep their JSON text in Type so that a schema round-trips unchanged; rows
// cannot be read or written for those columns.
type Field struct {
	Name     string
	Type     string
	Nullable bool
	// Metadata is the field's metadata object as raw JSON ("{}" when empty).
	// It is kept so that a schema read from another engine is written back
	// unchanged.
	Metadata json.RawMessage
}

// Schema is the ordered list of a table's columns, partition columns
// included at their position.
type Schema struct {
	Fields []Field
}

// Index returns the position of the named field, or -1.
func (s Schema) Index(name string) int {
	for i, f := range s.Fields {
		if f.Name == name {
			return i
		}
	}
	return -1
}

// Readable reports whether this package can read and write the column's
// values (a primitive type); nested columns of other engines' tables are
// not, and can be left out with Snapshot.ScanColumns.
func (f Field) Readable() bool {
	_, err := parseType(f.Type)
	return err == nil
}

// Equal reports whether two schemas have the same columns in the same order
// with the same types and nullability (metadata is ignored).
func (s Schema) Equal(o Schema) bool {
	if len(s.Fields) != len(o.Fields) {
		return false
	}
	for i, f := range s.Fields {
		g := o.Fields[i]
		if f.Name != g.Name || f.Type != g.Type || f.Nullable != g.Nullable {
			return false
		}
	}
	return true
}

// Validate checks that every field has a name, a unique one, and a type the
// writer supports.
func (s Schema) Validate() error {
	if len(s.Fields) == 0 {
		return fmt.Errorf("delta: schema has no fields")
	}
	seen := make(map[string]bool, len(s.Fields))
	for _, f := range s.Fields {
		if f.Name == "" {
			return fmt.Errorf("delta: schema has a field without a name")
		}
		key := strings.ToLower(f.Name)
		if seen[key] {
			// Spark resolves columns case-insensitively, so "a" and "A" collide.
			return fmt.Errorf("delta: duplicate field %q", f.Name)
		}
		seen[key] = true
		if _, err := parseType(f.Type); err != nil {
			return fmt.Errorf("delta: field %q: %w", f.Name, err)
		}
	}
	return nil
}

// kind is the decoded form of a primitive Delta type.
type kind uint8

const (
	kindString kind = iota + 1
	kindLong
	kindInteger
	kindShort
	kindByte
	kindDouble
	kindFloat
	kindBoolean
	kindDate
	kindTimestamp
	kindBinary
	kindDecimal
	// kindTimestampNtz is timestamp_ntz (the timestampNtz feature): a wall
	// clock reading without a time zone.
	kindTimestampNtz
)

// dataType is a parsed primitive type; precision and scale are set for
// decimals only.
type dataType struct {
	kind      kind
	precision int
	scale     int
}

var primitiveKinds = map[string]kind{
	"string": kindString, "long": kindLong, "integer": kindInteger,
	"short": kindShort, "byte": kindByte, "double": kindDouble,
	"float": kindFloat, "boolean": kindBoolean, "date": kindDate,
	"timestamp": kindTimestamp, "binary": kindBinary, "timestamp_ntz": kindTimestampNtz,
}

// parseType decodes a primitive type name; nested types are an error.
func parseType(t string) (dataType, error) {
	if k, ok := primitiveKinds[t]; ok {
		return dataType{kind: k}, nil
	}
	if rest, ok := strings.CutPrefix(t, "decimal("); ok {
		rest, ok = strings.CutSuffix(rest, ")")
		ps := strings.Split(rest, ",")
		if ok && len(ps) == 2 {
			p, err1 := strconv.Atoi(strings.TrimSpace(ps[0]))
			s, err2 := strconv.Atoi(strings.TrimSpace(ps[1]))
			if err1 == nil && err2 == nil && p >= 1 && p <= 38 && s >= 0 && s <= p {
				return dataType{kind: kindDecimal, precision: p, scale: s}, nil
			}
		}
		return dataType{}, fmt.Errorf("invalid decimal type %q (want decimal(p,s) with 1 ≤ p ≤ 38, 0 ≤ s ≤ p)", t)
	}
	if strings.HasPrefix(t, "{") {
		return dataType{}, fmt.Errorf("nested type %s is not supported", t)
	}
	return dataType{}, fmt.Errorf("unknown type %q", t)
}

// schemaJSON mirrors Spark's StructType JSON.
type schemaJSON struct {
	Type   string      `json:"type"`
	Fields []fieldJSON `json:"fields"`
}

type fieldJSON struct {
	Name     string          `json:"name"`
	Type     json.RawMessage `json:"type"`
	Nullable bool            `json:"nullable"`
	Metadata json.RawMessage `json:"metadata"`
}

// ParseSchemaString decodes the schemaString of a metaData action.
func ParseSchemaString(s string) (Schema, error) {
	var sj schemaJSON
	if err := json.Unmarshal([]byte(s), &sj); err != nil {
		return Schema{}, fmt.Errorf("delta: invalid schemaString: %w", err)
	}
	if sj.Type != "struct" {
		return Schema{}, fmt.Errorf("delta: schemaString type is %q, want struct", sj.Type)
	}
	out := Schema{Fields: make([]Field, 0, len(sj.Fields))}
	for _, f := range sj.Fields {
		if f.Name == "" {
			return Schema{}, fmt.Errorf("delta: schemaString has a field without a name")
		}
		var typ string
		raw := bytes.TrimSpace(f.Type)
		if len(raw) > 0 && raw[0] == '"' {
			if err := json.Unmarshal(raw, &typ); err != nil {
				return Schema{}, fmt.Errorf("delta: field %q: invalid type: %w", f.Name, err)
			}
		} else if len(raw) > 0 && raw[0] == '{' {
			var buf bytes.Buffer
			if err := json.Compact(&buf, raw); err != nil {
				return Schema{}, fmt.Errorf("delta: field %q: invalid type: %w", f.Name, err)
			}
			typ = buf.String()
		} else {
			return Schema{}, fmt.Errorf("delta: field %q has no type", f.Name)
		}
		out.Fields = append(out.Fields, Field{Name: f.Name, Type: typ, Nullable: f.Nullable, Metadata: f.Metadata})
	}
	return out, nil
}

// String encodes the schema as a Spark schemaString.
func (s Schema) String() string {
	sj := schemaJSON{Type: "struct", Fields: make([]fieldJSON, len(s.Fields))}
	for i, f := range s.Fields {
		var typ json.RawMessage
		if strings.HasPrefix(f.Type, "{") {
			typ = json.RawMessage(f.Type)
		} else {
			typ, _ = json.Marshal(f.Type)
		}
		md := f.Metadata
		if len(md) == 0 {
			md = json.RawMessage("{}")
		}
		sj.Fields[i] = fieldJSON{Name: f.Name, Type: typ, Nullable: f.Nullable, Metadata: md}
	}
	b, err := json.Marshal(sj)
	if err != nil {
		// Only reachable with invalid raw JSON in Type or Metadata, which
		// ParseSchemaString never produces; fall back to plain metadata.
		for i := range sj.Fields {
			sj.Fields[i].Metadata = json.RawMessage("{}")
		}
		b, _ = json.Marshal(sj)
	}
	return string(b)
}
