package drive

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/scheduler"
)

// TestRunWaitsAndNamesTheFailedTask drives two manual runs through a real
// scheduler and worker on PostgreSQL: one that succeeds, returned once it
// has ended, and one whose task fails, an error naming that task and its
// error's first line.
func TestRunWaitsAndNamesTheFailedTask(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the orchestrator")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ok := scheduler.NewDAG("drive_ok", scheduler.DAGOptions{})
	ok.Task("fine", func(context.Context, *scheduler.TaskContext) error { return nil }, scheduler.TaskOptions{})
	bad := scheduler.NewDAG("drive_bad", scheduler.DAGOptions{})
	bad.Task("boom", func(context.Context, *scheduler.TaskContext) error {
		return errors.New("disk on fire\nstack trace")
	}, scheduler.TaskOptions{})
	reg, err := scheduler.NewRegistry(ok, bad)
	if err != nil {
		t.Fatal(err)
	}
	store, err := scheduler.Open(ctx, testenv.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	sch := scheduler.NewScheduler(store, reg, scheduler.SchedulerOptions{Logger: quiet})
	if err := sch.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer sch.Stop(context.Background())
	w := scheduler.NewWorker(store, reg, scheduler.WorkerOptions{Logger: quiet})
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer w.Stop(context.Background())

	d := Driver{Store: store, Label: "test"}
	run, err := d.Run(ctx, "drive_ok")
	if err != nil || run.State != scheduler.RunSuccess || !strings.Contains(run.RunID, "__test__") {
		t.Fatalf("run %+v, err %v", run, err)
	}
	_, err = d.Run(ctx, "drive_bad")
	if err == nil || !strings.Contains(err.Error(), "task boom: disk on fire") || strings.Contains(err.Error(), "stack trace") {
		t.Fatalf("err %v, want the failed task and its error's first line", err)
	}
}
