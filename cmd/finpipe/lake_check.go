package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"

	"github.com/finpipe/finpipe/internal/config"
	"github.com/finpipe/finpipe/tasks/check"
	"github.com/finpipe/finpipe/tasks/lake"
)

func init() {
	registerLake(command{name: "check", args: "[LAKE_DIR] [--json]", summary: "verify the lake invariants (offsets, Bronze = Silver + rejected, Gold = Silver); exit 1 naming each violation", run: runLakeCheck})
}

// runLakeCheck checks the lake of --data-dir/--env, or the lake directory
// given as an argument. Exit status: 0 sound, 1 violations, 2 unreadable.
func runLakeCheck(ctx context.Context, proc *process, args []string) error {
	fs := flag.NewFlagSet("lake check", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the report as one JSON object")
	cfg := config.Register(fs, config.DataDir, config.Env, config.LakeURL)
	usageFor(fs, "finpipe lake check [LAKE_DIR] [--json] [flags]\n\nLAKE_DIR defaults to the configured lake, <data dir>/<env>/lake.")
	pos, err := proc.parseArgs(fs, args, -1)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return fmt.Errorf("one LAKE_DIR at most, got %d arguments", len(pos))
	}
	if err := cfg.Load(); err != nil {
		return err
	}
	dir := cfg.LakeDir()
	if len(pos) == 1 {
		dir = pos[0]
	}
	l, err := lake.OpenExisting(dir)
	var r *check.Report
	if err == nil {
		r, err = check.Run(ctx, l)
	}
	if err != nil {
		fmt.Fprintln(proc.stderr, "finpipe lake check:", err)
		return exitError{code: 2}
	}
	if *asJSON {
		out := struct {
			Lake string `json:"lake"`
			OK   bool   `json:"ok"`
			*check.Report
		}{dir, r.OK(), r}
		enc := json.NewEncoder(proc.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else {
		proc.printCheck(dir, r)
	}
	if !r.OK() {
		return exitError{code: 1}
	}
	return nil
}

func (proc *process) printCheck(dir string, r *check.Report) {
	fmt.Fprintf(proc.stdout, "lake %s\n", dir)
	for _, s := range lake.Specs() {
		if n, ok := r.Rows[s.Name]; ok {
			fmt.Fprintf(proc.stdout, "  %-28s %d rows\n", s.Name, n)
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintf(proc.stdout, "note: %s\n", n)
	}
	for _, v := range r.Violations {
		fmt.Fprintf(proc.stdout, "VIOLATION: %s\n", v)
	}
	if r.OK() {
		fmt.Fprintln(proc.stdout, "ok: all invariants hold")
	} else {
		fmt.Fprintf(proc.stdout, "%d violation(s)\n", len(r.Violations))
	}
}
