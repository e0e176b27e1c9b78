// Package drive runs the shipped DAGs the way a user would, through the
// scheduler's operator API: trigger a run, wait for it to end, and trigger
// the next one as soon as it did. `finpipe demo` and `finpipe bench
// pipeline` use it so that what they show and measure is the orchestrated
// pipeline, scheduler and workers included, not a second executor beside
// it. The medallion DAG runs on data (its Kafka topic asset), so draining
// only waits.
package drive

import (
	"context"
	"errors"
	"fmt"
	"slices"
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

// UntilDrained waits until every step has consumed all of its input:
// Kafka's records are in Bronze, Bronze's versions in Silver, Silver's in
// Gold. It triggers nothing: the medallion DAG is scheduled on the topic,
// so the engine's Kafka watcher queues its runs as records arrive and
// while ingest is behind. It waits on the operator API (the topic asset's
// lag, the DAG's active runs) and confirms with the lake. progress counts
// the records ingested out of those in Kafka at the start (nil: no
// progress shown). It returns the medallion runs queued meanwhile, oldest
// first; a failed one is an error naming its failed tasks.
func (d Driver) UntilDrained(ctx context.Context, l *lake.Lake, p dags.Pipeline, progress produce.Progress) ([]scheduler.DagRun, error) {
	if progress == nil {
		progress = silent{}
	}
	defer progress.End()
	began := time.Now().UTC().Add(-time.Second) // run logical dates are the database's clock
	lag, err := medallion.Measure(ctx, l, p.Brokers, p.Topic)
	if err != nil {
		return nil, err
	}
	backlog := lag.Kafka
	progress.Start(backlog)
	t := time.NewTicker(drainPoll)
	defer t.Stop()
	for !lag.Drained() {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("stopped waiting for the pipeline to drain: %w", ctx.Err())
		case <-t.C:
		}
		runs, err := d.runsSince(ctx, began)
		if err != nil {
			return runs, err
		}
		if len(runs) > MaxRuns {
			return runs, fmt.Errorf("the pipeline is not drained after %d runs", MaxRuns)
		}
		active := false
		for _, r := range runs {
			active = active || !r.State.Finished()
			if r.State == scheduler.RunFailed {
				return runs, d.failure(ctx, r)
			}
		}
		asset, err := d.Store.GetAsset(ctx, p.TopicName())
		if err != nil {
			return runs, err
		}
		behind, known := asset.Lag[dags.MedallionDAG]
		if known {
			progress.Set(max(backlog-behind, 0))
		}
		if active || (known && behind > 0) {
			continue
		}
		// Nothing queued or running and no lag the watcher knows of: ask
		// the lake (the watcher may not have seen the newest records yet).
		if lag, err = medallion.Measure(ctx, l, p.Brokers, p.Topic); err != nil {
			return runs, err
		}
	}
	progress.Set(backlog)
	return d.runsSince(ctx, began)
}

// drainPoll is how often UntilDrained looks: the runs it waits for start
// on their own, so this only bounds how late it notices the end.
const drainPoll = 20 * time.Millisecond

// runsSince returns the medallion runs with a logical date from since on,
// oldest first.
func (d Driver) runsSince(ctx context.Context, since time.Time) ([]scheduler.DagRun, error) {
	var out []scheduler.DagRun
	f := scheduler.RunFilter{DAGID: dags.MedallionDAG, From: since, Limit: 500}
	for {
		page, err := d.Store.ListRuns(ctx, f)
		if err != nil {
			return out, err
		}
		out = append(out, page.Runs...)
		if page.NextCursor == "" {
			break
		}
		f.Cursor = page.NextCursor
	}
	slices.Reverse(out)
	return out, nil
}

// silent is the progress of nobody watching.
type silent struct{}

func (silent) Start(int64) {}
func (silent) Set(int64)   {}
func (silent) End()        {}
