package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
	"github.com/finpipe/finpipe/scheduler/internal/model"
)

func (e executor) UpsertAssets(ctx context.Context, assets []model.Asset) error {
	if len(assets) == 0 {
		return nil
	}
	names, kinds, uris, descs := make([]string, len(assets)), make([]string, len(assets)), make([]string, len(assets)), make([]string, len(assets))
	for i, a := range assets {
		names[i], kinds[i], uris[i], descs[i] = a.Name, string(a.Kind), a.URI, a.Description
	}
	_, err := e.exec(ctx, sqlUpsertAssets, names, kinds, uris, descs)
	return err
}

func (e executor) ReplaceDAGAssets(ctx context.Context, dagID string, assets []string, anyOf bool) error {
	cond := "all"
	if anyOf {
		cond = "any"
	}
	b := &pgx.Batch{}
	b.Queue(sqlSetAssetCondition, dagID, cond)
	b.Queue(sqlDropDAGAssets, dagID, nonNil(assets))
	b.Queue(sqlAddDAGAssets, dagID, nonNil(assets))
	b.Queue(sqlDropStalePending, dagID, nonNil(assets))
	return fail(e.q.SendBatch(ctx, b).Close())
}

func (e executor) ReplaceTaskOutlets(ctx context.Context, dagID string, taskIDs, assets []string) error {
	b := &pgx.Batch{}
	b.Queue(sqlDeleteTaskOutlets, dagID)
	b.Queue(sqlInsertTaskOutlets, dagID, nonNil(taskIDs), nonNil(assets))
	return fail(e.q.SendBatch(ctx, b).Close())
}

func (e executor) DAGAssets(ctx context.Context) (map[string][]string, error) {
	rows, err := e.q.Query(ctx, sqlDAGAssets)
	if err != nil {
		return nil, fail(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var id string
		var names []string
		if err := rows.Scan(&id, &names); err != nil {
			return nil, fail(err)
		}
		out[id] = names
	}
	return out, fail(rows.Err())
}

// eventRow is the JSON shape sqlInsertAssetEvents reads.
type eventRow struct {
	Asset        string          `json:"asset"`
	SourceDAGID  string          `json:"source_dag_id"`
	SourceRunID  string          `json:"source_run_id"`
	SourceTaskID string          `json:"source_task_id"`
	SourceTry    int             `json:"source_try"`
	Offsets      map[int32]int64 `json:"offsets"`
	Extra        map[string]any  `json:"extra"`
}

func (e executor) InsertAssetEvents(ctx context.Context, events []model.AssetEvent) ([]string, error) {
	if len(events) == 0 {
		return nil, nil
	}
	rows := make([]eventRow, len(events))
	for i, ev := range events {
		rows[i] = eventRow{Asset: ev.Asset, SourceDAGID: ev.SourceDAGID, SourceRunID: ev.SourceRunID,
			SourceTaskID: ev.SourceTaskID, SourceTry: ev.SourceTry, Offsets: ev.Offsets, Extra: ev.Extra}
	}
	js, err := json.Marshal(rows)
	if err != nil {
		return nil, fmt.Errorf("%w: asset event extra: %v", driver.ErrInvalid, err)
	}
	return e.strings(ctx, sqlInsertAssetEvents, js)
}

// strings runs a query whose rows are one text column.
func (e executor) strings(ctx context.Context, sql string, args ...any) ([]string, error) {
	rows, err := e.q.Query(ctx, sql, args...)
	return collect(rows, err, func(r pgx.Row) (string, error) {
		var s string
		return s, r.Scan(&s)
	})
}

func (e executor) LockAssetQueues(ctx context.Context, dagIDs []string) error {
	if len(dagIDs) == 0 {
		return nil
	}
	_, err := e.exec(ctx, sqlLockAssetQueues, dagIDs)
	return err
}

func (e executor) AssetReadyDAGs(ctx context.Context, dagIDs []string) ([]string, error) {
	return e.strings(ctx, sqlAssetReadyDAGs, dagIDs)
}

func (e executor) QueuedAssetRun(ctx context.Context, dagID string) (string, error) {
	ids, err := e.strings(ctx, sqlQueuedAssetRun, dagID)
	if err != nil || len(ids) == 0 {
		return "", err
	}
	return ids[0], nil
}

func (e executor) LinkPendingEvents(ctx context.Context, dagID, runID string) (int64, error) {
	return e.exec(ctx, sqlLinkPendingEvents, dagID, runID)
}

func (e executor) UpsertConsumedOffsets(ctx context.Context, dagID string, offsets []driver.ConsumedOffset) error {
	if len(offsets) == 0 {
		return nil
	}
	assets, parts, next := make([]string, len(offsets)), make([]int32, len(offsets)), make([]int64, len(offsets))
	for i, o := range offsets {
		assets[i], parts[i], next[i] = o.Asset, o.Partition, o.NextOffset
	}
	_, err := e.exec(ctx, sqlUpsertConsumedOffsets, dagID, assets, parts, next)
	return err
}

func (e executor) EndOffsets(ctx context.Context, asset string) (map[int32]int64, error) {
	rows, err := e.q.Query(ctx, sqlEndOffsets, asset)
	if err != nil {
		return nil, fail(err)
	}
	defer rows.Close()
	out := map[int32]int64{}
	for rows.Next() {
		var p int32
		var o int64
		if err := rows.Scan(&p, &o); err != nil {
			return nil, fail(err)
		}
		out[p] = o
	}
	return out, fail(rows.Err())
}

func (e executor) SetEndOffsets(ctx context.Context, asset string, offsets map[int32]int64) error {
	parts := make([]int32, 0, len(offsets))
	for p := range offsets {
		parts = append(parts, p)
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i] < parts[j] })
	ends := make([]int64, len(parts))
	for i, p := range parts {
		ends[i] = offsets[p]
	}
	_, err := e.exec(ctx, sqlSetEndOffsets, asset, parts, ends)
	return err
}

