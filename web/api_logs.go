package web

import (
	"context"
	"net/http"
	"time"

	"github.com/finpipe/finpipe/scheduler"
)

// logPage is the log endpoint's answer. Following is true while the attempt
// may still write lines: ask again with after_line = NextAfterLine.
type logPage struct {
	Lines         []scheduler.LogLine `json:"lines"`
	NextAfterLine int                 `json:"next_after_line"`
	Following     bool                `json:"following"`
}

// maxLogWait bounds how long one request may wait for new lines.
const maxLogWait = 30

// defaultLogPoll is Options.LogPoll's default.
const defaultLogPoll = 250 * time.Millisecond

// GET /api/v1/dags/{dag_id}/runs/{run_id}/tasks/{task_id}/attempts/{try}/log
// ?after_line=N&limit=M&wait=S: lines after N, at most M. With wait > 0 and
// nothing new yet from a running attempt, the request waits up to S seconds
// for lines (long polling), so `curl` in a loop follows a live attempt.
func (s *server) apiAttemptLog(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	after, err := queryInt(q, "after_line", 0, 0, 1<<31-1)
	if err != nil {
		return err
	}
	limit, err := queryInt(q, "limit", 1000, 1, 10000)
	if err != nil {
		return err
	}
	wait, err := queryInt(q, "wait", 0, 0, maxLogWait)
	if err != nil {
		return err
	}
	ctx := r.Context()
	ti, err := s.taskOf(ctx, pathParam(r, "dag_id"), pathParam(r, "run_id"), pathParam(r, "task_id"))
	if err != nil {
		return err
	}
	try, err := tryParam(r, ti)
	if err != nil {
		return err
	}
	page, err := s.readLog(ctx, ti, try, after, limit, time.Duration(wait)*time.Second)
	if err != nil {
		return err
	}
	s.sendJSON(w, r, http.StatusOK, page)
	return nil
}

// readLog returns one page of an attempt's log, waiting up to wait for the
// first new line while the attempt is live. The UI's task page uses it too.
func (s *server) readLog(ctx context.Context, ti scheduler.TaskInstance, try, after, limit int, wait time.Duration) (logPage, error) {
	deadline := time.Now().Add(wait)
	for {
		lines, err := s.orch.AttemptLog(ctx, ti.RunID, ti.TaskID, try, after, limit)
		if err != nil {
			return logPage{}, err
		}
		page := logPage{Lines: lines, NextAfterLine: after, Following: attemptLive(ti, try)}
		if page.Lines == nil {
			page.Lines = []scheduler.LogLine{}
		}
		if n := len(lines); n > 0 {
			page.NextAfterLine = lines[n-1].Line
		}
		if len(lines) > 0 || !page.Following || time.Now().After(deadline) {
			return page, nil
		}
		select {
		case <-ctx.Done():
			return page, nil
		case <-time.After(s.logPoll):
		}
		if ti, err = s.orch.GetTaskInstance(ctx, ti.RunID, ti.TaskID); err != nil {
			return logPage{}, err
		}
	}
}

// attemptLive reports whether attempt try may still write log lines: it is
// the current attempt and has not finished.
func attemptLive(ti scheduler.TaskInstance, try int) bool {
	return try == ti.TryNumber && (ti.State == scheduler.TaskRunning || ti.State == scheduler.TaskQueued)
}
