package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/finpipe/finpipe/internal/config"
	"github.com/finpipe/finpipe/scheduler"
)

func init() {
	register(command{name: "tasks", summary: "tasks test DAG TASK: run one task in the foreground, nothing recorded", run: runTasks})
}

const tasksUsage = `usage: finpipe tasks test DAG TASK [--date D] [--conf JSON]

Runs one task in this process with its log on the terminal, as
"airflow tasks test" does: no database, no state recorded, no dependencies
checked.`

func runTasks(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "test" {
		fmt.Fprintln(os.Stderr, tasksUsage)
		return exitError{code: 2}
	}
	fs := flag.NewFlagSet("tasks test", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprintln(fs.Output(), tasksUsage+"\n\nflags:"); fs.PrintDefaults() }
	date := fs.String("date", "", "logical `date` (RFC 3339 or YYYY-MM-DD; default now)")
	confJSON := fs.String("conf", "", "conf as a JSON `object` (overrides params)")
	cfg := config.Register(fs, config.DataDir, config.Env, config.LogLevel)
	pos, err := parseArgs(fs, args[1:], 2)
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
	reg, err := shippedRegistry()
	if err != nil {
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
