package delta

import (
	"fmt"
	"maps"
	"slices"
)

// tableState is the result of replaying the log up to one version: the
// reconciled set of actions the protocol calls the table's state.
type tableState struct {
	protocol *Protocol
	metadata *Metadata
	schema   Schema
	// lay is the read/write layout of the schema; layErr explains why there
	// is none (e.g. nested columns written by another engine).
	lay        *layout
	layErr     error
	files      map[string]AddFile    // by path
	tombstones map[string]RemoveFile // by path
	txns       map[string]int64      // appId → version
	// ordered is the path order of the checkpoint this state started from,
	// when it was sorted, and addedSince the paths added after it (see
	// state_order.go); both nil otherwise.
	ordered    []string
	addedSince []string
	// lastCommitMillis is the commitInfo timestamp of the newest commit
	// applied (0 when unknown, e.g. straight after a checkpoint).
	lastCommitMillis int64
}

func newTableState() *tableState {
	return &tableState{files: map[string]AddFile{}, tombstones: map[string]RemoveFile{}, txns: map[string]int64{}}
}

// clone copies the state so that a new snapshot can be derived without
// changing one that callers may still hold.
func (s *tableState) clone() *tableState {
	return &tableState{
		protocol: s.protocol, metadata: s.metadata, schema: s.schema, lay: s.lay, layErr: s.layErr,
		files:            maps.Clone(s.files),
		tombstones:       maps.Clone(s.tombstones),
		txns:             maps.Clone(s.txns),
		lastCommitMillis: s.lastCommitMillis,
		ordered:          s.ordered, // never modified
		addedSince:       slices.Clone(s.addedSince),
	}
}

// apply reconciles one commit's actions into the state, in the order the
// protocol defines: within a commit a path is either added or removed. The
// protocol comes first: a table that needs a feature this package lacks is
// refused before any of the actions that feature governs is used.
func (s *tableState) apply(a actions) error {
	if a.protocol != nil {
		if err := checkReadable(a.protocol); err != nil {
			return err
		}
		s.protocol = a.protocol
	}
	if a.metadata != nil {
		sch, err := ParseSchemaString(a.metadata.SchemaString)
		if err != nil {
			return err
		}
		s.metadata = a.metadata
		s.schema = sch
		s.lay, s.layErr = newLayout(sch, a.metadata.PartitionColumns)
	}
	for _, r := range a.removes {
		delete(s.files, r.Path)
		s.tombstones[r.Path] = r
	}
	if len(s.files) == 0 && len(a.adds) > 0 {
		s.files = make(map[string]AddFile, len(a.adds)) // a checkpoint: no rehashing as it fills
	}
	for _, f := range a.adds {
		if f.DeletionVector != nil && !s.protocol.hasReaderFeature(featureDeletionVectors) {
			return fmt.Errorf("%w: add %q has a deletion vector, but the protocol does not list the deletionVectors feature", ErrCorruptLog, f.Path)
		}
		s.files[f.Path] = f
		if s.ordered != nil {
			s.addedSince = append(s.addedSince, f.Path)
		}
		delete(s.tombstones, f.Path)
	}
	for _, t := range a.txns {
		s.txns[t.AppID] = t.Version
	}
	if a.commitInfo != nil && !a.commitInfo.Timestamp.IsZero() {
		s.lastCommitMillis = a.commitInfo.Timestamp.UnixMilli()
	}
	return nil
}

// expireTombstones forgets the removes older than before (ms), as a
// checkpoint written now would (checkpointRows).
func (s *tableState) expireTombstones(before int64) {
	maps.DeleteFunc(s.tombstones, func(_ string, r RemoveFile) bool { return r.DeletionTimestamp < before })
}

// validate checks that the replayed state describes a readable table.
func (s *tableState) validate(version int64) error {
	if s.protocol == nil {
		return fmt.Errorf("%w: no protocol action up to version %d", ErrCorruptLog, version)
	}
	if s.metadata == nil {
		return fmt.Errorf("%w: no metaData action up to version %d", ErrCorruptLog, version)
	}
	if err := checkReadable(s.protocol); err != nil {
		return err
	}
	if p := s.metadata.Format.Provider; p != "" && p != "parquet" {
		return fmt.Errorf("delta: unsupported data file format %q", p)
	}
	for _, c := range s.metadata.PartitionColumns {
		if s.schema.Index(c) < 0 {
			return fmt.Errorf("%w: partition column %q is not in the schema", ErrCorruptLog, c)
		}
	}
	if err := validateTypeChanges(s); err != nil {
		return err
	}
	return validateColumnMapping(s)
}
