package scheduler

import (
	"context"
	"fmt"
)

// appendLogs stores a batch of an attempt's log lines in one statement.
// Re-sending a batch is harmless (line numbers are the key).
func (s *Store) appendLogs(ctx context.Context, runID, taskID string, try int, lines []LogLine) error {
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
	_, err := s.db.Exec(ctx, sqlInsertLogs, runID, taskID, try, nums, ts, levels, msgs)
	return err
}

// AttemptLog returns up to limit log lines of one attempt after line
// afterLine (0 for the start): callers poll with the last line they have to
// follow a running attempt. An attempt with no lines yet returns an empty
// slice; an unknown task instance is ErrNotFound.
func (s *Store) AttemptLog(ctx context.Context, runID, taskID string, try, afterLine, limit int) ([]LogLine, error) {
	if try < 1 || afterLine < 0 {
		return nil, fmt.Errorf("%w: try must be >= 1 and afterLine >= 0", ErrInvalid)
	}
	if limit <= 0 || limit > 10000 {
		limit = 1000
	}
	ti, err := s.GetTaskInstance(ctx, runID, taskID)
	if err != nil {
		return nil, err
	}
	if try > ti.TryNumber {
		return nil, fmt.Errorf("%w: task %q in run %q has no try %d", ErrNotFound, taskID, runID, try)
	}
	rows, err := s.db.Query(ctx, sqlAttemptLog, runID, taskID, try, afterLine, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []LogLine{}
	for rows.Next() {
		var l LogLine
		if err := rows.Scan(&l.Line, &l.Time, &l.Level, &l.Message); err != nil {
			return nil, err
		}
		l.Time = l.Time.UTC()
		out = append(out, l)
	}
	return out, rows.Err()
}
