package scheduler

import (
	"context"
	"fmt"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
)

// appendLogs stores a batch of an attempt's log lines in one statement.
// Re-sending a batch is harmless (line numbers are the key).
func (s *Store) appendLogs(ctx context.Context, runID, taskID string, try int, lines []LogLine) error {
	return s.drv.InsertLogs(ctx, driver.AttemptKey{RunID: runID, TaskID: taskID, Try: try}, lines)
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
	return s.drv.AttemptLog(ctx, driver.AttemptKey{RunID: runID, TaskID: taskID, Try: try}, afterLine, limit)
}
