package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/finpipe/finpipe/internal/config"
	"github.com/finpipe/finpipe/scheduler"
)

func init() {
	registerGroup("dags", "list, trigger, pause, unpause or backfill DAGs; list their runs", map[string]command{
		"list":    {name: "list", summary: "DAGs synced into the database, with their last run", run: dagsList},
		"trigger": {name: "trigger", args: "DAG [--conf JSON] [--wait]", summary: "create a manual run; with --wait, exit 0 only if it succeeds", run: dagsTrigger},
		"runs":    {name: "runs", args: "DAG [--state S] [--limit N] [--json]", summary: "the DAG's runs, newest first", run: dagsRuns},
		"pause": {name: "pause", args: "DAG", summary: "stop scheduling a DAG", run: func(ctx context.Context, proc *process, args []string) error {
			return dagsPause(ctx, proc, "pause", args)
		}},
		"unpause": {name: "unpause", args: "DAG", summary: "resume scheduling a DAG", run: func(ctx context.Context, proc *process, args []string) error {
			return dagsPause(ctx, proc, "unpause", args)
		}},
		"backfill": {name: "backfill", args: "DAG --from D --to D [...]", summary: `same as "finpipe backfill create"`, run: backfillCreate},
	})
}

// dbCommand parses a subcommand's flags and opens the store.
func (proc *process) dbCommand(ctx context.Context, fs *flag.FlagSet, args []string, want int) ([]string, *scheduler.Store, error) {
	_, pos, store, err := proc.dbCommandWith(ctx, fs, args, want)
	return pos, store, err
}

// dbCommandWith is dbCommand for subcommands that also need other settings
// (extra), which it binds as flags and returns loaded.
func (proc *process) dbCommandWith(ctx context.Context, fs *flag.FlagSet, args []string, want int, extra ...config.Key) (*config.Settings, []string, *scheduler.Store, error) {
	cfg, pos, err := proc.parseDBCommand(fs, args, want, extra...)
	if err != nil {
		return nil, nil, nil, err
	}
	store, err := openCheckedStore(ctx, cfg)
	return cfg, pos, store, err
}

// parseDBCommand is dbCommandWith up to the store: flags parsed, settings
// loaded, for subcommands that check their arguments before connecting.
func (proc *process) parseDBCommand(fs *flag.FlagSet, args []string, want int, extra ...config.Key) (*config.Settings, []string, error) {
	cfg := config.Register(fs, append([]config.Key{config.DataDir, config.DatabaseURL}, extra...)...)
	pos, err := proc.parseArgs(fs, args, want)
	if err != nil {
		return nil, nil, err
	}
	if err := cfg.Load(); err != nil {
		return nil, nil, err
	}
	return cfg, pos, nil
}

// openCheckedStore opens the store and checks that its schema is migrated.
func openCheckedStore(ctx context.Context, cfg *config.Settings) (*scheduler.Store, error) {
	store, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := store.CheckSchema(ctx); err != nil {
		store.Close()
		return nil, err
	}
	return store, nil
}

