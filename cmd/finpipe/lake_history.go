package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"text/tabwriter"
	"time"
)

func init() {
	registerLake(command{name: "history", summary: "list a table's commits, newest first", args: "TABLE [--json] [--limit N]", run: runLakeHistory})
}

func runLakeHistory(ctx context.Context, proc *process, args []string) error {
	fs := flag.NewFlagSet("lake history", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print one JSON object per commit")
	limit := fs.Int("limit", 0, "show at most this many commits (0 = all)")
	tbl, err := proc.openLakeTable(fs, args, "history TABLE [--json] [--limit N]")
	if err != nil {
		return err
	}
	hist, err := tbl.History(ctx)
	if err != nil {
		return err
	}
	if *limit > 0 && len(hist) > *limit {
		hist = hist[:*limit]
	}
	out := bufio.NewWriter(proc.stdout)
	defer out.Flush()
	if *asJSON {
		enc := json.NewEncoder(out)
		for _, h := range hist {
			if err := enc.Encode(map[string]any{
				"version": h.Version, "timestamp": h.Timestamp.Format(time.RFC3339Nano), "operation": h.Operation,
				"operationParameters": h.OperationParameters, "filesAdded": h.FilesAdded,
				"filesRemoved": h.FilesRemoved, "rowsAdded": h.RowsAdded,
			}); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tTIMESTAMP\tOPERATION\tFILES ADDED\tFILES REMOVED\tROWS ADDED\tPARAMETERS")
	for _, h := range hist {
		rows := fmt.Sprint(h.RowsAdded)
		if h.RowsAdded < 0 {
			rows = "?"
		}
		params, _ := json.Marshal(h.OperationParameters)
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%d\t%s\t%s\n", h.Version, h.Timestamp.Format(time.RFC3339), h.Operation,
			h.FilesAdded, h.FilesRemoved, rows, params)
	}
	return tw.Flush()
}
