package delta

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// engineInfo identifies this writer in commitInfo, as Spark's
// "Apache-Spark/3.3.1 Delta-Lake/2.1.1" does.
const engineInfo = "finpipe-delta/1"

// CommitOptions describe a write's commit.
type CommitOptions struct {
	// Operation is recorded in commitInfo; writes default to "WRITE".
	Operation string
	// OperationParameters are recorded in commitInfo after the write's own
	// parameters (mode, partitionBy), which they may override.
	OperationParameters map[string]any
	// Txns are committed atomically with the data: the usual way to make a
	// write idempotent is to check Snapshot.TxnVersion first and to commit
	// Txn{AppID, Version} with the data. A concurrent commit of the same
	// AppID makes this commit fail with ErrConflict.
	Txns []Txn
}

// commitPlan is everything a commit will write, before its version is
// known, plus what it read (for conflict detection).
type commitPlan struct {
	protocol *Protocol
	metadata *Metadata
	txns     []Txn
	removes  []RemoveFile
	adds     []AddFile
	op       string
	params   map[string]any
	// readPartitions are the partitions whose content this commit replaces;
	// a concurrent add into one of them conflicts. nil for blind appends.
	readPartitions []map[string]string
	// txnID is commitInfo.txnId, set by encode: it tells this commit apart
	// from every other writer's.
	txnID string
}

// commit writes the plan as the next version after base. On a lost race it
// reads the winning commits, and retries at the next version when none of
// them conflicts. After success it refreshes the cached snapshot and writes
// a checkpoint every checkpointInterval versions (best effort).
func (t *Table) commit(ctx context.Context, base *Snapshot, plan *commitPlan) (int64, error) {
	began := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := base.writable(plan); err != nil {
		return 0, err
	}
	body, err := plan.encode(base.version)
	if err != nil {
		return 0, err
	}
	version := base.version + 1
	conflicts := 0
	for {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		err := putIfAbsent(ctx, t.root, version, body)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) {
			// The PUT may have been stored with only its answer lost: when
			// the version is there, the loop below finds whether it is ours
			// (done) or another writer's (a lost race). Absent: failed.
			// Unreadable: unknown.
			_, rerr := readCommit(ctx, t.root, version)
			if errors.Is(rerr, fs.ErrNotExist) {
				return 0, err
			}
			if rerr != nil {
				return 0, fmt.Errorf("%w: %w", errOutcomeUnknown, err)
			}
		}
		// Lost the race for this version: check every winner in turn.
		ours := false
		for ; ; version++ {
			won, err := readCommit(ctx, t.root, version)
			if errors.Is(err, fs.ErrNotExist) {
				break
			}
			if err != nil {
				return 0, err
			}
			if ours = plan.isOwn(won); ours {
				break
			}
			if err := plan.conflictsWith(won, version); err != nil {
				return 0, err
			}
		}
		if ours {
			break
		}
		conflicts++
	}
	t.afterCommit(ctx, version)
	t.observeCommit(began, conflicts, plan)
	return version, nil
}

// errOutcomeUnknown marks a commit whose PUT failed and whose log entry
// could not be read back: it may have landed, so its data files must stay
// (at worst orphans, which vacuum deletes).
var errOutcomeUnknown = errors.New("delta: commit outcome unknown (the store did not answer; the next read shows whether it landed)")

// isOwn reports whether a commit found in the log is this one: an object
// store's client retries a PUT whose answer was lost (a timeout, a 503
// after the store had written it), and the retry then meets the first
// attempt's object as "exists". Committing again at the next version would
// apply the write twice.
func (p *commitPlan) isOwn(won actions) bool {
	if won.commitInfo == nil || p.txnID == "" {
		return false
	}
	var id string
	return json.Unmarshal(won.commitInfo.Extra["txnId"], &id) == nil && id == p.txnID
}

// afterCommit refreshes the cached snapshot to include version and writes
// its checkpoint when due. Failures here never fail the commit: the commit
// file is the truth, and the next read rebuilds whatever is missing.
func (t *Table) afterCommit(ctx context.Context, version int64) {
	snap, err := t.refreshLocked(ctx, version)
	if err != nil {
		t.latest = nil // reload from scratch next time
		return
	}
	if version%checkpointInterval == 0 && snap.version == version {
		// Best effort by design, like the log cleanup that follows it.
		if writeCheckpoint(ctx, snap) == nil {
			_, _ = t.CleanupLog(ctx, DefaultLogRetention, false)
		}
	}
}