func dagsList(ctx context.Context, proc *process, args []string) error {
	fs := flag.NewFlagSet("dags list", flag.ContinueOnError)
	usageFor(fs, "finpipe dags list [flags]")
	asJSON := fs.Bool("json", false, "print JSON")
	_, store, err := proc.dbCommand(ctx, fs, args, 0)
	if err != nil {
		return err
	}
	defer store.Close()
	list, err := store.ListDAGs(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(proc.stdout).Encode(list)
	}
	tw := tabwriter.NewWriter(proc.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DAG\tSCHEDULE\tPAUSED\tTASKS\tLAST RUN\tSTATE")
	for _, d := range list {
		last, state := "-", "-"
		if d.LastRun != nil {
			last, state = d.LastRun.LogicalDate.Format(time.RFC3339), string(d.LastRun.State)
		}
		info, err := store.GetDAG(ctx, d.DAGID)
		if err != nil {
			return err
		}
		sched := scheduleText(d.Schedule, d.Assets, "(manual)")
		fmt.Fprintf(tw, "%s\t%s\t%v\t%d\t%s\t%s\n", d.DAGID, sched, d.IsPaused, len(info.Tasks), last, state)
	}
	return tw.Flush()
}

func dagsTrigger(ctx context.Context, proc *process, args []string) error {
	fs := flag.NewFlagSet("dags trigger", flag.ContinueOnError)
	usageFor(fs, "finpipe dags trigger DAG [--conf JSON] [--wait] [flags]")
	confJSON := fs.String("conf", "", "run conf as a JSON `object`")
	wait := fs.Bool("wait", false, "wait for the run to finish; exit 0 only if it succeeded")
	runID := fs.String("run-id", "", "run `id` (default: <dag>__manual__<logical date>)")
	date := fs.String("logical-date", "", "logical `date` (RFC 3339 or YYYY-MM-DD; default now)")
	cfg, pos, err := proc.parseDBCommand(fs, args, 1)
	if err != nil {
		return err
	}
	if _, err := shippedDAG(cfg, pos[0]); err != nil {
		return err
	}
	opts := scheduler.TriggerOptions{RunID: *runID}
	if opts.Conf, err = parseConf(*confJSON); err != nil {
		return err
	}
	if *date != "" {
		if opts.LogicalDate, err = parseDate(*date); err != nil {
			return fmt.Errorf("--logical-date: %w", err)
		}
	}
	store, err := openCheckedStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	run, err := store.TriggerRun(ctx, pos[0], opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(proc.stdout, "created run %s (state %s)\n", run.RunID, run.State)
	if info, err := store.GetDAG(ctx, pos[0]); err == nil && info.IsPaused {
		fmt.Fprintf(proc.stderr, "note: %s is paused; the run waits until `finpipe dags unpause %s`\n", pos[0], pos[0])
	}
	if !*wait {
		return nil
	}
	return proc.waitForRun(ctx, store, run.RunID)
}

// waitForRun polls the run until it finishes; a failed run exits 1.
func (proc *process) waitForRun(ctx context.Context, store *scheduler.Store, runID string) error {
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		run, err := store.GetRun(ctx, runID)
		if err != nil {
			return err
		}
		if run.State.Finished() {
			fmt.Fprintf(proc.stdout, "run %s %s\n", run.RunID, run.State)
			if run.State != scheduler.RunSuccess {
				tis, _ := store.ListTaskInstances(ctx, runID)
				for _, ti := range tis {
					if ti.State == scheduler.TaskFailed {
						fmt.Fprintf(proc.stdout, "  task %s failed (try %d): %s\n", ti.TaskID, ti.TryNumber, firstLine(ti.Error))
					}
				}
				return exitError{code: 1}
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("stopped waiting; run %s is %s", runID, run.State)
		case <-t.C:
		}
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// parseDate accepts RFC 3339 or a plain date (midnight UTC).
func parseDate(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("bad date %q: use RFC 3339 (2026-01-02T15:04:05Z) or YYYY-MM-DD", s)
}

func dagsPause(ctx context.Context, proc *process, verb string, args []string) error {
	fs := flag.NewFlagSet("dags "+verb, flag.ContinueOnError)
	usageFor(fs, "finpipe dags "+verb+" DAG [flags]")
	pos, store, err := proc.dbCommand(ctx, fs, args, 1)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.PauseDAG(ctx, pos[0], verb == "pause"); err != nil {
		return err
	}
	fmt.Fprintf(proc.stdout, "%s %sd\n", pos[0], verb)
	return nil
}

func dagsRuns(ctx context.Context, proc *process, args []string) error {
	fs := flag.NewFlagSet("dags runs", flag.ContinueOnError)
	usageFor(fs, "finpipe dags runs DAG [--state S] [--limit N] [--json] [flags]")
	state := fs.String("state", "", "only runs in this `state` (queued, running, success, failed)")
	limit := fs.Int("limit", 20, "at most this many runs")
	asJSON := fs.Bool("json", false, "print the runs as one JSON array")
	pos, store, err := proc.dbCommand(ctx, fs, args, 1)
	if err != nil {
		return err
	}
	defer store.Close()
	if _, err := store.GetDAG(ctx, pos[0]); err != nil {
		return err
	}
	page, err := store.ListRuns(ctx, scheduler.RunFilter{DAGID: pos[0], State: scheduler.RunState(*state), Limit: *limit})
	if err != nil {
		return err
	}
	runs := page.Runs
	if runs == nil {
		runs = []scheduler.DagRun{} // [], not null
	}
	return proc.printList(*asJSON, runs, "RUN ID\tTYPE\tLOGICAL DATE\tSTATE\tDURATION", func(tw io.Writer) {
		for _, r := range runs {
			dur := "-"
			if r.StartDate != nil && r.EndDate != nil {
				dur = r.EndDate.Sub(*r.StartDate).Round(time.Millisecond).String()
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.RunID, r.RunType, r.LogicalDate.Format(time.RFC3339), r.State, dur)
		}
	})
}

// scheduleText says what a DAG runs on, as the UI's DAG page does: its cron,
// the assets it is scheduled on ("assets: transactions"), both ("@daily or
// assets: …"), or none when it only runs when triggered.
func scheduleText(schedule string, assets []string, none string) string {
	var on []string
	if schedule != "" {
		on = append(on, schedule)
	}
	if len(assets) > 0 {
		on = append(on, "assets: "+strings.Join(assets, ", "))
	}
	if len(on) == 0 {
		return none
	}
	return strings.Join(on, " or ")
}
