// Package drive runs the shipped DAGs the way a user would, through the
// scheduler's operator API: trigger a run, wait for it to end, and trigger
// the next one as soon as it did. `finpipe demo` and `finpipe bench
// pipeline` use it so that what they show and measure is the orchestrated
// pipeline, scheduler and workers included, not a second executor beside
// it. (Once the engine schedules the medallion DAG on the Kafka topic
// itself, UntilDrained only needs to wait.)
package drive

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/finpipe/finpipe/dags"
	"github.com/finpipe/finpipe/scheduler"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/medallion"
	"github.com/finpipe/finpipe/tasks/produce"
)

// MaxRuns bounds the medallion runs of one UntilDrained: a pipeline that
// stops making progress must end in an error, not spin.
const MaxRuns = 10_000

// pollEvery is how often a run's state is read while it runs. A run of the
// medallion DAG takes from tens of milliseconds (nothing new) to seconds
// (a full batch), so a short poll keeps the next run from waiting on the
// poll rather than on the engine (5 ms on average); shorter would take
// CPU from the steps on a small machine (at 5 ms, polling was 2.6 % of the
// bench's CPU, PostgreSQL's share not counted).
const pollEvery = 10 * time.Millisecond

// Driver triggers runs through a store. Label names the runs it creates
// ("<dag>__<label>__<time>") so that they are told apart from scheduled
// and manual ones in the UI.
type Driver struct {
	Store *scheduler.Store
	Label string
}

// Run triggers a run of dagID and waits for it; a run that does not succeed
// is an error naming its failed tasks.
func (d Driver) Run(ctx context.Context, dagID string) (scheduler.DagRun, error) {
	now := time.Now().UTC()
	run, err := d.Store.TriggerRun(ctx, dagID, scheduler.TriggerOptions{
		RunID: fmt.Sprintf("%s__%s__%s", dagID, d.Label, now.Format("20060102T150405.000000000")), LogicalDate: now})
	if err != nil {
		return run, err
	}
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	for !run.State.Finished() {
		select {
		case <-ctx.Done():
			return run, fmt.Errorf("stopped waiting; run %s is %s", run.RunID, run.State)
		case <-t.C:
		}
		if run, err = d.Store.GetRun(ctx, run.RunID); err != nil {
			return run, err
		}
	}
	if run.State != scheduler.RunSuccess {
		return run, d.failure(ctx, run)
	}
	return run, nil
}

// failure describes a run that ended without success by its failed tasks.
func (d Driver) failure(ctx context.Context, run scheduler.DagRun) error {
	msg := fmt.Sprintf("run %s %s", run.RunID, run.State)
	tis, _ := d.Store.ListTaskInstances(ctx, run.RunID)
	for _, ti := range tis {
		if ti.State == scheduler.TaskFailed {
			line, _, _ := strings.Cut(ti.Error, "\n")
			msg += fmt.Sprintf("; task %s: %s", ti.TaskID, line)
		}
	}
	return errors.New(msg)
}

// UntilDrained triggers finpipe_medallion runs back to back (the DAG
// allows one active run) until every step has consumed all of its input:
// Kafka's records are in Bronze, Bronze's versions in Silver, Silver's in
// Gold. progress counts the records ingested out of those in Kafka at the
// start (nil: no progress shown). It returns the runs, in order.
func (d Driver) UntilDrained(ctx context.Context, l *lake.Lake, p dags.Pipeline, progress produce.Progress) ([]scheduler.DagRun, error) {
	if progress == nil {
		progress = silent{}
	}
	defer progress.End()
	backlog := int64(-1)
	var runs []scheduler.DagRun
	for len(runs) < MaxRuns {
		lag, err := medallion.Measure(ctx, l, p.Brokers, p.Topic)
		if err != nil {
			return runs, err
		}
		if backlog < 0 {
			backlog = lag.Kafka
			progress.Start(backlog)
		}
		progress.Set(backlog - lag.Kafka)
		if lag.Drained() {
			return runs, nil
		}
		run, err := d.Run(ctx, dags.MedallionDAG)
		if err != nil {
			return runs, err
		}
		runs = append(runs, run)
	}
	return runs, fmt.Errorf("the pipeline is not drained after %d runs", MaxRuns)
}

// silent is the progress of nobody watching.
type silent struct{}

func (silent) Start(int64) {}
func (silent) Set(int64)   {}
func (silent) End()        {}
