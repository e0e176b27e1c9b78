// Package delta reads and writes Delta Lake tables on the local file
// system or in an object store (S3: storage.go and its two
// implementations), so that FinPipe's Bronze, Silver and Gold layers are
// tables Spark and delta-rs read as they read their own (written at reader
// version 1, writer version 2), and so that FinPipe reads theirs, table
// features included (features.go lists them): deletion vectors (dv.go),
// column mapping (columnmapping.go), timestamp_ntz, V2 checkpoints and
// sidecars (checkpoint_v2.go) and type widening (typewidening.go). The
// protocol is checked before the actions it governs are used; a missing
// feature is ErrUnsupportedFeature, naming it, on read and on write.
//
// No maintained, complete Delta writer exists for Go; this package is the
// smallest one the pipeline needs, with the protocol's guarantees intact:
//
//   - Log replay (snapshot.go, state.go): the newest complete checkpoint
//     (single- or multi-part, falling back to an older one or to the JSON log
//     when damaged) plus the JSON commits after it; time travel with
//     Table.SnapshotAt.
//   - One commit path (commit.go): commit files are created put-if-absent,
//     never overwritten: on disk by hard-linking a fully written temporary
//     file, on S3 by a PUT with If-None-Match: *. A
//     writer that loses the race reads the winning commits and retries at
//     the next version unless they conflict (conflict.go): blind appends
//     never conflict; the same txn appId, a metadata or protocol change, a
//     file removed twice, or data added to a partition being overwritten do,
//     and surface as ErrConflict. Every 10th version also writes a checkpoint
//     and _last_checkpoint, best effort.
//   - Exactly-once writes: CommitOptions.Txns and Snapshot.TxnVersion.
//   - Parquet through parquet-go (filewriter.go, read.go, decode.go):
//     timestamps INT64 micros adjusted to UTC, dates INT32 DATE, decimals as
//     Parquet DECIMAL (INT32/INT64/fixed bytes by precision), snappy, per-file
//     stats as Spark writes them (stats.go).
//   - Maintenance: Optimize (compaction with dataChange=false), Vacuum
//     (unreferenced data files) and CleanupLog (expired log files, also run
//     after each checkpoint).
//
// Rows are []any in schema order; see Row for the Go type of each Delta
// type. A scan decodes up to GOMAXPROCS files at once, off the caller's
// goroutine, and still hands rows over in file order (scan_parallel.go);
// a large write is spread over one lane per core (lanes.go). Money stays exact: decimals are shopspring/decimal values end to
// end, and a value that does not fit its column's scale or precision is an
// error, never rounded.
//
// What it does not do: write deletion vectors or column-mapped tables,
// nested column types (they can be read past with ScanColumns), change
// data feed files, or object stores. Commit files are not fsynced: a
// process crash (SIGKILL) loses nothing committed, a power loss may.
//
// Known limit: parquet-go orders fixed-length byte arrays as unsigned bytes,
// so the Parquet-level min/max (footer and page index) of a decimal column
// with precision > 18 is wrong when the column mixes negative and positive
// values, and a reader that prunes row groups or pages by them (Spark with
// a filter on that column) could skip matching rows. The Delta stats this
// package writes are correct. FinPipe's wide decimals (Gold sums and
// averages of positive amounts) are never negative.
package delta
