package delta

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/snappy"
)

// tombstoneRetention is how long remove actions are kept in checkpoints
// (delta.deletedFileRetentionDuration's default): vacuum must not delete a
// file a reader of a recent version may still need.
const tombstoneRetention = 7 * 24 * time.Hour

// writeCheckpoint writes the single-part checkpoint of snap and then points
// _last_checkpoint at it. Both are written whole (storage.put: a rename on
// disk, one PUT on an object store), so readers only ever see complete
// files; a checkpoint for a
// version has one content, so a concurrent writer producing the same file
// is harmless.
func writeCheckpoint(ctx context.Context, snap *Snapshot) error {
	rows := checkpointRows(snap.st, time.Now().Add(-tombstoneRetention).UnixMilli())
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[cpRow](&buf, parquet.Compression(&snappy.Codec{}), parquet.CreatedBy("finpipe-delta", "1", ""))
	if _, err := w.Write(rows); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	key := fmt.Sprintf("%s/%020d.checkpoint.parquet", logDirName, snap.version)
	if err := snap.root.put(ctx, key, buf.Bytes()); err != nil {
		return err
	}
	if lc, ok := readLastCheckpoint(ctx, snap.root); ok && lc.Version >= snap.version {
		return nil // a newer checkpoint is already advertised
	}
	b, _ := json.Marshal(lastCheckpoint{Version: snap.version, Size: int64(len(rows)), SizeInBytes: int64(buf.Len()), NumOfAddFiles: int64(len(snap.st.files))})
	return snap.root.put(ctx, lastCheckpointKey, b)
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
	// Adds in path order: a reader then lists Files without sorting them
	// (state_order.go).
	for _, p := range slices.Sorted(maps.Keys(st.files)) {
		a := st.files[p]
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
