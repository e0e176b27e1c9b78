package delta

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/snappy"
)

// tombstoneRetention is how long remove actions are kept in checkpoints
// (delta.deletedFileRetentionDuration's default): vacuum must not delete a
// file a reader of a recent version may still need.
const tombstoneRetention = 7 * 24 * time.Hour

// writeCheckpoint writes the single-part checkpoint of snap and then points
// _last_checkpoint at it. Both files are written to a temporary name and
// renamed, so readers only ever see complete files; a checkpoint for a
// version has one content, so a concurrent writer producing the same file
// is harmless.
func writeCheckpoint(snap *Snapshot) error {
	rows := checkpointRows(snap.st, time.Now().Add(-tombstoneRetention).UnixMilli())
	dir := logDir(snap.root)
	final := filepath.Join(dir, fmt.Sprintf("%020d.checkpoint.parquet", snap.version))
	tmp := filepath.Join(dir, ".tmp-"+uuid.NewString()+".checkpoint.parquet")
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	w := parquet.NewGenericWriter[cpRow](f, parquet.Compression(&snappy.Codec{}), parquet.CreatedBy("finpipe-delta", "1", ""))
	if _, err := w.Write(rows); err != nil {
		f.Close()
		return err
	}
	if err := w.Close(); err != nil {
		f.Close()
		return err
	}
	st, err := f.Stat()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, final); err != nil {
		return err
	}
	if lc, ok := readLastCheckpoint(snap.root); ok && lc.Version >= snap.version {
		return nil // a newer checkpoint is already advertised
	}
	b, _ := json.Marshal(lastCheckpoint{Version: snap.version, Size: int64(len(rows)), SizeInBytes: st.Size(), NumOfAddFiles: int64(len(snap.st.files))})
	tmpLC := filepath.Join(dir, ".tmp-"+uuid.NewString()+".last_checkpoint")
	if err := os.WriteFile(tmpLC, b, 0o644); err != nil {
		return err
	}
	defer os.Remove(tmpLC)
	return os.Rename(tmpLC, filepath.Join(dir, "_last_checkpoint"))
}

// checkpointRows flattens a table state into checkpoint rows, one action
// per row; tombstones older than expireBefore (ms) are dropped.
func checkpointRows(st *tableState, expireBefore int64) []cpRow {
	rows := make([]cpRow, 0, 2+len(st.txns)+len(st.files)+len(st.tombstones))
	rv, wv := int32(st.protocol.MinReaderVersion), int32(st.protocol.MinWriterVersion)
	rows = append(rows, cpRow{Protocol: &cpProtocol{MinReaderVersion: &rv, MinWriterVersion: &wv,
		ReaderFeatures: st.protocol.ReaderFeatures, WriterFeatures: st.protocol.WriterFeatures}})
	m := st.metadata
	provider := m.Format.Provider
	rows = append(rows, cpRow{MetaData: &cpMetadata{
		ID: &m.ID, Name: m.Name, Description: m.Description,
		Format:       &cpFormat{Provider: &provider, Options: orEmpty(m.Format.Options)},
		SchemaString: &m.SchemaString, PartitionColumns: m.PartitionColumns,
		Configuration: nullablePartitionValues(m.Configuration), CreatedTime: m.CreatedTime,
	}})
	for app, v := range st.txns {
		rows = append(rows, cpRow{Txn: &cpTxn{AppID: &app, Version: &v}})
	}
	for _, a := range st.files {
		j := addJSONOf(a)
		rows = append(rows, cpRow{Add: &cpAdd{Path: j.Path, PartitionValues: j.PartitionValues, Size: &a.Size,
			ModificationTime: &a.ModificationTime, DataChange: &a.DataChange, Stats: j.Stats, DeletionVector: cpDVOf(a.DeletionVector)}})
	}
	for _, r := range st.tombstones {
		if r.DeletionTimestamp < expireBefore {
			continue
		}
		j := removeJSONOf(r)
		rows = append(rows, cpRow{Remove: &cpRemove{Path: j.Path, DeletionTimestamp: j.DeletionTimestamp, DataChange: &r.DataChange,
			ExtendedFileMetadata: j.ExtendedFileMetadata, PartitionValues: j.PartitionValues, Size: j.Size,
			DeletionVector: cpDVOf(r.DeletionVector)}})
	}
	return rows
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
