package delta

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"time"
)

// ErrVersionNotFound is wrapped when a requested version does not exist or
// can no longer be reconstructed from the log.
var ErrVersionNotFound = errors.New("delta: version not found")

// Snapshot is the immutable state of a table at one version.
type Snapshot struct {
	root    storage
	version int64
	st      *tableState

	filesOnce sync.Once
	files     []AddFile

	namesOnce         sync.Once
	physicalToLogical map[string]string // see partitionNames
}

// Version returns the table version this snapshot shows.
func (s *Snapshot) Version() int64 { return s.version }

// Schema returns the table schema at this version.
func (s *Snapshot) Schema() Schema { return s.st.schema }

// PartitionColumns returns the partition columns, in partitioning order.
func (s *Snapshot) PartitionColumns() []string {
	return slices.Clone(s.st.metadata.PartitionColumns)
}

// Metadata returns the table's metaData action at this version.
func (s *Snapshot) Metadata() Metadata { return *s.st.metadata }

// Protocol returns the table's protocol action at this version.
func (s *Snapshot) Protocol() Protocol { return *s.st.protocol }

// Files returns the active data files, sorted by path, with partition
// values keyed by column name (also under column mapping, where the log
// keys them by physical name). The slice (and each file's maps) is shared
// by every caller of this snapshot: do not modify it.
func (s *Snapshot) Files() []AddFile {
	s.filesOnce.Do(func() {
		s.files = s.st.sortedFiles()
		for i, f := range s.files {
			s.files[i] = s.logicalFile(f)
		}
	})
	return s.files
}

