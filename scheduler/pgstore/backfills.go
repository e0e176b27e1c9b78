package pgstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
	"github.com/finpipe/finpipe/scheduler/internal/model"
)

func scanBackfill(row pgx.Row) (model.Backfill, error) {
	var b model.Backfill
	var conf []byte
	err := row.Scan(&b.ID, &b.DAGID, &b.From, &b.To, &b.Reprocess, &b.MaxActiveRuns, &b.RunBackwards,
		&conf, &b.State, &b.CreatedAt, &b.CompletedAt)
	b.From, b.To = b.From.UTC(), b.To.UTC()
	b.RunCounts = map[string]int{}
	if err != nil {
		return b, err
	}
	b.Conf, err = decodeObject(conf, fmt.Sprintf("conf of backfill %d", b.ID))
	return b, err
}

func (e executor) InsertBackfill(ctx context.Context, b model.Backfill) (model.Backfill, error) {
	conf, err := encodeObject(b.Conf, "conf")
	if err != nil {
		return b, err
	}
	out, err := scanBackfill(e.q.QueryRow(ctx, sqlInsertBackfill, b.DAGID, b.From.UTC(), b.To.UTC(),
		b.Reprocess, b.MaxActiveRuns, b.RunBackwards, conf))
	if isUniqueViolation(err) {
		return out, fmt.Errorf("%w: DAG %q already has an active backfill", driver.ErrConflict, b.DAGID)
	}
	return out, fail(err)
}

func (e executor) ActiveBackfill(ctx context.Context, dagID string) (int64, error) {
	var id int64
	err := e.q.QueryRow(ctx, sqlActiveBackfillOfDAG, dagID).Scan(&id)
	return id, notFound(err, "active backfill of DAG %q", dagID)
}

func (e executor) AttachRunToBackfill(ctx context.Context, runID string, backfillID int64, sort int) error {
	_, err := e.exec(ctx, sqlAttachRunToBackfill, runID, backfillID, sort)
	return err
}

func (e executor) GetBackfill(ctx context.Context, id int64) (model.Backfill, error) {
	b, err := scanBackfill(e.q.QueryRow(ctx, sqlGetBackfill, id))
	return b, notFound(err, "backfill %d", id)
}

func (e executor) ListBackfills(ctx context.Context, dagID string) ([]model.Backfill, error) {
	rows, err := e.q.Query(ctx, sqlListBackfills, dagID)
	return collect(rows, err, scanBackfill)
}

func (e executor) BackfillRunCounts(ctx context.Context, id int64) (map[string]int, error) {
	rows, err := e.q.Query(ctx, sqlBackfillRunCounts, id)
	return countByState(rows, err)
}

func (e executor) SetBackfillState(ctx context.Context, id int64, from []string, to string) (bool, error) {
	n, err := e.exec(ctx, sqlSetBackfillState, id, from, to)
	return n > 0, err
}

func (e executor) QueuedBackfillRuns(ctx context.Context, id int64) ([]string, error) {
	rows, err := e.q.Query(ctx, sqlQueuedBackfillRuns, id)
	if err != nil {
		return nil, fail(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, fail(err)
}

func (e executor) CompleteBackfills(ctx context.Context) (int64, error) {
	return e.exec(ctx, sqlCompleteBackfills)
}
