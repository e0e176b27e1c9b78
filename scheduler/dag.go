package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"strings"
	"time"
)

// TaskFunc is a task's body. It must return when ctx is cancelled (timeout,
// run cleared, worker shutting down). A returned error fails the attempt; a
// panic is recovered and fails it too.
type TaskFunc func(ctx context.Context, tc *TaskContext) error

// TaskContext is what a running attempt knows about itself. The engine
// builds it; to call a task body in a test, build it with NewTaskContext
// (a struct literal has no attempt: its EmitAssetEvent and Consumed fail
// with ErrNoAttempt rather than drop what they are told).
type TaskContext struct {
	DAGID, RunID, TaskID string
	// LogicalDate is the start of the data interval, as in Airflow.
	LogicalDate                        time.Time
	DataIntervalStart, DataIntervalEnd time.Time
	// Conf is the run's conf as given to TriggerRun (empty, never nil).
	Conf map[string]any
	// Params are the DAG's params with the run's conf keys overriding them.
	Params map[string]any
	// TryNumber is the attempt number, starting at 1.
	TryNumber int
	// Log writes lines stored as this attempt's log in PostgreSQL.
	Log *slog.Logger

	// outputs buffers the attempt's asset events and consumed offsets
	// (task_assets.go) until its success is recorded.
	outputs attemptOutputs
}

// DAGOptions configures a DAG. Zero values mean the documented defaults.
type DAGOptions struct {
	// Schedule: "" (manual runs only), a five-field cron expression, one of
	// @hourly @daily @weekly @monthly @yearly, or "@every <duration>"
	// (aligned to the Unix epoch, e.g. "@every 1m").
	Schedule string
	// StartDate is the first logical date; default: the time NewDAG is called,
	// truncated to the hour (so a fresh DAG does not backfill by accident).
	StartDate time.Time
	// Catchup creates runs for every missed interval since StartDate (or the
	// latest run); otherwise only the most recent interval gets a run.
	Catchup bool
	// MaxActiveRuns limits scheduled and manual runs running at once (default 16).
	MaxActiveRuns int
	// MaxActiveTasks limits task instances queued or running across the
	// DAG's runs (default 16).
	MaxActiveTasks int
	// Params are defaults the tasks see in TaskContext.Params.
	Params      map[string]any
	Description string
	Tags        []string
	// Assets schedules the DAG on data (Airflow 3's assets): the names of
	// registered assets (Registry.AddAsset) whose events queue an
	// asset-triggered run. With a Schedule too, either one queues a run
	// (Airflow's AssetOrTimeSchedule). With several assets, a run is queued
	// once every one of them has a new event since the DAG's last
	// asset-triggered run (Airflow's default), or once any has with AssetsAny.
	Assets    []string
	AssetsAny bool
}

// TaskOptions configures a task. Zero values mean the documented defaults.
type TaskOptions struct {
	// Upstream lists task ids that must finish before this one (see TriggerRule).
	Upstream []string
	// Retries is how many times a failed attempt is retried (default 0).
	Retries int
	// RetryDelay is the wait before a retry (default 1s when Retries > 0).
	RetryDelay time.Duration
	// ExponentialBackoff doubles the delay on each retry (with ±25% jitter).
	ExponentialBackoff bool
	// MaxRetryDelay caps the delay (default 1h).
	MaxRetryDelay time.Duration
	// Timeout cancels the attempt's context after this long (0 = none).
	Timeout time.Duration
	// Pool is the named pool whose slots the task uses (default "default_pool").
	Pool string
	// TriggerRule decides when the task runs (default AllSuccess).
	TriggerRule TriggerRule
	// Outlets are the registered assets the task may emit events for
	// (TaskContext.EmitAssetEvent). A successful attempt that emitted
	// nothing for an outlet emits nothing: a run that committed nothing
	// triggers nothing downstream.
	Outlets []string
}

// Task is one node of a DAG.
type Task struct {
	ID   string
	Fn   TaskFunc
	Opts TaskOptions
}

// DAG is a directed acyclic graph of tasks, defined in Go. Build it with
// NewDAG and Task, then check it with Validate (NewRegistry does).
type DAG struct {
	ID    string
	Opts  DAGOptions
	tasks []*Task
	byID  map[string]*Task
	errs  []error
}

// DefaultPool is the pool tasks use when TaskOptions.Pool is empty.
const DefaultPool = "default_pool"

var idPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,200}$`)

// NewDAG starts a DAG definition. Errors (bad id, bad schedule) are reported
// by Validate, so definitions read top to bottom without error checks.
func NewDAG(id string, opts DAGOptions) *DAG {
	opts.Assets = dedupe(opts.Assets)
	d := &DAG{ID: id, Opts: opts, byID: map[string]*Task{}}
	if !idPattern.MatchString(id) {
		d.errs = append(d.errs, fmt.Errorf("DAG id %q: use 1-200 letters, digits, '_', '.', '-'", id))
	}
	if d.Opts.StartDate.IsZero() {
		d.Opts.StartDate = time.Now().UTC().Truncate(time.Hour)
	}
	d.Opts.StartDate = d.Opts.StartDate.UTC()
	if d.Opts.MaxActiveRuns <= 0 {
		d.Opts.MaxActiveRuns = 16
	}
	if d.Opts.MaxActiveTasks <= 0 {
		d.Opts.MaxActiveTasks = 16
	}
	if d.Opts.Params == nil {
		d.Opts.Params = map[string]any{}
	}
	return d
}

// Task adds a task and returns it. Options are normalised to their defaults.
func (d *DAG) Task(id string, fn TaskFunc, opts TaskOptions) *Task {
	if opts.Pool == "" {
		opts.Pool = DefaultPool
	}
	if opts.TriggerRule == "" {
		opts.TriggerRule = AllSuccess
	}
	if opts.Retries > 0 && opts.RetryDelay == 0 {
		opts.RetryDelay = time.Second
	}
	if opts.MaxRetryDelay == 0 {
		opts.MaxRetryDelay = time.Hour
	}
	opts.Upstream = dedupe(opts.Upstream) // a task waits once for each upstream
	opts.Outlets = dedupe(opts.Outlets)
	t := &Task{ID: id, Fn: fn, Opts: opts}
	switch {
	case !idPattern.MatchString(id):
		d.errs = append(d.errs, fmt.Errorf("task id %q: use 1-200 letters, digits, '_', '.', '-'", id))
	case d.byID[id] != nil:
		d.errs = append(d.errs, fmt.Errorf("duplicate task id %q", id))
	case fn == nil:
		d.errs = append(d.errs, fmt.Errorf("task %q has no function", id))
	}
	if d.byID[id] == nil {
		d.byID[id] = t
	}
	d.tasks = append(d.tasks, t)
	return t
}

func dedupe(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// Tasks returns the tasks in definition order.
func (d *DAG) Tasks() []*Task { return d.tasks }

// Lookup returns the task with the given id, or nil.
func (d *DAG) Lookup(id string) *Task { return d.byID[id] }

// Downstream returns the ids of tasks that list id as upstream, sorted.
func (d *DAG) Downstream(id string) []string { return d.downstreamAll()[id] }

// downstreamAll maps every task id to its sorted downstream ids in one pass
// (a DAG may have thousands of tasks).
func (d *DAG) downstreamAll() map[string][]string {
	out := map[string][]string{}
	for _, t := range d.tasks {
		for _, u := range t.Opts.Upstream {
			out[u] = append(out[u], t.ID)
		}
	}
	for _, ids := range out {
		sort.Strings(ids)
	}
	return out
}

// Validate reports every problem with the definition, wrapped in ErrInvalid:
// bad ids, duplicate task ids, unknown upstream ids, cycles, negative
// retries or delays, bad pools, trigger rules or schedule.
func (d *DAG) Validate() error {
	errs := append([]error(nil), d.errs...)
	if len(d.tasks) == 0 {
		errs = append(errs, errors.New("has no tasks"))
	}
	if _, err := parseSchedule(d.Opts.Schedule); err != nil {
		errs = append(errs, err)
	}
	for _, t := range d.tasks {
		o := t.Opts
		for _, u := range o.Upstream {
			if d.byID[u] == nil {
				errs = append(errs, fmt.Errorf("task %q: unknown upstream %q", t.ID, u))
			}
		}
		if o.Retries < 0 || o.RetryDelay < 0 || o.MaxRetryDelay < 0 || o.Timeout < 0 {
			errs = append(errs, fmt.Errorf("task %q: retries, delays and timeout must not be negative", t.ID))
		}
		if !idPattern.MatchString(o.Pool) {
			errs = append(errs, fmt.Errorf("task %q: bad pool name %q", t.ID, o.Pool))
		}
		if !o.TriggerRule.Valid() {
			errs = append(errs, fmt.Errorf("task %q: unknown trigger rule %q", t.ID, o.TriggerRule))
		}
	}
	if cycle := d.findCycle(); cycle != nil {
		errs = append(errs, fmt.Errorf("cycle: %s", strings.Join(cycle, " -> ")))
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: DAG %q: %w", ErrInvalid, d.ID, errors.Join(errs...))
}

// findCycle returns one cycle as a path of task ids (first == last), or nil.
func (d *DAG) findCycle() []string {
	const (
		unseen = iota
		onPath
		done
	)
	mark := map[string]int{}
	var path []string
	var visit func(id string) []string
	visit = func(id string) []string {
		switch mark[id] {
		case onPath:
			for i, p := range path {
				if p == id {
					return append(append([]string(nil), path[i:]...), id)
				}
			}
		case done:
			return nil
		}
		mark[id] = onPath
		path = append(path, id)
		if t := d.byID[id]; t != nil {
			for _, u := range t.Opts.Upstream {
				if c := visit(u); c != nil {
					return c
				}
			}
		}
		path = path[:len(path)-1]
		mark[id] = done
		return nil
	}
	for _, t := range d.tasks {
		if c := visit(t.ID); c != nil {
			return c
		}
	}
	return nil
}
