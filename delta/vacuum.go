package delta

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// DefaultVacuumRetention is Delta's default: files stay for 7 days after
// they leave the table, so readers of recent versions and writers with
// files not yet committed are safe.
const DefaultVacuumRetention = 7 * 24 * time.Hour

// Vacuum deletes data files that the latest version does not reference and
// that are older than retain: files removed from the table more than retain
// ago, and orphans of failed writes (and temporary log files of writers
// that died mid-commit). Files of versions newer than
// now-retain stay, so time travel within the retention keeps working. With
// dryRun it only lists them. It returns the relative paths, sorted.
//
// A retention shorter than the longest write can delete a concurrent
// writer's files before it commits them; keep the default unless no one
// else writes the table.
func (t *Table) Vacuum(ctx context.Context, retain time.Duration, dryRun bool) ([]string, error) {
	if retain < 0 {
		return nil, fmt.Errorf("delta: vacuum: negative retention %s", retain)
	}
	snap, err := t.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	// Vacuum deletes files, so it keeps the writer protocol: a writer
	// feature this package does not know may keep files vacuum would
	// think unreferenced (the vacuumProtocolCheck feature asks for this).
	if err := snap.writable(nil); err != nil {
		return nil, err
	}
	cutoff := time.Now().Add(-retain)
	keep := make(map[string]bool, len(snap.st.files)+len(snap.st.tombstones))
	for p, f := range snap.st.files {
		keep[p] = true
		keepDeletionVector(keep, f.DeletionVector)
	}
	for p, r := range snap.st.tombstones {
		if r.DeletionTimestamp > cutoff.UnixMilli() {
			keep[p] = true
			keepDeletionVector(keep, r.DeletionVector)
		}
	}
	var out []string
	err = t.root.walk(ctx, func(f fileInfo) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if slices.ContainsFunc(strings.Split(f.key, "/"), hidden) || keep[f.key] || f.modTime.After(cutoff) {
			return nil
		}
		out = append(out, f.key)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("delta: vacuum: %w", err)
	}
	out = append(out, staleTempFiles(ctx, t.root, cutoff)...)
	slices.Sort(out)
	if dryRun {
		return out, nil
	}
	for i, rel := range out {
		if err := t.root.remove(ctx, rel); err != nil {
			return out[:i], fmt.Errorf("delta: vacuum: %w", err)
		}
	}
	return out, nil
}

// keepDeletionVector adds the file of a deletion vector kept by a live or
// recent logical file to keep: a deletion vector file is referenced only
// through the vectors of the files it serves.
func keepDeletionVector(keep map[string]bool, dv *DeletionVector) {
	if dv == nil {
		return
	}
	if loc, err := dv.location(); err == nil && loc.inline == nil && !loc.abs {
		keep[loc.file] = true
	}
}

// hidden reports names vacuum never touches: the log and other "_" or "."
// entries (as in Spark), except partition directories such as "_x=1".
func hidden(name string) bool {
	return (strings.HasPrefix(name, "_") || strings.HasPrefix(name, ".")) && !strings.Contains(name, "=")
}

// staleTempFiles lists the temporary files a writer killed between writing
// and linking a commit (or checkpoint) left in _delta_log.
func staleTempFiles(ctx context.Context, root storage, cutoff time.Time) []string {
	entries, err := root.list(ctx, logDirName, "")
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.key, ".tmp-") && e.modTime.Before(cutoff) {
			out = append(out, logDirName+"/"+e.key)
		}
	}
	return out
}
