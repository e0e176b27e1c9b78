package delta

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrUnsupportedFeature is wrapped (through *UnsupportedFeatureError) when a
// table needs a reader or writer feature, or a protocol version, that this
// package does not implement. It is not corruption: the table is fine, this
// reader or writer is too old for it, so callers can tell the two apart and
// the message names what is missing.
var ErrUnsupportedFeature = errors.New("delta: unsupported table feature")

// UnsupportedFeatureError names the feature a table needs and this package
// lacks. Write is true when only writing is refused (the table reads fine).
type UnsupportedFeatureError struct {
	Feature   string
	Write     bool
	Supported []string
	// Reason explains, for a feature supported only while unused, what in
	// the table uses it.
	Reason string
}

func (e *UnsupportedFeatureError) Error() string {
	role := "reader"
	if e.Write {
		role = "writer"
	}
	msg := fmt.Sprintf("delta: table requires %s feature %q", role, e.Feature)
	if e.Reason != "" {
		msg += " (" + e.Reason + ")"
	}
	return msg + " (supported: " + strings.Join(e.Supported, ", ") + ")"
}

// Unwrap makes errors.Is(err, ErrUnsupportedFeature) true.
func (e *UnsupportedFeatureError) Unwrap() error { return ErrUnsupportedFeature }

// Feature names from the protocol's table of valid feature names.
const (
	featureAppendOnly          = "appendOnly"
	featureInvariants          = "invariants"
	featureCheckConstraints    = "checkConstraints"
	featureChangeDataFeed      = "changeDataFeed"
	featureGeneratedColumns    = "generatedColumns"
	featureColumnMapping       = "columnMapping"
	featureIdentityColumns     = "identityColumns"
	featureDeletionVectors     = "deletionVectors"
	featureTimestampNtz        = "timestampNtz"
	featureV2Checkpoint        = "v2Checkpoint"
	featureTypeWidening        = "typeWidening"
	featureTypeWideningPreview = "typeWidening-preview"
	featureVacuumProtocolCheck = "vacuumProtocolCheck"
)

// readerFeatures are the reader features this package implements. Every
// one changes how rows are read except vacuumProtocolCheck, which asks
// readers only to know it (and writers to check the protocol before
// vacuum, which Vacuum does).
var readerFeatures = []string{
	featureColumnMapping, featureDeletionVectors, featureTimestampNtz, featureTypeWidening,
	featureTypeWideningPreview, featureV2Checkpoint, featureVacuumProtocolCheck,
}

// writerFeatures are the writer features whose rules this package's
// writes keep. Some hold only while unused (see writerFeatureInUse): a
// column invariant or CHECK constraint is a SQL expression this writer
// cannot evaluate, so a table that defines one is refused, not written
// unchecked.
//
//   - appendOnly: delta.appendOnly=true refuses commits that remove data.
//   - deletionVectors: this writer never creates deletion vectors; files it
//     removes are removed with theirs, as the log's logical file identity
//     needs; Vacuum keeps the deletion vector files of live files.
//   - v2Checkpoint: writers may always write classic V1 checkpoints, which
//     is what this package writes (never multi-part ones).
//   - timestampNtz: timestamp_ntz columns are written as Spark writes them
//     (INT64 microseconds, not adjusted to UTC).
//   - vacuumProtocolCheck: Vacuum checks the writer protocol first.
//   - invariants, checkConstraints, generatedColumns, identityColumns,
//     changeDataFeed: while the table does not use them.
var writerFeatures = []string{
	featureAppendOnly, featureChangeDataFeed, featureCheckConstraints, featureDeletionVectors,
	featureGeneratedColumns, featureIdentityColumns, featureInvariants, featureTimestampNtz,
	featureV2Checkpoint, featureVacuumProtocolCheck,
}

// legacyReaderFeatures are the features a reader version below 3 implies.
func legacyReaderFeatures(version int) []string {
	if version >= 2 {
		return []string{featureColumnMapping}
	}
	return nil
}

// legacyWriterFeatures are the features a writer version below 7 implies.
func legacyWriterFeatures(version int) []string {
	var out []string
	for _, f := range []struct {
		since int
		name  string
	}{
		{2, featureAppendOnly}, {2, featureInvariants}, {3, featureCheckConstraints},
		{4, featureChangeDataFeed}, {4, featureGeneratedColumns}, {5, featureColumnMapping},
		{6, featureIdentityColumns},
	} {
		if version >= f.since {
			out = append(out, f.name)
		}
	}
	return out
}

// activeReaderFeatures lists the reader features the protocol asks for:
// readerFeatures at version 3, the implied set below it.
func (p *Protocol) activeReaderFeatures() []string {
	if p.MinReaderVersion >= 3 {
		return p.ReaderFeatures
	}
	return legacyReaderFeatures(p.MinReaderVersion)
}

// activeWriterFeatures lists the writer features: writerFeatures at
// version 7, the implied set below it.
func (p *Protocol) activeWriterFeatures() []string {
	if p.MinWriterVersion >= 7 {
		return p.WriterFeatures
	}
	return legacyWriterFeatures(p.MinWriterVersion)
}

// hasReaderFeature reports whether the protocol enables a reader feature
// (listed at version 3, or implied by a legacy version).
func (p *Protocol) hasReaderFeature(name string) bool {
	return p != nil && slices.Contains(p.activeReaderFeatures(), name)
}

