package delta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// logDirName is the folder of the transaction log inside a table.
const logDirName = "_delta_log"

func logDir(root string) string { return filepath.Join(root, logDirName) }

func commitFile(root string, version int64) string {
	return filepath.Join(logDir(root), fmt.Sprintf("%020d.json", version))
}

// commitKey is commitFile's storage key.
func commitKey(version int64) string { return fmt.Sprintf("%s/%020d.json", logDirName, version) }

// lastCheckpointKey is the storage key of the checkpoint hint.
const lastCheckpointKey = logDirName + "/_last_checkpoint"

// checkpointRef names the files of one checkpoint (one or several parts).
type checkpointRef struct {
	version int64
	files   []string // storage keys, part order
	root    storage  // where the files are
}

// logListing is what a directory listing of _delta_log tells: which commit
// versions exist and which complete checkpoints.
type logListing struct {
	commits     map[int64]bool
	checkpoints map[int64]checkpointRef
	maxVersion  int64 // -1 when the log is empty
}

// listLog lists _delta_log. A multi-part checkpoint counts only when all of
// its parts are present: a writer that died half-way leaves an incomplete one
// that readers must skip.
func listLog(ctx context.Context, root storage) (logListing, error) { return listLogFrom(ctx, root, 0) }

// listLogFrom lists the entries of versions from on: the store lists only
// the names after from's (S3 start-after), so a reader that starts at a
// checkpoint does not pay for the log before it.
func listLogFrom(ctx context.Context, root storage, from int64) (logListing, error) {
	startAfter := ""
	if from > 0 {
		startAfter = fmt.Sprintf("%020d", from-1) + "~" // after every file of from-1
	}
	entries, err := root.list(ctx, logDirName, startAfter)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return logListing{}, fmt.Errorf("%w: %s has no %s", ErrNotATable, root, logDirName)
		}
		return logListing{}, fmt.Errorf("delta: list log: %w", err)
	}
	l := logListing{commits: map[int64]bool{}, checkpoints: map[int64]checkpointRef{}, maxVersion: -1}
	type partKey struct{ version, total int64 }
	parts := map[partKey]map[int64]string{}
	for _, e := range entries {
		name := e.key
		if len(name) < 20 {
			continue
		}
		v, err := strconv.ParseInt(name[:20], 10, 64)
		if err != nil {
			continue
		}
		rest := name[20:]
		switch {
		case rest == ".json":
			l.commits[v] = true
		case rest == ".checkpoint.parquet":
			l.checkpoints[v] = checkpointRef{version: v, files: []string{joinKey(logDirName, name)}, root: root}
		case isV2CheckpointName(rest):
			if _, classic := l.checkpoints[v]; !classic {
				l.checkpoints[v] = checkpointRef{version: v, files: []string{joinKey(logDirName, name)}, root: root}
			}
		case strings.HasPrefix(rest, ".checkpoint.") && strings.HasSuffix(rest, ".parquet"):
			// .checkpoint.<part>.<parts>.parquet (10 digits each); V2
			// checkpoints (.checkpoint.<uuid>.parquet) are not multi-part.
			f := strings.Split(strings.TrimSuffix(strings.TrimPrefix(rest, ".checkpoint."), ".parquet"), ".")
			if len(f) != 2 {
				continue
			}
			part, err1 := strconv.ParseInt(f[0], 10, 64)
			total, err2 := strconv.ParseInt(f[1], 10, 64)
			if err1 != nil || err2 != nil || part < 1 || part > total {
				continue
			}
			k := partKey{v, total}
			if parts[k] == nil {
				parts[k] = map[int64]string{}
			}
			parts[k][part] = joinKey(logDirName, name)
		default:
			continue
		}
		if v > l.maxVersion {
			l.maxVersion = v
		}
	}
	for k, ps := range parts {
		if int64(len(ps)) != k.total {
			continue
		}
		if _, single := l.checkpoints[k.version]; single {
			continue
		}
		ref := checkpointRef{version: k.version, root: root}
		for i := int64(1); i <= k.total; i++ {
			ref.files = append(ref.files, ps[i])
		}
		l.checkpoints[k.version] = ref
	}
	return l, nil
}

// latestCheckpoint returns the newest complete checkpoint at or below version.
func (l logListing) latestCheckpoint(version int64) (checkpointRef, bool) {
	best := checkpointRef{version: -1}
	for v, ref := range l.checkpoints {
		if v <= version && v > best.version {
			best = ref
		}
	}
	return best, best.version >= 0
}

// sortedCommits returns the commit versions in ascending order.
func (l logListing) sortedCommits() []int64 {
	vs := make([]int64, 0, len(l.commits))
	for v := range l.commits {
		vs = append(vs, v)
	}
	sort.Slice(vs, func(i, j int) bool { return vs[i] < vs[j] })
	return vs
}

// lastCheckpoint is the content of _delta_log/_last_checkpoint.
type lastCheckpoint struct {
	Version       int64  `json:"version"`
	Size          int64  `json:"size"`
	Parts         *int64 `json:"parts,omitempty"`
	SizeInBytes   int64  `json:"sizeInBytes,omitempty"`
	NumOfAddFiles int64  `json:"numOfAddFiles,omitempty"`
}

// readLastCheckpoint returns the hint file's content; ok is false when it is
// absent or unreadable (it is only a hint, so damage is not an error).
func readLastCheckpoint(ctx context.Context, root storage) (lastCheckpoint, bool) {
	b, err := root.readFile(ctx, lastCheckpointKey)
	if err != nil {
		return lastCheckpoint{}, false
	}
	var lc lastCheckpoint
	if json.Unmarshal(b, &lc) != nil {
		return lastCheckpoint{}, false
	}
	return lc, true
}
