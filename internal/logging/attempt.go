package logging

import (
	"context"
	"log/slog"
)

// The attribute keys every line of a task attempt carries. They are the
// words of Airflow's log context, so operators can grep one attempt across
// machines: dag=finpipe_medallion run=scheduled__... task=clean try=2.
const (
	KeyDAG  = "dag"
	KeyRun  = "run"
	KeyTask = "task"
	KeyTry  = "try"
)

// AttemptAttrs are the attributes that identify one task attempt.
func AttemptAttrs(dag, run, task string, try int) []any {
	return []any{
		slog.String(KeyDAG, dag),
		slog.String(KeyRun, run),
		slog.String(KeyTask, task),
		slog.Int(KeyTry, try),
	}
}

// ForAttempt returns l with the attempt's attributes on every line. The
// scheduler calls it once per attempt (typically on a handler that also
// stores the lines centrally, e.g. slog.NewMultiHandler) and hands the result
// to the task through its context.
func ForAttempt(l *slog.Logger, dag, run, task string, try int) *slog.Logger {
	return l.With(AttemptAttrs(dag, run, task, try)...)
}

type ctxKey struct{}

// WithLogger returns ctx carrying l, so task bodies, which are plain
// functions, log with their attempt's attributes without knowing the engine.
func WithLogger(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// FromContext returns the logger WithLogger stored, or slog.Default() so a
// task body run outside the engine (tests, `tasks test`) still logs.
func FromContext(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(ctxKey{}).(*slog.Logger); ok && l != nil {
		return l
	}
	return slog.Default()
}
