package delta

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/google/uuid"
)

// V2 checkpoints (the v2Checkpoint feature) are named
// <version>.checkpoint.<uuid>.json or .parquet. They hold the table's
// non-file actions and either the add and remove actions too or, for big
// tables, sidecar actions naming Parquet files in _delta_log/_sidecars
// that hold them. A classic <version>.checkpoint.parquet may follow the
// same spec and have sidecars too.

// sidecarsDir is the folder of sidecar files inside _delta_log.
const sidecarsDir = "_sidecars"

// sidecar is a sidecar action: one file of a V2 checkpoint's adds and
// removes, relative to _delta_log/_sidecars.
type sidecar struct {
	Path        string `json:"path"`
	SizeInBytes int64  `json:"sizeInBytes"`
}

// cpSidecar is the sidecar column of a Parquet checkpoint.
type cpSidecar struct {
	Path        *string `parquet:"path,optional"`
	SizeInBytes *int64  `parquet:"sizeInBytes,optional"`
}

// cpReadRow is what a checkpoint's rows are read into: the columns this
// package also writes, and the sidecar column that only V2 checkpoints,
// which it does not write, have.
type cpReadRow struct {
	cpRow
	Sidecar *cpSidecar `parquet:"sidecar,optional"`
}

func (r *cpReadRow) into(out *actions) error {
	if r.Sidecar != nil && r.Sidecar.Path != nil {
		out.sidecars = append(out.sidecars, sidecar{Path: *r.Sidecar.Path, SizeInBytes: deref(r.Sidecar.SizeInBytes)})
		return nil
	}
	return r.cpRow.into(out)
}

// isV2CheckpointName reports whether rest (a log file name after its 20
// version digits) names a UUID-named V2 checkpoint.
func isV2CheckpointName(rest string) bool {
	id, ok := strings.CutPrefix(rest, ".checkpoint.")
	if !ok {
		return false
	}
	if s, ok := strings.CutSuffix(id, ".json"); ok {
		id = s
	} else if s, ok := strings.CutSuffix(id, ".parquet"); ok {
		id = s
	} else {
		return false
	}
	_, err := uuid.Parse(id)
	return err == nil && len(id) == 36
}

// readJSONCheckpoint adds the actions of a V2 checkpoint in JSON (one
// action a line, as a commit) to out.
func readJSONCheckpoint(ctx context.Context, root storage, file string, out *actions) error {
	b, err := root.readFile(ctx, file)
	if err != nil {
		return err
	}
	a, err := parseCommit(b)
	if err != nil {
		return err
	}
	out.merge(a)
	return nil
}

// readSidecars adds the adds and removes of the sidecar files that a V2
// checkpoint's sidecar actions name. A missing or resized sidecar makes
// the checkpoint unusable (the reader then falls back to an older one).
func readSidecars(ctx context.Context, root storage, logDirKey string, out *actions) error {
	for _, sc := range out.sidecars {
		if sc.Path == "" || strings.Contains(sc.Path, "://") || path.IsAbs(sc.Path) || strings.Contains(sc.Path, "..") {
			return fmt.Errorf("sidecar path %q is not a file in %s", sc.Path, sidecarsDir)
		}
		file := path.Join(logDirKey, sidecarsDir, sc.Path)
		st, err := root.stat(ctx, file)
		if err != nil {
			return fmt.Errorf("sidecar %s: %v", sc.Path, err)
		}
		if sc.SizeInBytes > 0 && st.size != sc.SizeInBytes {
			return fmt.Errorf("sidecar %s has %d bytes, the checkpoint says %d", sc.Path, st.size, sc.SizeInBytes)
		}
		var part actions
		if err := readCheckpointPart(ctx, root, file, &part); err != nil {
			return fmt.Errorf("sidecar %s: %v", sc.Path, err)
		}
		out.adds = append(out.adds, part.adds...)
		out.removes = append(out.removes, part.removes...)
	}
	return nil
}
