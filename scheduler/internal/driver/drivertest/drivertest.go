// Package drivertest is the conformance suite of driver.Driver, after
// River's riverdrivertest: any driver must pass it against a fresh,
// migrated database. It checks the guarantees the engine builds on —
// claim fencing, heartbeats, retries, clear and mark, pools, limits,
// backfills, asset events — through the interface alone, so a second driver (or a change
// to pgstore's SQL) is judged by the same rules.
//
// Each group of checks is one entry of Groups; a new capability of the
// interface (asset events, say) adds its group there and every driver runs
// it.
package drivertest

import (
	"context"
	"testing"
	"time"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
	"github.com/finpipe/finpipe/scheduler/internal/model"
)

// Open returns a driver on a fresh, migrated database, closed at cleanup.
type Open func(t *testing.T) driver.Driver

// Group is a named set of checks run as one subtest, each on its own database.
type Group struct {
	Name string
	Run  func(t *testing.T, d driver.Driver)
}

// Groups are the suite's checks.
var Groups = []Group{
	{"ClaimFencing", claimFencing},
	{"Heartbeats", heartbeats},
	{"Retries", retries},
	{"ClearAndMark", clearAndMark},
	{"Pools", pools},
	{"Limits", limits},
	{"Backfills", backfills},
	{"Errors", errorsGroup},
	{"AssetEvents", assetEvents},
}

// Run runs every group against drivers from open.
func Run(t *testing.T, open Open) {
	for _, g := range Groups {
		t.Run(g.Name, func(t *testing.T) { g.Run(t, open(t)) })
	}
}

// dagOf syncs a DAG of the given tasks (each a root unless it names
// upstream tasks) and returns its id.
func dagOf(t *testing.T, d driver.Driver, id string, maxTasks int, tasks ...driver.TaskDef) string {
	t.Helper()
	ctx := context.Background()
	var pools []string
	down := map[string][]string{}
	for _, tk := range tasks {
		for _, u := range tk.Upstream {
			down[u] = append(down[u], tk.TaskID)
		}
	}
	for i := range tasks {
		if tasks[i].Pool == "" {
			tasks[i].Pool = "default_pool"
		}
		if tasks[i].TriggerRule == "" {
			tasks[i].TriggerRule = model.AllSuccess
		}
		tasks[i].Downstream = down[tasks[i].TaskID]
		pools = append(pools, tasks[i].Pool)
	}
	must(t, d.UpsertDAG(ctx, driver.DAGDef{DAGID: id, StartDate: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		MaxActiveRuns: 16, MaxActiveTasks: maxTasks}))
	must(t, d.ReplaceDAGTasks(ctx, id, tasks))
	must(t, d.EnsurePools(ctx, pools))
	return id
}

// runOf inserts a run of dag at day (2026-01-day) and starts it, so its
// root tasks are scheduled.
func runOf(t *testing.T, d driver.Driver, dag string, day int) model.DagRun {
	t.Helper()
	ctx := context.Background()
	l := time.Date(2026, 1, day, 0, 0, 0, 0, time.UTC)
	r, created, err := d.InsertRun(ctx, driver.NewRun{RunID: dag + "__test__" + l.Format(time.RFC3339), DAGID: dag,
		RunType: model.RunTypeManual, LogicalDate: l, IntervalStart: l, IntervalEnd: l.Add(24 * time.Hour)})
	must(t, err)
	if !created {
		t.Fatalf("run of %s at %s not created", dag, l)
	}
	promote(t, d)
	return r
}

func promote(t *testing.T, d driver.Driver) {
	t.Helper()
	ctx := context.Background()
	must(t, d.InTx(ctx, func(x driver.Executor) error {
		if err := x.XactLock(ctx, driver.LockPromote); err != nil {
			return err
		}
		_, err := x.PromoteRuns(ctx)
		return err
	}))
}

func claim(t *testing.T, d driver.Driver, worker string, max int, dags ...string) []driver.ClaimedTask {
	t.Helper()
	c, err := d.Claim(context.Background(), driver.ClaimParams{WorkerID: worker, Host: "host-" + worker, DAGIDs: dags, Max: max})
	must(t, err)
	return c
}

// finish reports an attempt's end outside any bump, as the reaper does.
func finish(t *testing.T, d driver.Driver, c driver.ClaimedTask, to model.TaskState, retryIn time.Duration) bool {
	t.Helper()
	var res driver.FinishResult
	must(t, d.InTx(context.Background(), func(x driver.Executor) error {
		var err error
		res, err = x.FinishAttempt(context.Background(), driver.FinishParams{
			AttemptKey: driver.AttemptKey{RunID: c.RunID, TaskID: c.TaskID, Try: c.Try},
			From:       []model.TaskState{model.TaskQueued, model.TaskRunning}, To: to, RetryIn: retryIn, Error: "boom"}, nil)
		return err
	}))
	return res.Finished
}

func state(t *testing.T, d driver.Driver, runID, taskID string) model.TaskInstance {
	t.Helper()
	ti, err := d.GetTaskInstance(context.Background(), runID, taskID)
	must(t, err)
	return ti
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
