package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/finpipe/finpipe/scheduler"
)

func init() {
	register(command{name: "backfill", summary: "create, list, pause, unpause or cancel backfills", run: runBackfill})
}

const backfillUsage = `usage: finpipe backfill <command> [flags]

commands:
  create DAG --from D --to D [--reprocess none|failed|completed] [--max-active-runs N]
         [--backwards] [--dry-run] [--conf JSON]
                                 runs for every schedule tick in [from, to]; --dry-run
                                 lists the dates and what would happen
  list [DAG]                     backfills, newest first, with their runs by state
  pause ID | unpause ID | cancel ID`

func runBackfill(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, backfillUsage)
		return exitError{code: 2}
	}
	switch args[0] {
	case "create":
		return backfillCreate(ctx, args[1:])
	case "list":
		return backfillList(ctx, args[1:])
	case "pause", "unpause", "cancel":
		return backfillSetState(ctx, args[0], args[1:])
	case "-h", "--help", "help":
		fmt.Fprintln(os.Stderr, backfillUsage)
		return nil
	}
	fmt.Fprintf(os.Stderr, "unknown backfill command %q\n%s\n", args[0], backfillUsage)
	return exitError{code: 2}
}

func backfillCreate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("backfill create", flag.ContinueOnError)
	usageFor(fs, "finpipe backfill create DAG --from D --to D [flags]")
	from := fs.String("from", "", "first logical `date` (RFC 3339 or YYYY-MM-DD)")
	to := fs.String("to", "", "last logical `date` (RFC 3339 or YYYY-MM-DD)")
	req := scheduler.BackfillRequest{}
	fs.StringVar(&req.Reprocess, "reprocess", scheduler.ReprocessNone, "dates that already have a run: none, failed or completed")
	fs.IntVar(&req.MaxActiveRuns, "max-active-runs", 10, "backfill runs running at once")
	fs.BoolVar(&req.RunBackwards, "backwards", false, "newest logical date first")
	fs.BoolVar(&req.DryRun, "dry-run", false, "list the dates and what would happen; create nothing")
	confJSON := fs.String("conf", "", "run conf as a JSON `object`")
	pos, store, err := dbCommand(ctx, fs, args, 1)
	if err != nil {
		return err
	}
	defer store.Close()
	req.DAGID = pos[0]
	if req.From, err = parseDate(*from); err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	if req.To, err = parseDate(*to); err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	if req.Conf, err = parseConf(*confJSON); err != nil {
		return err
	}
	res, err := store.CreateBackfill(ctx, req)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LOGICAL DATE\tACTION\tEXISTING RUN")
	for _, d := range res.Dates {
		existing := "-"
		if d.ExistingRunID != "" {
			existing = fmt.Sprintf("%s (%s)", d.ExistingRunID, d.ExistingState)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", d.LogicalDate.Format(time.RFC3339), d.Action, existing)
	}
	tw.Flush()
	if res.Backfill != nil {
		fmt.Printf("created backfill %d for %s (%d dates)\n", res.Backfill.ID, req.DAGID, len(res.Dates))
	} else {
		fmt.Printf("dry run: %d dates, nothing created\n", len(res.Dates))
	}
	return nil
}

func backfillList(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("backfill list", flag.ContinueOnError)
	usageFor(fs, "finpipe backfill list [DAG] [flags]")
	cfgArgs, store, err := dbCommand(ctx, fs, args, -1)
	if err != nil {
		return err
	}
	defer store.Close()
	dag := ""
	if len(cfgArgs) > 0 {
		dag = cfgArgs[0]
	}
	list, err := store.ListBackfills(ctx, dag)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDAG\tFROM\tTO\tREPROCESS\tSTATE\tRUNS")
	for _, b := range list {
		full, err := store.GetBackfill(ctx, b.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%v\n", b.ID, b.DAGID, b.From.Format(time.RFC3339),
			b.To.Format(time.RFC3339), b.Reprocess, b.State, full.RunCounts)
	}
	return tw.Flush()
}

func backfillSetState(ctx context.Context, verb string, args []string) error {
	fs := flag.NewFlagSet("backfill "+verb, flag.ContinueOnError)
	usageFor(fs, "finpipe backfill "+verb+" ID [flags]")
	pos, store, err := dbCommand(ctx, fs, args, 1)
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
	fmt.Printf("backfill %d: %s\n", id, map[string]string{"pause": "paused", "unpause": "resumed", "cancel": "cancelled"}[verb])
	return nil
}
