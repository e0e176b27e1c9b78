package delta

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
)

// maxLogProbes bounds how many commits after the hinted checkpoint
// probeLogFrom looks for one by one: a hint that far behind (a writer that
// does not update it) is cheaper to follow with a listing.
const maxLogProbes = 10 * checkpointInterval

// probeLogFrom is listLogFrom for a store whose listing reads the whole
// folder (a local directory: ~110,000 entries after 100,000 commits): it
// builds the listing of the checkpoint that _last_checkpoint names and of
// the commits after it from their names, statting the checkpoint's parts
// and then version+1, version+2, … until one is absent, which is what an
// object store's start-after listing returns. Commits after a checkpoint
// are contiguous (log cleanup only deletes below a checkpoint, that
// checkpoint included), so the first absent one ends the log. ok is false
// when the checkpoint is not there under its classic or multi-part names
// (a V2 checkpoint is named by a UUID that only a listing finds), or when
// the hint is more than maxLogProbes behind: the caller then lists.
func probeLogFrom(ctx context.Context, root storage, lc lastCheckpoint) (logListing, bool) {
	ref := checkpointRef{version: lc.Version, root: root}
	parts := int64(1)
	if lc.Parts != nil {
		parts = *lc.Parts
	}
	if parts <= 1 {
		ref.files = []string{fmt.Sprintf("%s/%020d.checkpoint.parquet", logDirName, lc.Version)}
	} else {
		for i := int64(1); i <= parts; i++ {
			ref.files = append(ref.files, fmt.Sprintf("%s/%020d.checkpoint.%010d.%010d.parquet", logDirName, lc.Version, i, parts))
		}
	}
	for _, f := range ref.files {
		if _, err := root.stat(ctx, f); err != nil {
			return logListing{}, false
		}
	}
	l := logListing{commits: map[int64]bool{}, checkpoints: map[int64]checkpointRef{lc.Version: ref}, maxVersion: lc.Version}
	for v := lc.Version + 1; ; v++ {
		if v > lc.Version+maxLogProbes {
			return logListing{}, false
		}
		_, err := root.stat(ctx, commitKey(v))
		if errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err != nil {
			return logListing{}, false // the listing reports it
		}
		l.commits[v] = true
		l.maxVersion = v
	}
	return l, true
}