func (e executor) LaggingAssetDAGs(ctx context.Context, q driver.LagQuery) ([]string, error) {
	return e.strings(ctx, sqlLaggingAssetDAGs, q.Backoff.Seconds(), q.DAGID, q.WhileRunning, q.AfterSuccess)
}

func (e executor) ListAssets(ctx context.Context, name string) ([]model.AssetInfo, error) {
	rows, err := e.q.Query(ctx, sqlListAssets, name)
	return collect(rows, err, func(r pgx.Row) (model.AssetInfo, error) {
		var a model.AssetInfo
		var last *int64
		var ends, lag []byte
		if err := r.Scan(&a.Name, &a.Kind, &a.URI, &a.Description, &a.Consumers, &a.Producers, &last, &ends, &lag); err != nil {
			return a, err
		}
		if last != nil {
			a.LastEvent = &model.AssetEvent{ID: *last}
		}
		var err error
		if a.EndOffsets, err = decodeOffsets(ends); err != nil {
			return a, err
		}
		if len(lag) > 0 {
			err = json.Unmarshal(lag, &a.Lag)
		}
		if a.Kind == model.AssetKafkaTopic && a.EndOffsets == nil {
			a.EndOffsets = map[int32]int64{}
		}
		return a, err
	})
}

// decodeOffsets reads a {"partition": offset} object; nil for SQL NULL.
func decodeOffsets(raw []byte) (map[int32]int64, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var m map[string]int64
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("stored offsets are not a JSON object: %v", err)
	}
	out := make(map[int32]int64, len(m))
	for k, v := range m {
		p, err := strconv.ParseInt(k, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("stored offsets: partition %q: %v", k, err)
		}
		out[int32(p)] = v
	}
	return out, nil
}

func scanAssetEvent(r pgx.Row) (model.AssetEvent, error) {
	var ev model.AssetEvent
	var offsets, extra []byte
	if err := r.Scan(&ev.ID, &ev.Asset, &ev.Timestamp, &ev.SourceDAGID, &ev.SourceRunID, &ev.SourceTaskID,
		&ev.SourceTry, &offsets, &extra, &ev.TriggeredRuns); err != nil {
		return ev, err
	}
	ev.Timestamp = ev.Timestamp.UTC()
	if ev.TriggeredRuns == nil {
		ev.TriggeredRuns = []string{}
	}
	var err error
	if ev.Offsets, err = decodeOffsets(offsets); err != nil {
		return ev, err
	}
	ev.Extra, err = decodeObject(extra, fmt.Sprintf("extra of asset event %d", ev.ID))
	return ev, err
}

func (e executor) ListAssetEvents(ctx context.Context, f model.AssetEventFilter) ([]model.AssetEvent, error) {
	var rows pgx.Rows
	var err error
	if f.Asset == "" {
		rows, err = e.q.Query(ctx, sqlListAssetEvents, f.BeforeID, f.Limit)
	} else {
		rows, err = e.q.Query(ctx, sqlListEventsOfAsset, f.BeforeID, f.Limit, f.Asset)
	}
	return collect(rows, err, scanAssetEvent)
}

func (e executor) GetAssetEvents(ctx context.Context, ids []int64) ([]model.AssetEvent, error) {
	rows, err := e.q.Query(ctx, sqlGetAssetEvents, ids)
	return collect(rows, err, scanAssetEvent)
}

func (e executor) RunAssetEvents(ctx context.Context, runID string) ([]model.AssetEvent, error) {
	rows, err := e.q.Query(ctx, sqlRunAssetEvents, runID)
	return collect(rows, err, scanAssetEvent)
}

func (e executor) CleanAssetEvents(ctx context.Context, c driver.Cutoffs, limit int) (int64, error) {
	return e.exec(ctx, sqlCleanAssetEvents, c.Runs, c.AssetRuns, limit)
}
