package delta

import (
	"encoding/json"
	"time"
)

// Protocol is the protocol action: the reader and writer versions a client
// needs to understand the table. This package reads version 1 and writes 2.
type Protocol struct {
	MinReaderVersion int      `json:"minReaderVersion"`
	MinWriterVersion int      `json:"minWriterVersion"`
	ReaderFeatures   []string `json:"readerFeatures,omitempty"`
	WriterFeatures   []string `json:"writerFeatures,omitempty"`
}

// Format is the metaData action's storage format (always parquet).
type Format struct {
	Provider string            `json:"provider"`
	Options  map[string]string `json:"options"`
}

// Metadata is the metaData action: table id, schema and partitioning.
type Metadata struct {
	ID               string            `json:"id"`
	Name             *string           `json:"name,omitempty"`
	Description      *string           `json:"description,omitempty"`
	Format           Format            `json:"format"`
	SchemaString     string            `json:"schemaString"`
	PartitionColumns []string          `json:"partitionColumns"`
	Configuration    map[string]string `json:"configuration"`
	CreatedTime      *int64            `json:"createdTime,omitempty"`
}

// AddFile is an add action: a data file that is part of the table.
//
// PartitionValues maps each partition column to its value in the log's
// string form ("2024-01-01" for a date). A null partition value is stored as
// the empty string: Spark writes an empty string partition value as null too,
// so the two are the same value in Delta.
type AddFile struct {
	// Path is relative to the table root, already URL-decoded (the log
	// stores it as a URI path).
	Path             string
	PartitionValues  map[string]string
	Size             int64
	ModificationTime int64 // milliseconds since the epoch
	DataChange       bool
	// Stats is the raw stats JSON, empty when the writer recorded none.
	Stats string
	Tags  map[string]string
	// DeletionVector marks rows of the data file that are no longer in the
	// table (nil when every row is live). The file and its deletion vector
	// together are one logical file.
	DeletionVector *DeletionVector
}

// FileStats is the decoded stats JSON of an add action. NumRecords counts
// every row of the data file, deleted ones included (see AddFile.NumRecords
// for the live rows); under column mapping the per-column maps are keyed by
// physical column name, as the log stores them.
type FileStats struct {
	NumRecords int64                      `json:"numRecords"`
	MinValues  map[string]json.RawMessage `json:"minValues,omitempty"`
	MaxValues  map[string]json.RawMessage `json:"maxValues,omitempty"`
	NullCount  map[string]json.RawMessage `json:"nullCount,omitempty"`
}

// ParsedStats decodes Stats. ok is false when the file has no (valid) stats.
func (a AddFile) ParsedStats() (st FileStats, ok bool) {
	if a.Stats == "" {
		return FileStats{}, false
	}
	if err := json.Unmarshal([]byte(a.Stats), &st); err != nil {
		return FileStats{}, false
	}
	return st, true
}

// NumRecords returns the number of rows the file holds in the table: the
// stats' row count less the rows its deletion vector removes, or -1 when
// unknown. (The stats' numRecords counts every row of the data file.)
func (a AddFile) NumRecords() int64 {
	st, ok := a.ParsedStats()
	if !ok {
		return -1
	}
	if a.DeletionVector != nil {
		return max(st.NumRecords-a.DeletionVector.Cardinality, 0)
	}
	return st.NumRecords
}

// RemoveFile is a remove action: a tombstone for a file no longer in the
// table, kept until vacuum's retention has passed.
type RemoveFile struct {
	Path              string
	DeletionTimestamp int64 // milliseconds since the epoch
	DataChange        bool
	PartitionValues   map[string]string
	Size              int64
	HasExtendedMeta   bool
	// DeletionVector is the deletion vector of the logical file removed.
	DeletionVector *DeletionVector
}

// removal is the remove action that takes the logical file a out of the
// table at now (ms): with its deletion vector, since a path and its vector
// together name the logical file.
func (a AddFile) removal(now int64, dataChange bool) RemoveFile {
	return RemoveFile{Path: a.Path, DeletionTimestamp: now, DataChange: dataChange,
		PartitionValues: a.PartitionValues, Size: a.Size, HasExtendedMeta: true, DeletionVector: a.DeletionVector}
}

// Txn is a txn (SetTransaction) action: the last version an application
// (AppID) committed to this table. Writers use it to make retries no-ops.
type Txn struct {
	AppID       string `json:"appId"`
	Version     int64  `json:"version"`
	LastUpdated *int64 `json:"lastUpdated,omitempty"`
}

// CommitInfo is the provenance of one commit, as shown by History.
type CommitInfo struct {
	Version             int64          `json:"-"`
	Timestamp           time.Time      `json:"-"`
	Operation           string         `json:"operation"`
	OperationParameters map[string]any `json:"operationParameters,omitempty"`
	OperationMetrics    map[string]any `json:"operationMetrics,omitempty"`
	ReadVersion         *int64         `json:"readVersion,omitempty"`
	IsBlindAppend       *bool          `json:"isBlindAppend,omitempty"`
	EngineInfo          string         `json:"engineInfo,omitempty"`
	// Computed from the commit's actions, not stored in commitInfo.
	FilesAdded   int   `json:"-"`
	FilesRemoved int   `json:"-"`
	RowsAdded    int64 `json:"-"` // -1 when some added file has no stats
	// Raw commitInfo fields this package does not model.
	Extra map[string]json.RawMessage `json:"-"`
}

// actions is the decoded content of one commit file (or checkpoint).
type actions struct {
	protocol   *Protocol
	metadata   *Metadata
	adds       []AddFile
	removes    []RemoveFile
	txns       []Txn
	commitInfo *CommitInfo
	// sidecars are the sidecar files a V2 checkpoint names (never used
	// from a commit: they are not allowed there).
	sidecars []sidecar
}

// merge adds b's actions to a (parts of one checkpoint).
func (a *actions) merge(b actions) {
	if b.protocol != nil {
		a.protocol = b.protocol
	}
	if b.metadata != nil {
		a.metadata = b.metadata
	}
	a.adds = append(a.adds, b.adds...)
	a.removes = append(a.removes, b.removes...)
	a.txns = append(a.txns, b.txns...)
	a.sidecars = append(a.sidecars, b.sidecars...)
}
