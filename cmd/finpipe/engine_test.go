package main

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/finpipe/finpipe/scheduler"
)

// startEngine runs a quiet scheduler and a worker of two slots over reg
// until the test ends, as `finpipe standalone` would, for commands that need
// runs to happen.
func startEngine(t *testing.T, store *scheduler.Store, reg *scheduler.Registry) {
	t.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	sch := scheduler.NewScheduler(store, reg, scheduler.SchedulerOptions{Logger: quiet})
	wk := scheduler.NewWorker(store, reg, scheduler.WorkerOptions{Concurrency: 2, Logger: quiet})
	for _, svc := range []interface {
		Start(context.Context) error
		Stop(context.Context) error
	}{sch, wk} {
		if err := svc.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { svc.Stop(ctx) })
	}
}