// putIfAbsent creates the commit file of version with data, atomically and
// only if it does not exist (storage.putIfAbsent: a hard link on disk, a
// PUT with If-None-Match: * on S3), so readers never see a partial commit
// and a concurrent writer's commit is never overwritten. The error wraps
// fs.ErrExist when the version already exists.
func putIfAbsent(ctx context.Context, root storage, version int64, data []byte) error {
	err := root.putIfAbsent(ctx, commitKey(version), data)
	if err == nil {
		return nil
	}
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("delta: version %d: %w", version, err)
	}
	return fmt.Errorf("delta: write commit: %w", err)
}

// encode renders the commit file: commitInfo first, then protocol,
// metaData, txn, remove and add actions, one JSON object per line.
func (p *commitPlan) encode(readVersion int64) ([]byte, error) {
	var b bytes.Buffer
	line := func(key string, v any) error {
		enc, err := json.Marshal(map[string]any{key: v})
		if err != nil {
			return fmt.Errorf("delta: encode %s: %w", key, err)
		}
		b.Write(enc)
		b.WriteByte('\n')
		return nil
	}
	now := time.Now().UnixMilli()
	p.txnID = uuid.NewString()
	if err := line("commitInfo", p.commitInfo(now, readVersion)); err != nil {
		return nil, err
	}
	if p.protocol != nil {
		if err := line("protocol", p.protocol); err != nil {
			return nil, err
		}
	}
	if p.metadata != nil {
		if err := line("metaData", p.metadata); err != nil {
			return nil, err
		}
	}
	for _, t := range p.txns {
		t.LastUpdated = &now
		if err := line("txn", t); err != nil {
			return nil, err
		}
	}
	for _, r := range p.removes {
		if err := line("remove", removeJSONOf(r)); err != nil {
			return nil, err
		}
	}
	for _, a := range p.adds {
		if err := line("add", addJSONOf(a)); err != nil {
			return nil, err
		}
	}
	return b.Bytes(), nil
}

func (p *commitPlan) commitInfo(now, readVersion int64) map[string]any {
	var rows, bytes int64
	for _, a := range p.adds {
		rows += max(a.NumRecords(), 0)
		bytes += a.Size
	}
	params := map[string]any{}
	for k, v := range p.params {
		params[k] = v
	}
	ci := map[string]any{
		"timestamp":           now,
		"operation":           p.op,
		"operationParameters": params,
		"isolationLevel":      "Serializable",
		"isBlindAppend":       len(p.removes) == 0 && p.readPartitions == nil && p.metadata == nil,
		"operationMetrics": map[string]string{
			"numFiles": strconv.Itoa(len(p.adds)), "numOutputRows": strconv.FormatInt(rows, 10),
			"numOutputBytes": strconv.FormatInt(bytes, 10), "numRemovedFiles": strconv.Itoa(len(p.removes)),
		},
		"engineInfo": engineInfo,
		"txnId":      p.txnID,
	}
	if readVersion >= 0 {
		ci["readVersion"] = readVersion
	}
	return ci
}

func addJSONOf(a AddFile) addJSON {
	p := encodeLogPath(a.Path)
	out := addJSON{Path: &p, PartitionValues: nullablePartitionValues(a.PartitionValues), Size: a.Size,
		ModificationTime: a.ModificationTime, DataChange: a.DataChange, Tags: a.Tags, DeletionVector: a.DeletionVector}
	if a.Stats != "" {
		out.Stats = &a.Stats
	}
	return out
}

func removeJSONOf(r RemoveFile) removeJSON {
	p := encodeLogPath(r.Path)
	ext := true
	return removeJSON{Path: &p, DeletionTimestamp: &r.DeletionTimestamp, DataChange: r.DataChange,
		ExtendedFileMetadata: &ext, PartitionValues: nullablePartitionValues(r.PartitionValues), Size: &r.Size,
		DeletionVector: r.DeletionVector}
}

// nullablePartitionValues writes "" (null, see AddFile) back as JSON null.
func nullablePartitionValues(pv map[string]string) map[string]*string {
	out := make(map[string]*string, len(pv))
	for k, v := range pv {
		if v == "" {
			out[k] = nil
		} else {
			v := v
			out[k] = &v
		}
	}
	return out
}

// jsonText renders v as a JSON string value, the way Spark stores
// operationParameters such as partitionBy (`["event_date"]`).
func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
