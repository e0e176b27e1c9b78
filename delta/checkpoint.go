package delta

import (
	"context"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// checkpointInterval is how often (in versions) a commit writes a checkpoint,
// Spark's and delta-rs's default.
const checkpointInterval = 10

// The structs below are the columns of a checkpoint file that this package
// reads and writes, with the names and nesting Spark uses. parquet-go maps a
// file to them by column name, so checkpoints with more columns (row
// tracking, domain metadata, …) read fine. Every column that changes what a
// reader returns must be here: a checkpoint that lost the protocol's
// features or a file's deletion vector would read wrong rows silently.
type cpRow struct {
	Txn      *cpTxn      `parquet:"txn,optional"`
	Add      *cpAdd      `parquet:"add,optional"`
	Remove   *cpRemove   `parquet:"remove,optional"`
	MetaData *cpMetadata `parquet:"metaData,optional"`
	Protocol *cpProtocol `parquet:"protocol,optional"`
}

type cpTxn struct {
	AppID       *string `parquet:"appId,optional"`
	Version     *int64  `parquet:"version,optional"`
	LastUpdated *int64  `parquet:"lastUpdated,optional"`
}

type cpAdd struct {
	Path             *string            `parquet:"path,optional"`
	PartitionValues  map[string]*string `parquet:"partitionValues,optional"`
	Size             *int64             `parquet:"size,optional"`
	ModificationTime *int64             `parquet:"modificationTime,optional"`
	DataChange       *bool              `parquet:"dataChange,optional"`
	Tags             map[string]*string `parquet:"tags,optional"`
	Stats            *string            `parquet:"stats,optional"`
	DeletionVector   *cpDV              `parquet:"deletionVector,optional"`
}

type cpDV struct {
	StorageType    *string `parquet:"storageType,optional"`
	PathOrInlineDv *string `parquet:"pathOrInlineDv,optional"`
	Offset         *int32  `parquet:"offset,optional"`
	SizeInBytes    *int32  `parquet:"sizeInBytes,optional"`
	Cardinality    *int64  `parquet:"cardinality,optional"`
}

type cpRemove struct {
	Path                 *string            `parquet:"path,optional"`
	DeletionTimestamp    *int64             `parquet:"deletionTimestamp,optional"`
	DataChange           *bool              `parquet:"dataChange,optional"`
	ExtendedFileMetadata *bool              `parquet:"extendedFileMetadata,optional"`
	PartitionValues      map[string]*string `parquet:"partitionValues,optional"`
	Size                 *int64             `parquet:"size,optional"`
	DeletionVector       *cpDV              `parquet:"deletionVector,optional"`
}

type cpFormat struct {
	Provider *string           `parquet:"provider,optional"`
	Options  map[string]string `parquet:"options,optional"`
}

type cpMetadata struct {
	ID               *string            `parquet:"id,optional"`
	Name             *string            `parquet:"name,optional"`
	Description      *string            `parquet:"description,optional"`
	Format           *cpFormat          `parquet:"format,optional"`
	SchemaString     *string            `parquet:"schemaString,optional"`
	PartitionColumns []string           `parquet:"partitionColumns,optional,list"`
	Configuration    map[string]*string `parquet:"configuration,optional"`
	CreatedTime      *int64             `parquet:"createdTime,optional"`
}

type cpProtocol struct {
	MinReaderVersion *int32   `parquet:"minReaderVersion,optional"`
	MinWriterVersion *int32   `parquet:"minWriterVersion,optional"`
	ReaderFeatures   []string `parquet:"readerFeatures,optional,list"`
	WriterFeatures   []string `parquet:"writerFeatures,optional,list"`
}

// readCheckpoint loads every part of a checkpoint into one set of actions.
// As for a commit, the checkpoint's protocol decides first: a table that
// needs a feature this package lacks is refused as such even when some rows
// cannot be decoded.
func readCheckpoint(ctx context.Context, ref checkpointRef) (actions, error) {
	var out actions
	var damage error
	for _, file := range ref.files {
		read := readCheckpointPart
		if strings.HasSuffix(file, ".json") {
			read = readJSONCheckpoint
		}
		if err := read(ctx, ref.root, file, &out); err != nil {
			damage = fmt.Errorf("%w: checkpoint %s: %v", ErrCorruptLog, file, err)
			break
		}
	}
	if damage == nil && len(out.sidecars) > 0 {
		if err := readSidecars(ctx, ref.root, path.Dir(ref.files[0]), &out); err != nil {
			damage = fmt.Errorf("%w: checkpoint %s: %v", ErrCorruptLog, ref.files[0], err)
		}
	}
	if err := protocolFirst(out.protocol, damage); err != nil {
		return actions{}, err
	}
	return out, nil
}

// readCheckpointPart adds one checkpoint file's actions to out. A row that
// does not convert does not stop the reading, so that the protocol row,
// wherever it is, is still found; the first such error is returned.
func readCheckpointPart(ctx context.Context, root storage, file string, out *actions) (err error) {
	defer recoverParquet(&err, file, nil)
	f, err := root.openFile(ctx, file)
	if err != nil {
		return err
	}
	defer f.Close()
	// Validate the footer first: NewGenericReader panics on a bad one.
	pf, err := parquet.OpenFile(f, f.Size())
	if err != nil {
		return err
	}
	// A checkpoint with exactly the columns this package writes (its own)
	// is read column by column (readOwnCheckpoint), without parquet-go's
	// per-value schema conversion or row reconstruction; any other (Spark's,
	// delta-rs's, V2 with sidecars) is converted to cpReadRow by name.
	if parquet.EqualNodes(pf.Schema(), ownCheckpointSchema) {
		return readOwnCheckpoint(pf, out)
	}
	return readRows[cpReadRow](pf, out)
}

// ownCheckpointSchema is the schema writeCheckpoint writes.
var ownCheckpointSchema = parquet.SchemaOf(cpRow{})

// checkpointRow is a row type a checkpoint is read into.
type checkpointRow interface {
	cpRow | cpReadRow
}

// readRows reads every row of pf as R and adds its action to out.
func readRows[R checkpointRow](pf *parquet.File, out *actions) error {
	r := parquet.NewGenericReader[R](pf)
	defer r.Close()
	buf := make([]R, 256)
	var rowErr error
	for {
		n, rerr := r.Read(buf)
		for i := range buf[:n] {
			if err := intoActions(&buf[i], out); err != nil && rowErr == nil {
				rowErr = err
			}
			var zero R
			buf[i] = zero
		}
		if rerr == io.EOF {
			return rowErr
		}
		if rerr != nil {
			return rerr
		}
	}
}

// intoActions converts one row of either type.
func intoActions[R checkpointRow](row *R, out *actions) error {
	switch r := any(row).(type) {
	case *cpRow:
		return r.into(out)
	case *cpReadRow:
		return r.into(out)
	}
	return nil
}

// into converts one checkpoint row (at most one action) into out.
func (r *cpRow) into(out *actions) error {
	switch {
	case r.Add != nil && r.Add.Path != nil:
		a := addJSON{Path: r.Add.Path, PartitionValues: r.Add.PartitionValues, Stats: r.Add.Stats, DeletionVector: r.Add.DeletionVector.descriptor()}
		a.Size, a.ModificationTime, a.DataChange = deref(r.Add.Size), deref(r.Add.ModificationTime), deref(r.Add.DataChange)
		if len(r.Add.Tags) > 0 {
			a.Tags = flattenPartitionValues(r.Add.Tags)
		}
		af, err := a.toAddFile()
		if err != nil {
			return err
		}
		out.adds = append(out.adds, af)
	case r.Remove != nil && r.Remove.Path != nil:
		rm := removeJSON{Path: r.Remove.Path, DeletionTimestamp: r.Remove.DeletionTimestamp, DataChange: deref(r.Remove.DataChange),
			ExtendedFileMetadata: r.Remove.ExtendedFileMetadata, PartitionValues: r.Remove.PartitionValues, Size: r.Remove.Size,
			DeletionVector: r.Remove.DeletionVector.descriptor()}
		rf, err := rm.toRemoveFile()
		if err != nil {
			return err
		}
		out.removes = append(out.removes, rf)
	case r.Txn != nil && r.Txn.AppID != nil:
		out.txns = append(out.txns, Txn{AppID: *r.Txn.AppID, Version: deref(r.Txn.Version), LastUpdated: r.Txn.LastUpdated})
	case r.MetaData != nil && r.MetaData.SchemaString != nil:
		m := &Metadata{ID: deref(r.MetaData.ID), Name: r.MetaData.Name, Description: r.MetaData.Description,
			SchemaString: *r.MetaData.SchemaString, PartitionColumns: r.MetaData.PartitionColumns,
			Configuration: flattenPartitionValues(r.MetaData.Configuration), CreatedTime: r.MetaData.CreatedTime}
		if m.PartitionColumns == nil {
			m.PartitionColumns = []string{}
		}
		if r.MetaData.Format != nil {
			m.Format = Format{Provider: deref(r.MetaData.Format.Provider), Options: r.MetaData.Format.Options}
		}
		out.metadata = m
	case r.Protocol != nil && r.Protocol.MinReaderVersion != nil:
		out.protocol = &Protocol{MinReaderVersion: int(*r.Protocol.MinReaderVersion), MinWriterVersion: int(deref(r.Protocol.MinWriterVersion)),
			ReaderFeatures: r.Protocol.ReaderFeatures, WriterFeatures: r.Protocol.WriterFeatures}
	}
	return nil
}

// descriptor converts a checkpoint's deletionVector column (nil when the
// file has none).
func (d *cpDV) descriptor() *DeletionVector {
	if d == nil || d.StorageType == nil {
		return nil
	}
	return &DeletionVector{StorageType: *d.StorageType, PathOrInlineDv: deref(d.PathOrInlineDv), Offset: d.Offset,
		SizeInBytes: deref(d.SizeInBytes), Cardinality: deref(d.Cardinality)}
}

// cpDVOf is descriptor's inverse, for writing checkpoints.
func cpDVOf(dv *DeletionVector) *cpDV {
	if dv == nil {
		return nil
	}
	return &cpDV{StorageType: &dv.StorageType, PathOrInlineDv: &dv.PathOrInlineDv, Offset: dv.Offset,
		SizeInBytes: &dv.SizeInBytes, Cardinality: &dv.Cardinality}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
