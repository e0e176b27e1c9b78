package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"text/tabwriter"
	"time"

	"github.com/finpipe/finpipe/internal/config"
	"github.com/finpipe/finpipe/scheduler"
)

func init() {
	register(command{name: "tasks", summary: "test a task in the foreground; list, log, clear or mark task instances", run: runTasks})
}

const tasksUsage = `usage: finpipe tasks <command> [flags]

commands:
  test DAG TASK [--date D] [--conf JSON]   run one task in this process with its log on the
                                           terminal, as "airflow tasks test" does: no database,
                                           no state recorded, no dependencies checked
  list RUN_ID                              the run's task instances
  log RUN_ID TASK [--try N]                an attempt's stored log (default: the latest try)
  clear RUN_ID TASK [--downstream]         run the task again with a fresh retry budget
  mark RUN_ID TASK success|failed|skipped  set a task instance's state by hand`

func runTasks(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, tasksUsage)
		return exitError{code: 2}
	}
	switch args[0] {
	case "test":
		return tasksTest(ctx, args[1:])
	case "list":
		return tasksList(ctx, args[1:])
	case "log":
		return tasksLog(ctx, args[1:])
	case "clear":
		return tasksClear(ctx, args[1:])
	case "mark":
		return tasksMark(ctx, args[1:])
	case "-h", "--help", "help":
		fmt.Fprintln(os.Stderr, tasksUsage)
		return nil
	}
	fmt.Fprintf(os.Stderr, "unknown tasks command %q\n%s\n", args[0], tasksUsage)
	return exitError{code: 2}
}

func tasksTest(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("tasks test", flag.ContinueOnError)
	usageFor(fs, "finpipe tasks test DAG TASK [--date D] [--conf JSON]")
	date := fs.String("date", "", "logical `date` (RFC 3339 or YYYY-MM-DD; default now)")
	confJSON := fs.String("conf", "", "conf as a JSON `object` (overrides params)")
	cfg := config.Register(fs, config.DataDir, config.Env, config.LakeURL, config.KafkaBrokers, config.LogLevel)
	pos, err := parseArgs(fs, args, 2)
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
	reg, err := shippedRegistry(cfg, configuredBrokers(cfg))
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
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if err := scheduler.RunTaskTest(ctx, reg, pos[0], pos[1], logical, conf, log); err != nil {
		return fmt.Errorf("task %s.%s failed: %w", pos[0], pos[1], err)
	}
	fmt.Fprintf(os.Stderr, "task %s.%s succeeded\n", pos[0], pos[1])
	return nil
}

func tasksList(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("tasks list", flag.ContinueOnError)
	usageFor(fs, "finpipe tasks list RUN_ID [flags]")
	pos, store, err := dbCommand(ctx, fs, args, 1)
	if err != nil {
		return err
	}
	defer store.Close()
	tis, err := store.ListTaskInstances(ctx, pos[0])
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TASK\tSTATE\tTRY\tSTART\tDURATION\tERROR")
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
	return tw.Flush()
}

func tasksLog(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("tasks log", flag.ContinueOnError)
	usageFor(fs, "finpipe tasks log RUN_ID TASK [--try N] [flags]")
	try := fs.Int("try", 0, "attempt `number` (default: the latest)")
	pos, store, err := dbCommand(ctx, fs, args, 2)
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
			fmt.Printf("%s %-5s %s\n", l.Time.Format("2006-01-02T15:04:05.000Z"), l.Level, l.Message)
		}
		after = lines[len(lines)-1].Line
	}
}

func tasksClear(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("tasks clear", flag.ContinueOnError)
	usageFor(fs, "finpipe tasks clear RUN_ID TASK [--downstream] [flags]")
	downstream := fs.Bool("downstream", false, "also clear every task downstream of it")
	pos, store, err := dbCommand(ctx, fs, args, 2)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.ClearTask(ctx, pos[0], pos[1], *downstream); err != nil {
		return err
	}
	fmt.Printf("cleared %s in %s\n", pos[1], pos[0])
	return nil
}

func tasksMark(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("tasks mark", flag.ContinueOnError)
	usageFor(fs, "finpipe tasks mark RUN_ID TASK success|failed|skipped [flags]")
	pos, store, err := dbCommand(ctx, fs, args, 3)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.MarkTask(ctx, pos[0], pos[1], scheduler.TaskState(pos[2])); err != nil {
		return err
	}
	fmt.Printf("marked %s in %s %s\n", pos[1], pos[0], pos[2])
	return nil
}
