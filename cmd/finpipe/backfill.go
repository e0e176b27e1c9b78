package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/finpipe/finpipe/scheduler"
)

func init() {
	verb := func(v string) func(context.Context, *process, []string) error {
		return func(ctx context.Context, proc *process, args []string) error {
			return backfillSetState(ctx, proc, v, args)
		}
	}
	registerGroup("backfill", "create, list, pause, unpause or cancel backfills", map[string]command{
		"create": {name: "create", args: "DAG --from D --to D [--reprocess R] [--wait] [--dry-run] [...]", run: backfillCreate,
			summary: "runs for every schedule tick in [from, to]; --wait until done (exit 0 if all succeeded); --dry-run lists the dates and what would happen"},
		"list":    {name: "list", args: "[DAG] [--json]", summary: "backfills, newest first, with their runs by state", run: backfillList},
		"pause":   {name: "pause", args: "ID", summary: "stop creating and starting the backfill's runs", run: verb("pause")},
		"unpause": {name: "unpause", args: "ID", summary: "resume a paused backfill", run: verb("unpause")},
		"cancel":  {name: "cancel", args: "ID", summary: "stop the backfill: queued runs are not started", run: verb("cancel")},
	})
}

func backfillCreate(ctx context.Context, proc *process, args []string) error {
	fs := flag.NewFlagSet("backfill create", flag.ContinueOnError)
	usageFor(fs, "finpipe backfill create DAG --from D --to D [flags]")
	from := fs.String("from", "", "first logical `date` (RFC 3339 or YYYY-MM-DD)")
	to := fs.String("to", "", "last logical `date` (RFC 3339 or YYYY-MM-DD)")
	req := scheduler.BackfillRequest{}
	fs.StringVar(&req.Reprocess, "reprocess", scheduler.ReprocessNone, "dates that already have a run: none, failed or completed")
	fs.IntVar(&req.MaxActiveRuns, "max-active-runs", 10, "backfill runs running at once")
	fs.BoolVar(&req.RunBackwards, "backwards", false, "newest logical date first")
	fs.BoolVar(&req.DryRun, "dry-run", false, "list the dates and what would happen; create nothing")
	wait := fs.Bool("wait", false, "wait until the backfill completes, with a progress bar on a terminal; exit 0 only if every run succeeded")
	confJSON := fs.String("conf", "", "run conf as a JSON `object`")
	cfg, pos, err := proc.parseDBCommand(fs, args, 1)
	if err != nil {
		return err
	}
	req.DAGID = pos[0]
	if req.From, err = requiredDate("from", *from); err != nil {
		return err
	}
	if req.To, err = requiredDate("to", *to); err != nil {
		return err
	}
	if req.Conf, err = parseConf(*confJSON); err != nil {
		return err
	}
	store, err := openCheckedStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	res, err := store.CreateBackfill(ctx, req)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(proc.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LOGICAL DATE\tACTION\tEXISTING RUN")
	for _, d := range res.Dates {
		existing := "-"
		if d.ExistingRunID != "" {
			existing = fmt.Sprintf("%s (%s)", d.ExistingRunID, d.ExistingState)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", d.LogicalDate.Format(time.RFC3339), d.Action, existing)
	}
	tw.Flush()
	if res.Backfill == nil {
		fmt.Fprintf(proc.stdout, "dry run: %d dates, nothing created\n", len(res.Dates))
		return nil
	}
	fmt.Fprintf(proc.stdout, "created backfill %d for %s (%d dates)\n", res.Backfill.ID, req.DAGID, len(res.Dates))
	if !*wait {
		return nil
	}
	runs := 0
	for _, d := range res.Dates {
		if d.Action != scheduler.BackfillSkip {
			runs++
		}
	}
	return proc.waitForBackfill(ctx, store, res.Backfill.ID, runs, newBar(proc.progressOut(), "backfill", "run"))
}

func backfillList(ctx context.Context, proc *process, args []string) error {
	fs := flag.NewFlagSet("backfill list", flag.ContinueOnError)
	usageFor(fs, "finpipe backfill list [DAG] [--json] [flags]")
	asJSON := fs.Bool("json", false, "print the backfills as one JSON array, with run_counts per state")
	cfgArgs, store, err := proc.dbCommand(ctx, fs, args, -1)
	if err != nil {
		return err
	}
	defer store.Close()
	if len(cfgArgs) > 1 {
		return fmt.Errorf("one DAG at most, got %d arguments", len(cfgArgs))
	}
	dag := ""
	if len(cfgArgs) > 0 {
		dag = cfgArgs[0]
	}
	list, err := store.ListBackfills(ctx, dag)
	if err != nil {
		return err
	}
	full := make([]scheduler.Backfill, 0, len(list))
	for _, b := range list {
		f, err := store.GetBackfill(ctx, b.ID)
		if err != nil {
			return err
		}
		full = append(full, f)
	}
	return proc.printList(*asJSON, full, "ID\tDAG\tFROM\tTO\tREPROCESS\tSTATE\tRUNS", func(tw io.Writer) {
		for _, b := range full {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", b.ID, b.DAGID, b.From.Format(time.RFC3339),
				b.To.Format(time.RFC3339), b.Reprocess, b.State, formatRunCounts(b.RunCounts))
		}
	})
}

// formatRunCounts prints runs per state in the order a run goes through
// them ("2 running, 6 success, 1 failed"), then any other state by name.
func formatRunCounts(counts map[string]int) string {
	order := []string{string(scheduler.RunQueued), string(scheduler.RunRunning), string(scheduler.RunSuccess), string(scheduler.RunFailed)}
	var rest []string
	for st := range counts {
		if !slices.Contains(order, st) {
			rest = append(rest, st)
		}
	}
	sort.Strings(rest)
	var parts []string
	for _, st := range append(order, rest...) {
		if n := counts[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, st))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func backfillSetState(ctx context.Context, proc *process, verb string, args []string) error {
	fs := flag.NewFlagSet("backfill "+verb, flag.ContinueOnError)
	usageFor(fs, "finpipe backfill "+verb+" ID [flags]")
	pos, store, err := proc.dbCommand(ctx, fs, args, 1)
	if err != nil {
		return err
	}
	defer store.Close()
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil {
		return fmt.Errorf("backfill id must be a number, got %q", pos[0])
	}
	set := map[string]func(context.Context, int64) error{
		"pause": store.PauseBackfill, "unpause": store.UnpauseBackfill, "cancel": store.CancelBackfill,
	}[verb]
	if err := set(ctx, id); err != nil {
		return err
	}
	fmt.Fprintf(proc.stdout, "backfill %d: %s\n", id, map[string]string{"pause": "paused", "unpause": "resumed", "cancel": "cancelled"}[verb])
	return nil
}

// requiredDate parses the date of a required flag, saying so when it is
// missing rather than that "" is a bad date.
func requiredDate(name, value string) (time.Time, error) {
	if value == "" {
		return time.Time{}, fmt.Errorf("--%s is required: a logical date, RFC 3339 (2026-01-02T15:04:05Z) or YYYY-MM-DD", name)
	}
	d, err := parseDate(value)
	if err != nil {
		return d, fmt.Errorf("--%s: %w", name, err)
	}
	return d, nil
}