// checkReadable decides, before any action that depends on it is
// interpreted, whether this package can read a table with protocol p.
func checkReadable(p *Protocol) error {
	switch v := p.MinReaderVersion; {
	case v < 1:
		return fmt.Errorf("%w: protocol without a reader version", ErrCorruptLog)
	case v > 3:
		return fmt.Errorf("%w: table requires reader version %d (supported: 1, 2, 3)", ErrUnsupportedFeature, v)
	case v == 3 && p.ReaderFeatures == nil:
		// Reader version 3 means "read readerFeatures": without the list
		// the table's needs are unknown, and guessing "none" reads wrong rows.
		return fmt.Errorf("%w: protocol has reader version 3 but no readerFeatures", ErrCorruptLog)
	}
	for _, f := range p.activeReaderFeatures() {
		if !slices.Contains(readerFeatures, f) {
			return &UnsupportedFeatureError{Feature: f, Supported: readerFeatures}
		}
	}
	return nil
}

// checkWritable decides whether this package may commit to a table with
// protocol p and metadata m (writers must also be able to read it).
func checkWritable(p *Protocol, m *Metadata, schema Schema) error {
	if err := checkReadable(p); err != nil {
		return err
	}
	if v := p.MinWriterVersion; v > 7 || v < 1 {
		return fmt.Errorf("%w: table requires writer version %d (supported: 1 to 7)", ErrUnsupportedFeature, v)
	}
	if p.MinWriterVersion == 7 && p.WriterFeatures == nil {
		return fmt.Errorf("%w: protocol has writer version 7 but no writerFeatures", ErrCorruptLog)
	}
	// Reader features are listed among the writer features too, but a
	// legacy reader version 2 (column mapping) is not: check both lists.
	for _, f := range append(slices.Clone(p.activeReaderFeatures()), p.activeWriterFeatures()...) {
		if !slices.Contains(writerFeatures, f) {
			return &UnsupportedFeatureError{Feature: f, Write: true, Supported: writerFeatures}
		}
		if reason := writerFeatureInUse(f, m, schema); reason != "" {
			return &UnsupportedFeatureError{Feature: f, Write: true, Supported: writerFeatures, Reason: reason}
		}
	}
	return nil
}

// writerFeatureInUse explains why a feature this writer supports only while
// unused is in use by the table ("" when it is not).
func writerFeatureInUse(feature string, m *Metadata, schema Schema) string {
	fieldWith := func(key string) string {
		for _, f := range schema.Fields {
			if strings.Contains(string(f.Metadata), `"`+key) {
				return f.Name
			}
		}
		return ""
	}
	switch feature {
	case featureInvariants:
		if c := fieldWith("delta.invariants"); c != "" {
			return fmt.Sprintf("column %q has an invariant, which this writer cannot evaluate", c)
		}
	case featureGeneratedColumns:
		if c := fieldWith("delta.generationExpression"); c != "" {
			return fmt.Sprintf("column %q is generated, which this writer cannot compute", c)
		}
	case featureIdentityColumns:
		if c := fieldWith("delta.identity."); c != "" {
			return fmt.Sprintf("column %q is an identity column, which this writer cannot fill", c)
		}
	case featureCheckConstraints:
		for k := range m.Configuration {
			if strings.HasPrefix(k, "delta.constraints.") {
				return fmt.Sprintf("CHECK constraint %q cannot be evaluated by this writer", strings.TrimPrefix(k, "delta.constraints."))
			}
		}
	case featureChangeDataFeed:
		if strings.EqualFold(m.Configuration["delta.enableChangeDataFeed"], "true") {
			return "delta.enableChangeDataFeed is on and this writer writes no change data files"
		}
	}
	return ""
}

// appendOnly reports whether the table refuses commits that remove data.
func (m *Metadata) appendOnly() bool {
	return strings.EqualFold(m.Configuration["delta.appendOnly"], "true")
}

// writable checks that this package may write the table at s: the
// protocol's features (before any data file is written: pass a nil plan),
// and, for a plan, the rules of the features it keeps.
func (s *Snapshot) writable(plan *commitPlan) error {
	if err := checkWritable(s.st.protocol, s.st.metadata, s.st.schema); err != nil {
		return err
	}
	if plan == nil || !s.st.metadata.appendOnly() {
		return nil
	}
	for _, r := range plan.removes {
		if r.DataChange {
			return fmt.Errorf("delta: table is append-only (delta.appendOnly=true): %s would remove data", plan.op)
		}
	}
	return nil
}

// protocolFor is the protocol of a new table: reader 1 and writer 2, as
// FinPipe's tables always were, unless the schema needs a feature (a
// timestamp_ntz column needs timestampNtz, hence reader 3 and writer 7).
func protocolFor(schema Schema) *Protocol {
	for _, f := range schema.Fields {
		if dt, err := parseType(f.Type); err == nil && dt.kind == kindTimestampNtz {
			return &Protocol{MinReaderVersion: 3, MinWriterVersion: 7,
				ReaderFeatures: []string{featureTimestampNtz}, WriterFeatures: []string{featureTimestampNtz}}
		}
	}
	return &Protocol{MinReaderVersion: 1, MinWriterVersion: 2}
}
