package delta

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// Column mapping (Delta's columnMapping feature) decouples a column's name
// in the schema (logical, what users see and rename) from its name in data
// files and in the log's partition values and stats (physical, fixed when
// the column is created). Renaming or dropping a column then changes only
// the schema. In "name" mode data file columns are found by physical name,
// in "id" mode by their Parquet field id.
const (
	mappingNone = "none"
	mappingName = "name"
	mappingID   = "id"
)

// Column metadata keys of column mapping.
const (
	physicalNameKey = "delta.columnMapping.physicalName"
	columnIDKey     = "delta.columnMapping.id"
)

// columnMappingMode returns the table's mode. The table property counts
// only when the protocol has the feature (reader version 2, or the feature
// listed at version 3), as the protocol says.
func columnMappingMode(p *Protocol, m *Metadata) (string, error) {
	if !p.hasReaderFeature(featureColumnMapping) {
		return mappingNone, nil
	}
	switch mode := strings.ToLower(m.Configuration["delta.columnMapping.mode"]); mode {
	case "", mappingNone:
		return mappingNone, nil
	case mappingName, mappingID:
		return mode, nil
	default:
		return "", fmt.Errorf("%w: unknown delta.columnMapping.mode %q", ErrCorruptLog, mode)
	}
}

// physicalColumn is where a schema field lives under the mapping mode.
type physicalColumn struct {
	name string // in data files ("name" mode) and in partition values
	id   int    // Parquet field id ("id" mode)
}

// physical resolves a field under mode: its own name when there is no
// mapping; else the physical name and id from its metadata, which a
// column-mapped table must have.
func physical(f Field, mode string) (physicalColumn, error) {
	if mode == mappingNone {
		return physicalColumn{name: f.Name}, nil
	}
	var md struct {
		Name *string `json:"delta.columnMapping.physicalName"`
		ID   *int    `json:"delta.columnMapping.id"`
	}
	if len(f.Metadata) > 0 {
		if err := json.Unmarshal(f.Metadata, &md); err != nil {
			return physicalColumn{}, fmt.Errorf("%w: column %q: invalid metadata: %v", ErrCorruptLog, f.Name, err)
		}
	}
	if md.Name == nil || *md.Name == "" {
		return physicalColumn{}, fmt.Errorf("%w: column %q of a column-mapped table has no %s", ErrCorruptLog, f.Name, physicalNameKey)
	}
	pc := physicalColumn{name: *md.Name}
	if mode == mappingID {
		if md.ID == nil {
			return physicalColumn{}, fmt.Errorf("%w: column %q of a table mapped by id has no %s", ErrCorruptLog, f.Name, columnIDKey)
		}
		pc.id = *md.ID
	}
	return pc, nil
}

// lookup finds the leaf column of a data file that holds the field: by
// physical name, or in "id" mode by field id among the file's top-level
// columns. ok is false when the file lacks it (the column was added
// later): its values read as null.
func (pc physicalColumn) lookup(mode string, pf *parquet.File) (parquet.LeafColumn, bool) {
	name := pc.name
	if mode == mappingID {
		name = ""
		for _, c := range pf.Root().Columns() {
			if c.ID() == pc.id {
				name = c.Name()
				break
			}
		}
		if name == "" {
			return parquet.LeafColumn{}, false
		}
	}
	return pf.Schema().Lookup(name)
}

// logicalFile returns f with its partition values keyed by column name:
// the log keys them by physical name under column mapping.
func (s *Snapshot) logicalFile(f AddFile) AddFile {
	names := s.partitionNames()
	if len(names) == 0 || len(f.PartitionValues) == 0 {
		return f
	}
	pv := make(map[string]string, len(f.PartitionValues))
	for k, v := range f.PartitionValues {
		if logical, ok := names[k]; ok {
			k = logical
		}
		pv[k] = v
	}
	f.PartitionValues = pv
	return f
}

// partitionNames maps the physical names of a column-mapped table's
// partition columns to their names (nil without mapping). validate has
// checked the metadata it reads.
func (s *Snapshot) partitionNames() map[string]string {
	s.namesOnce.Do(func() {
		mode, err := columnMappingMode(s.st.protocol, s.st.metadata)
		if err != nil || mode == mappingNone {
			return
		}
		s.physicalToLogical = map[string]string{}
		for _, c := range s.st.metadata.PartitionColumns {
			if i := s.st.schema.Index(c); i >= 0 {
				if pc, err := physical(s.st.schema.Fields[i], mode); err == nil {
					s.physicalToLogical[pc.name] = c
				}
			}
		}
	})
	return s.physicalToLogical
}

// validateColumnMapping checks that a column-mapped schema says where each
// column lives.
func validateColumnMapping(st *tableState) error {
	mode, err := columnMappingMode(st.protocol, st.metadata)
	if err != nil {
		return err
	}
	for _, f := range st.schema.Fields {
		if _, err := physical(f, mode); err != nil {
			return err
		}
	}
	return nil
}
