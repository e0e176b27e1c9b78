package delta

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"time"

	"github.com/google/uuid"
)

var (
	// ErrNotATable is wrapped when a path holds no Delta log.
	ErrNotATable = errors.New("delta: not a Delta table")
	// ErrConflict is wrapped when a concurrent commit changed what this
	// commit depended on (same txn appId, metadata, protocol, a removed file
	// or an overwritten partition). The caller should re-read and decide.
	ErrConflict = errors.New("delta: conflicting concurrent commit")
	// ErrSchemaMismatch is wrapped by Create when the table exists with
	// another schema or partitioning.
	ErrSchemaMismatch = errors.New("delta: table exists with a different schema")
)

// Table is a Delta table in a directory or an object store. It is safe for
// use by several goroutines; several Tables (in one or many processes, on
// one or many machines when it is in a store) may write the same table at
// once, coordinated only through the log.
type Table struct {
	root storage // where the table's files are: a directory or an object-store prefix

	mu     sync.Mutex // guards latest and serialises this Table's commits
	latest *Snapshot

	observer observer // reports each commit (observe.go)
}

// Open opens an existing table; the error wraps ErrNotATable when path has
// no _delta_log. path is a directory or a location URL (file:///…,
// s3://bucket/prefix/table?…, see storage_blob.go). Close the table when
// done with it: on an object store it holds connections.
func Open(path string) (*Table, error) { return OpenContext(context.Background(), path) }

// OpenContext is Open with a context that bounds the reads of the log (as
// net.DialContext is to net.Dial); every store request also has its own
// deadline (storage_blob.go).
func OpenContext(ctx context.Context, path string) (*Table, error) {
	root, err := openStorage(ctx, path)
	if err != nil {
		return nil, err
	}
	t, err := openAt(ctx, root)
	if err != nil {
		root.Close()
		return nil, err
	}
	return t, nil
}

func openAt(ctx context.Context, root storage) (*Table, error) {
	snap, err := loadSnapshot(ctx, root, -1)
	if err != nil {
		return nil, err
	}
	return &Table{root: root, latest: snap}, nil
}

// Close releases the table's connections to its store (nothing for a
// directory). The table must not be used afterwards.
func (t *Table) Close() error { return t.root.Close() }

// Create creates a table with the given schema and partition columns
// (commit 0, written put-if-absent). If the table already exists with the
// same schema and partitioning it is opened instead, so that concurrent or
// repeated creation is safe.
func Create(path string, schema Schema, partitionColumns []string) (*Table, error) {
	return CreateContext(context.Background(), path, schema, partitionColumns)
}

// CreateContext is Create with a context that bounds its reads and its
// commit.
func CreateContext(ctx context.Context, path string, schema Schema, partitionColumns []string) (*Table, error) {
	l, err := newLayout(schema, partitionColumns)
	if err != nil {
		return nil, err
	}
	root, err := openStorage(ctx, path)
	if err != nil {
		return nil, err
	}
	t, err := create(ctx, root, l, schema, partitionColumns)
	if err != nil && t == nil {
		root.Close()
	}
	return t, err
}

func create(ctx context.Context, root storage, l *layout, schema Schema, partitionColumns []string) (*Table, error) {
	if t, err := openAt(ctx, root); err == nil {
		return t, t.sameSchema(schema, partitionColumns)
	} else if !errors.Is(err, ErrNotATable) {
		return nil, err
	}
	now := time.Now().UnixMilli()
	meta := &Metadata{
		ID:               uuid.NewString(),
		Format:           Format{Provider: "parquet", Options: map[string]string{}},
		SchemaString:     schema.String(),
		PartitionColumns: l.partitionColumns(),
		Configuration:    map[string]string{},
		CreatedTime:      &now,
	}
	plan := &commitPlan{
		protocol: protocolFor(schema),
		metadata: meta,
		op:       "CREATE TABLE",
		params:   map[string]any{"isManaged": "false", "description": nil, "partitionBy": jsonText(l.partitionColumns()), "properties": "{}"},
	}
	body, err := plan.encode(-1)
	if err != nil {
		return nil, err
	}
	err = putIfAbsent(ctx, root, 0, body)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, err
	}
	// Either we wrote commit 0 or a concurrent creator did: open what won.
	t, err := openAt(ctx, root)
	if err != nil {
		return nil, err
	}
	return t, t.sameSchema(schema, partitionColumns)
}

func (t *Table) sameSchema(schema Schema, partitionColumns []string) error {
	s := t.latest
	pc := s.PartitionColumns()
	same := s.Schema().Equal(schema) && len(pc) == len(partitionColumns)
	for i := 0; same && i < len(pc); i++ {
		same = pc[i] == partitionColumns[i]
	}
	if !same {
		return fmt.Errorf("%w at %s: has %s partitioned by %v", ErrSchemaMismatch, t.root, s.Schema(), pc)
	}
	return nil
}

// Path returns the table's root directory, or its location URL.
func (t *Table) Path() string { return t.root.String() }

// Snapshot returns the latest snapshot, reading any commits made since the
// last call (by this or any other writer).
func (t *Table) Snapshot(ctx context.Context) (*Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.refreshLocked(ctx, -1)
}

// refreshLocked advances the cached snapshot (up to limit, -1 for all).
func (t *Table) refreshLocked(ctx context.Context, limit int64) (*Snapshot, error) {
	if t.latest == nil {
		s, err := loadSnapshot(ctx, t.root, limit)
		if err != nil {
			return nil, err
		}
		t.latest = s
		return s, nil
	}
	s, err := t.latest.advance(ctx, limit)
	if err != nil {
		return nil, err
	}
	t.latest = s
	return s, nil
}

// SnapshotAt returns the snapshot of an older (or the current) version:
// time travel. It fails with ErrVersionNotFound when the version does not
// exist or its log was cleaned up.
func (t *Table) SnapshotAt(ctx context.Context, version int64) (*Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if version < 0 {
		return nil, fmt.Errorf("%w: negative version %d", ErrVersionNotFound, version)
	}
	t.mu.Lock()
	cached := t.latest
	t.mu.Unlock()
	if cached != nil && cached.version == version {
		return cached, nil
	}
	return loadSnapshot(ctx, t.root, version)
}
