package delta

import (
	"fmt"
	"strconv"
)

// DeletionVector is the log's descriptor of a deletion vector: the set of
// row positions of one data file that a DELETE, UPDATE or MERGE removed
// without rewriting the file (Delta's deletionVectors feature).
type DeletionVector struct {
	// StorageType is "u" (a file beside the data, named by a UUID), "i"
	// (inline in the log) or "p" (a file at an absolute path).
	StorageType string `json:"storageType"`
	// PathOrInlineDv is the Z85-encoded UUID (with an optional random
	// prefix) for "u", the Z85-encoded bitmap for "i", the path for "p".
	PathOrInlineDv string `json:"pathOrInlineDv"`
	// Offset is where the vector starts in its file (absent for inline).
	Offset *int32 `json:"offset,omitempty"`
	// SizeInBytes is the size of the serialized bitmap.
	SizeInBytes int32 `json:"sizeInBytes"`
	// Cardinality is the number of rows the vector removes.
	Cardinality int64 `json:"cardinality"`
}

// uniqueID identifies the vector among those of one data file: a data file
// path and this id are the log's key of a logical file.
func (dv *DeletionVector) uniqueID() string {
	if dv == nil {
		return ""
	}
	id := dv.StorageType + dv.PathOrInlineDv
	if dv.Offset != nil {
		id += "@" + strconv.Itoa(int(*dv.Offset))
	}
	return id
}

// validate checks the descriptor's fields as the log states them; nil is a
// file without a deletion vector.
func (dv *DeletionVector) validate() error {
	if dv == nil {
		return nil
	}
	switch dv.StorageType {
	case "u", "i", "p":
	default:
		return fmt.Errorf("deletion vector has unknown storageType %q", dv.StorageType)
	}
	if dv.PathOrInlineDv == "" {
		return fmt.Errorf("deletion vector has no pathOrInlineDv")
	}
	if dv.SizeInBytes < 0 || dv.Cardinality < 0 || (dv.Offset != nil && *dv.Offset < 0) {
		return fmt.Errorf("deletion vector has a negative offset, size or cardinality")
	}
	return nil
}