// Tombstones returns the remove actions still remembered at this version
// (files removed but possibly not yet vacuumed).
func (s *Snapshot) Tombstones() []RemoveFile {
	out := make([]RemoveFile, 0, len(s.st.tombstones))
	for _, r := range s.st.tombstones {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b RemoveFile) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// TxnVersion returns the last version committed by the application appID,
// and whether it ever committed.
func (s *Snapshot) TxnVersion(appID string) (int64, bool) {
	v, ok := s.st.txns[appID]
	return v, ok
}

// Txns returns every application's last committed version.
func (s *Snapshot) Txns() map[string]int64 {
	out := make(map[string]int64, len(s.st.txns))
	for k, v := range s.st.txns {
		out[k] = v
	}
	return out
}

// loadSnapshot replays the log of the table at root up to version (-1 for
// the latest): the newest complete checkpoint at or below it, then the JSON
// commits after that checkpoint.
func loadSnapshot(ctx context.Context, root storage, version int64) (*Snapshot, error) {
	if s, ok := loadFromHint(ctx, root, version); ok {
		return s, nil
	}
	l, err := listLog(ctx, root)
	if err != nil {
		return nil, err
	}
	return replaySnapshot(ctx, root, l, version)
}

// loadFromHint is loadSnapshot's fast path: when _last_checkpoint names a
// checkpoint at or below version, only the log from that checkpoint on is
// listed (or, on a local disk, probed by name: probeLogFrom). ok is false when the hint is missing, stale or leads nowhere (the
// checkpoint is damaged or gone): the caller then lists the whole log.
func loadFromHint(ctx context.Context, root storage, version int64) (*Snapshot, bool) {
	lc, ok := readLastCheckpoint(ctx, root)
	if !ok || lc.Version <= 0 || (version >= 0 && version < lc.Version) {
		return nil, false
	}
	l, probed := logListing{}, false
	if root.listReadsAll() {
		l, probed = probeLogFrom(ctx, root, lc)
	}
	if !probed {
		var err error
		if l, err = listLogFrom(ctx, root, lc.Version); err != nil {
			return nil, false
		}
	}
	if _, ok := l.checkpoints[lc.Version]; !ok {
		return nil, false
	}
	s, err := replaySnapshot(ctx, root, l, version)
	if err != nil {
		return nil, false
	}
	return s, true
}

// replaySnapshot rebuilds version (-1 for the latest) from a listing.
func replaySnapshot(ctx context.Context, root storage, l logListing, version int64) (*Snapshot, error) {
	if l.maxVersion < 0 {
		return nil, fmt.Errorf("%w: %s has an empty %s", ErrNotATable, root, logDirName)
	}
	if version < 0 {
		version = l.maxVersion
	}
	if version > l.maxVersion {
		return nil, fmt.Errorf("%w: version %d (latest is %d)", ErrVersionNotFound, version, l.maxVersion)
	}
	st, from, err := startState(ctx, l, version)
	if err != nil {
		return nil, err
	}
	for v := from; v <= version; v++ {
		if !l.commits[v] {
			return nil, fmt.Errorf("%w: commit file for version %d is missing", ErrCorruptLog, v)
		}
		if err := applyCommitFile(ctx, root, v, st); err != nil {
			return nil, err
		}
	}
	if err := st.validate(version); err != nil {
		return nil, err
	}
	return &Snapshot{root: root, version: version, st: st}, nil
}

// startState loads the newest usable checkpoint at or below version and
// returns the state and the first commit to replay after it. A damaged
// checkpoint (a writer died while writing it, or another engine wrote it
// non-atomically) is skipped in favour of an older one or of replaying the
// JSON commits from version 0, as Spark does.
func startState(ctx context.Context, l logListing, version int64) (*tableState, int64, error) {
	var cpErr error
	for limit := version; ; {
		cp, ok := l.latestCheckpoint(limit)
		if !ok {
			break
		}
		a, err := readCheckpoint(ctx, cp)
		if err == nil {
			st := newTableState()
			if err = st.apply(a); err == nil {
				st.noteCheckpointOrder(a.adds)
				return st, cp.version + 1, nil
			}
		}
		if errors.Is(err, ErrUnsupportedFeature) {
			return nil, 0, err // not damage: an older state would not make the table readable
		}
		cpErr = err
		limit = cp.version - 1
	}
	if !l.commits[0] {
		if cpErr != nil {
			return nil, 0, cpErr
		}
		earliest := int64(-1)
		if vs := l.sortedCommits(); len(vs) > 0 {
			earliest = vs[0]
		}
		return nil, 0, fmt.Errorf("%w: version %d cannot be rebuilt: the log was cleaned up before version %d and no checkpoint covers it",
			ErrVersionNotFound, version, earliest)
	}
	return newTableState(), 0, nil
}

// applyCommitFile reads one commit and applies it to st.
func applyCommitFile(ctx context.Context, root storage, v int64, st *tableState) error {
	a, err := readCommit(ctx, root, v)
	if err != nil {
		return err
	}
	return st.apply(a)
}

// readCommit reads and parses one commit file; a missing file is returned
// as an error wrapping fs.ErrNotExist.
func readCommit(ctx context.Context, root storage, v int64) (actions, error) {
	b, err := root.readFile(ctx, commitKey(v))
	if err != nil {
		return actions{}, err
	}
	a, err := parseCommit(b)
	if err != nil {
		return actions{}, fmt.Errorf("version %d: %w", v, err)
	}
	return a, nil
}

// advance returns the snapshot updated with any commits newer than s (up to
// limit, -1 for no limit), reading forward from s.version+1 until a commit
// is missing. It returns s itself when nothing changed. This is the cheap
// path commits use instead of listing the log.
func (s *Snapshot) advance(ctx context.Context, limit int64) (*Snapshot, error) {
	var st *tableState
	v := s.version + 1
	for ; limit < 0 || v <= limit; v++ {
		a, err := readCommit(ctx, s.root, v)
		if errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err != nil {
			return nil, err
		}
		if st == nil {
			st = s.st.clone()
		}
		if err := st.apply(a); err != nil {
			return nil, err
		}
	}
	if st == nil {
		return s, nil
	}
	// A table's cached snapshot advances for as long as the process runs:
	// without this its tombstones (a few per commit, once compaction and
	// Gold's rewrites remove files) would pile up for ever, where a
	// snapshot loaded from a checkpoint has only the unexpired ones; and so
	// would the paths added since its checkpoint (state_order.go).
	st.expireTombstones(time.Now().Add(-tombstoneRetention).UnixMilli())
	st.rebaseOrder()
	if err := st.validate(v - 1); err != nil {
		return nil, err
	}
	return &Snapshot{root: s.root, version: v - 1, st: st}, nil
}
