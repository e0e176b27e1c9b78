package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/finpipe/finpipe/internal/config"
	"github.com/finpipe/finpipe/scheduler"
)

func init() {
	registerGroup("tasks", "test a task in the foreground; list a DAG's tasks; show, log, clear or mark task instances", map[string]command{
		"test": {name: "test", args: "DAG TASK [--date D] [--conf JSON]", run: tasksTest,
			summary: `run one task in this process with its log on the terminal, as "airflow tasks test": no database, nothing recorded, no dependencies checked`},
		"list":   {name: "list", args: "DAG", summary: `the DAG's tasks with their upstream tasks, as "airflow tasks list"`, run: tasksList},
		"states": {name: "states", args: "RUN_ID [--json]", summary: "the run's task instances: state, try, start, duration, error", run: tasksStates},
		"log":    {name: "log", args: "RUN_ID TASK [--try N]", summary: "an attempt's stored log (default: the latest try)", run: tasksLog},
		"clear":  {name: "clear", args: "RUN_ID TASK [--downstream]", summary: "run the task again with a fresh retry budget", run: tasksClear},
		"mark":   {name: "mark", args: "RUN_ID TASK success|failed|skipped", summary: "set a task instance's state by hand", run: tasksMark},
	})
}

func tasksTest(ctx context.Context, proc *process, args []string) error {
	fs := flag.NewFlagSet("tasks test", flag.ContinueOnError)
	usageFor(fs, "finpipe tasks test DAG TASK [--date D] [--conf JSON]")
	date := fs.String("date", "", "logical `date` (RFC 3339 or YYYY-MM-DD; default now)")
	confJSON := fs.String("conf", "", "conf as a JSON `object` (overrides params)")
	cfg := config.Register(fs, config.DataDir, config.Env, config.LakeURL, config.KafkaBrokers, config.LogLevel)
	pos, err := proc.parseArgs(fs, args, 2)
	if err != nil {
		return err
	}
	if err := cfg.Load(); err != nil {
		return err
	}
	conf, err := parseConf(*confJSON)
	if err != nil {
		return err
	}
	reg, err := shippedRegistry(cfg, configuredBrokers(cfg), proc.metrics)
	if err != nil {
		return err
	}
	if err := lookupTask(reg, pos[0], pos[1]); err != nil {
		return err
	}
	var logical time.Time
	if *date != "" {
		if logical, err = parseDate(*date); err != nil {
			return err
		}
	}
	log := slog.New(slog.NewTextHandler(proc.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if err := scheduler.RunTaskTest(ctx, reg, pos[0], pos[1], logical, conf, log); err != nil {
		return fmt.Errorf("task %s.%s failed: %w", pos[0], pos[1], err)
	}
	fmt.Fprintf(proc.stderr, "task %s.%s succeeded\n", pos[0], pos[1])
	return nil
}

// tasksList lists a DAG's tasks from this binary's definitions, as
// `airflow tasks list DAG_ID` does: no database needed.
func tasksList(ctx context.Context, proc *process, args []string) error {
	fs := flag.NewFlagSet("tasks list", flag.ContinueOnError)
	usageFor(fs, "finpipe tasks list DAG [--json] [flags]\n\nThe DAG's tasks in definition order with their upstream tasks; a run's task instances are `finpipe tasks states RUN_ID`.")
	asJSON := fs.Bool("json", false, "print one JSON array of tasks")
	cfg := config.Register(fs, config.DataDir, config.IngestGroups)
	pos, err := proc.parseArgs(fs, args, 1)
	if err != nil {
		return err
	}
	if err := cfg.Load(); err != nil {
		return err
	}
	d, err := shippedDAG(cfg, pos[0])
	if err != nil {
		return err
	}
	type taskRow struct {
		TaskID      string   `json:"task_id"`
		Upstream    []string `json:"upstream"`
		TriggerRule string   `json:"trigger_rule"`
		Retries     int      `json:"retries"`
		Timeout     string   `json:"timeout,omitempty"`
		Pool        string   `json:"pool"`
	}
	rows := []taskRow{}
	for _, t := range d.Tasks() {
		r := taskRow{TaskID: t.ID, Upstream: t.Opts.Upstream, TriggerRule: string(t.Opts.TriggerRule), Retries: t.Opts.Retries, Pool: t.Opts.Pool}
		if r.Upstream == nil {
			r.Upstream = []string{}
		}
		if t.Opts.Timeout > 0 {
			r.Timeout = t.Opts.Timeout.String()
		}
		rows = append(rows, r)
	}
	return proc.printList(*asJSON, rows, "TASK\tUPSTREAM\tTRIGGER RULE\tRETRIES\tTIMEOUT\tPOOL", func(tw io.Writer) {
		for _, r := range rows {
			up, timeout := strings.Join(r.Upstream, ","), r.Timeout
			if up == "" {
				up = "-"
			}
			if timeout == "" {
				timeout = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", r.TaskID, up, r.TriggerRule, r.Retries, timeout, r.Pool)
		}
	})
}

// tasksStates lists a run's task instances (what `tasks list RUN_ID` did).
func tasksStates(ctx context.Context, proc *process, args []string) error {
	fs := flag.NewFlagSet("tasks states", flag.ContinueOnError)
	usageFor(fs, "finpipe tasks states RUN_ID [--json] [flags]")
	asJSON := fs.Bool("json", false, "print the task instances as one JSON array")
	pos, store, err := proc.dbCommand(ctx, fs, args, 1)
	if err != nil {
		return err
	}
	defer store.Close()
	if _, err := store.GetRun(ctx, pos[0]); err != nil {
		return err
	}
	tis, err := store.ListTaskInstances(ctx, pos[0])
	if err != nil {
		return err
	}
	return proc.printList(*asJSON, tis, "TASK\tSTATE\tTRY\tSTART\tDURATION\tERROR", func(tw io.Writer) {
		for _, ti := range tis {
			start, dur := "-", "-"
			if ti.StartDate != nil {
				start = ti.StartDate.UTC().Format(time.RFC3339)
			}
			if ti.Duration != nil {
				dur = fmt.Sprintf("%.3fs", *ti.Duration)
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", ti.TaskID, ti.State, ti.TryNumber, start, dur, firstLine(ti.Error))
		}
	})
}

func tasksLog(ctx context.Context, proc *process, args []string) error {
	fs := flag.NewFlagSet("tasks log", flag.ContinueOnError)
	usageFor(fs, "finpipe tasks log RUN_ID TASK [--try N] [flags]")
	try := fs.Int("try", 0, "attempt `number` (default: the latest)")
	pos, store, err := proc.dbCommand(ctx, fs, args, 2)
	if err != nil {
		return err
	}
	defer store.Close()
	if *try == 0 {
		ti, err := store.GetTaskInstance(ctx, pos[0], pos[1])
		if err != nil {
			return err
		}
		if *try = ti.TryNumber; *try == 0 {
			return fmt.Errorf("task %s of run %s has not run yet", pos[1], pos[0])
		}
	}
	for after := 0; ; {
		lines, err := store.AttemptLog(ctx, pos[0], pos[1], *try, after, 1000)
		if err != nil {
			return err
		}
		if len(lines) == 0 {
			return nil
		}
		for _, l := range lines {
			fmt.Fprintf(proc.stdout, "%s %-5s %s\n", l.Time.Format("2006-01-02T15:04:05.000Z"), l.Level, l.Message)
		}
		after = lines[len(lines)-1].Line
	}
}

func tasksClear(ctx context.Context, proc *process, args []string) error {
	fs := flag.NewFlagSet("tasks clear", flag.ContinueOnError)
	usageFor(fs, "finpipe tasks clear RUN_ID TASK [--downstream] [flags]")
	downstream := fs.Bool("downstream", false, "also clear every task downstream of it")
	pos, store, err := proc.dbCommand(ctx, fs, args, 2)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.ClearTask(ctx, pos[0], pos[1], *downstream); err != nil {
		return err
	}
	fmt.Fprintf(proc.stdout, "cleared %s in %s\n", pos[1], pos[0])
	return nil
}

func tasksMark(ctx context.Context, proc *process, args []string) error {
	fs := flag.NewFlagSet("tasks mark", flag.ContinueOnError)
	usageFor(fs, "finpipe tasks mark RUN_ID TASK success|failed|skipped [flags]")
	pos, store, err := proc.dbCommand(ctx, fs, args, 3)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.MarkTask(ctx, pos[0], pos[1], scheduler.TaskState(pos[2])); err != nil {
		return err
	}
	fmt.Fprintf(proc.stdout, "marked %s in %s %s\n", pos[1], pos[0], pos[2])
	return nil
}
