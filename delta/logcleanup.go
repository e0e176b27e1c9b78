package delta

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// DefaultLogRetention is how long commit files are kept (Delta's
// delta.logRetentionDuration default): the time-travel window.
const DefaultLogRetention = 30 * 24 * time.Hour

// CleanupLog deletes log files (JSON commits and checkpoints) that are no
// longer needed to rebuild any version newer than retain, as Spark does
// after a checkpoint: it finds the newest checkpoint whose files are older
// than retain and deletes everything in the log below that version. The
// checkpoint itself and all later files stay, so the latest version and
// every version from that checkpoint on still load; older versions then
// fail with ErrVersionNotFound. A table committing every minute otherwise
// accumulates tens of thousands of log files a month. Commits run it after
// each checkpoint with DefaultLogRetention, as Spark's expired-log cleanup
// does. With dryRun it only lists the files. It returns paths relative to
// the table root, sorted.
func (t *Table) CleanupLog(ctx context.Context, retain time.Duration, dryRun bool) ([]string, error) {
	if retain < 0 {
		return nil, fmt.Errorf("delta: log cleanup: negative retention %s", retain)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l, err := listLog(ctx, t.root)
	if err != nil {
		return nil, err
	}
	cutoff := time.Now().Add(-retain)
	versions := make([]int64, 0, len(l.checkpoints))
	for v := range l.checkpoints {
		versions = append(versions, v)
	}
	// Newest first: the first old enough is the one to keep, and only the
	// checkpoints inside the retention window are looked at before it.
	slices.Sort(versions)
	slices.Reverse(versions)
	keepFrom := int64(-1)
	for _, v := range versions {
		if filesOlderThan(ctx, t.root, l.checkpoints[v].files, cutoff) {
			keepFrom = v
			break
		}
	}
	if keepFrom <= 0 {
		return nil, nil
	}
	entries, err := t.root.list(ctx, logDirName, "")
	if err != nil {
		return nil, fmt.Errorf("delta: log cleanup: %w", err)
	}
	var out []string
	for _, e := range entries {
		name := e.key
		if len(name) < 20 {
			continue
		}
		v, err := strconv.ParseInt(name[:20], 10, 64)
		if err != nil || v >= keepFrom {
			continue
		}
		out = append(out, logDirName+"/"+name)
	}
	slices.Sort(out)
	if dryRun {
		return out, nil
	}
	for i, rel := range out {
		if err := t.root.remove(ctx, rel); err != nil {
			return out[:i], fmt.Errorf("delta: log cleanup: %w", err)
		}
	}
	return out, nil
}

func filesOlderThan(ctx context.Context, root storage, files []string, cutoff time.Time) bool {
	for _, f := range files {
		st, err := root.stat(ctx, f)
		if err != nil || !st.modTime.Before(cutoff) {
			return false
		}
	}
	return len(files) > 0
}
