package scheduler

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// ErrNoAttempt is what EmitAssetEvent and Consumed return on a TaskContext
// that no attempt owns: one built as a struct literal, as a test of a task
// body might. Such a context has nowhere to keep what the task reports,
// and dropping it in silence would let a test pass although the task's
// events never reach the engine. NewTaskContext builds one that collects.
var ErrNoAttempt = errors.New("the TaskContext belongs to no attempt, so asset events and consumed offsets would be lost " +
	"(build it with scheduler.NewTaskContext, which collects them, or run the task with RunTaskTest)")

// TaskOutputs are what a task reported through its TaskContext: the asset
// events it emitted and, per topic partition, the highest offset it
// reported consumed, in a stable order.
type TaskOutputs struct {
	Events   []AssetEvent
	Consumed []ConsumedOffset
}

// NewTaskContext builds the TaskContext that the attempt of task taskID of
// DAG dagID would see, for calling the task body outside the engine (a
// test). It is try 1 of a run at the current time, with the DAG's params;
// set its fields to test other dates, conf or tries. EmitAssetEvent and
// Consumed check their arguments as in a real attempt (outlets, topic
// assets) and keep what they are told, which Outputs returns; nothing is
// written anywhere. Log discards unless replaced.
func NewTaskContext(reg *Registry, dagID, taskID string) (*TaskContext, error) {
	dag, task, err := reg.Task(dagID, taskID)
	if err != nil {
		return nil, err
	}
	tc := newTaskContext(testClaim(dag, taskID, time.Now(), nil), slog.New(slog.DiscardHandler))
	tc.bindAssets(reg, task)
	return tc, nil
}

// Outputs returns what the task reported so far: with the engine, the
// events and offsets that its attempt's success would record.
func (tc *TaskContext) Outputs() TaskOutputs {
	events, consumed := tc.outputs.take()
	return TaskOutputs{Events: events, Consumed: consumed}
}

// testClaim is the attempt that RunTaskTest and NewTaskContext make up:
// try 1 of a "test" run at logical, with the DAG's params overridden by
// conf.
func testClaim(dag *DAG, taskID string, logical time.Time, conf map[string]any) claimedTask {
	sched, _ := parseSchedule(dag.Opts.Schedule)
	start, end := sched.interval(logical)
	params := map[string]any{}
	for k, v := range dag.Opts.Params {
		params[k] = v
	}
	if conf == nil {
		conf = map[string]any{}
	}
	for k, v := range conf {
		params[k] = v
	}
	return claimedTask{DAGID: dag.ID, TaskID: taskID, RunID: runIDFor(dag.ID, "test", logical), Try: 1,
		Logical: logical.UTC(), IntervalStart: start, IntervalEnd: end, Conf: conf, Params: params}
}

// logOutputs tells a "tasks test" what the attempt would have recorded.
func logOutputs(log *slog.Logger, o TaskOutputs) {
	for _, e := range o.Events {
		log.Info(fmt.Sprintf("would emit an event of asset %q (not recorded: a test run)", e.Asset), "extra", e.Extra)
	}
	for _, c := range o.Consumed {
		log.Info(fmt.Sprintf("would record asset %q consumed (not recorded: a test run)", c.Asset),
			"partition", c.Partition, "next_offset", c.NextOffset)
	}
}
