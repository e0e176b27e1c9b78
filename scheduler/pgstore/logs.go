package pgstore

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
	"github.com/finpipe/finpipe/scheduler/internal/model"
)

// InsertLogs stores a batch of lines in one statement; line numbers are
// the key, so re-sending a batch is harmless.
func (e executor) InsertLogs(ctx context.Context, k driver.AttemptKey, lines []model.LogLine) error {
	if len(lines) == 0 {
		return nil
	}
	nums := make([]int32, len(lines))
	ts := make([]any, len(lines))
	levels := make([]string, len(lines))
	msgs := make([]string, len(lines))
	for i, l := range lines {
		nums[i], ts[i], levels[i], msgs[i] = int32(l.Line), l.Time, l.Level, l.Message
	}
	_, err := e.exec(ctx, sqlInsertLogs, k.RunID, k.TaskID, k.Try, nums, ts, levels, msgs)
	return err
}

func (e executor) AttemptLog(ctx context.Context, k driver.AttemptKey, afterLine, limit int) ([]model.LogLine, error) {
	rows, err := e.q.Query(ctx, sqlAttemptLog, k.RunID, k.TaskID, k.Try, afterLine, limit)
	return collect(rows, err, func(r pgx.Row) (model.LogLine, error) {
		var l model.LogLine
		err := r.Scan(&l.Line, &l.Time, &l.Level, &l.Message)
		l.Time = l.Time.UTC()
		return l, err
	})
}
