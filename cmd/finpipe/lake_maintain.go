package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/finpipe/finpipe/delta"
)

func init() {
	registerLake(command{name: "optimize", args: "TABLE", summary: "compact small files per partition (one commit, dataChange=false)", run: runLakeOptimize})
	registerLake(command{name: "vacuum", args: "TABLE [--retain D] [--dry-run]", summary: "delete files unreferenced for longer than the retention (default 168h)", run: runLakeVacuum})
}

func runLakeOptimize(ctx context.Context, proc *process, args []string) error {
	fs := flag.NewFlagSet("lake optimize", flag.ContinueOnError)
	tbl, err := proc.openLakeTable(fs, args, "optimize TABLE")
	if err != nil {
		return err
	}
	res, err := tbl.Optimize(ctx, nil)
	if err != nil {
		return err
	}
	if res.Version < 0 {
		fmt.Fprintln(proc.stdout, "nothing to optimize: no partition has more than one small file")
		return nil
	}
	fmt.Fprintf(proc.stdout, "version %d: %d partitions, %d files compacted into %d, %d rows\n",
		res.Version, res.PartitionsOptimized, res.FilesRemoved, res.FilesAdded, res.Rows)
	return nil
}

func runLakeVacuum(ctx context.Context, proc *process, args []string) error {
	fs := flag.NewFlagSet("lake vacuum", flag.ContinueOnError)
	retain := fs.Duration("retain", delta.DefaultVacuumRetention, "keep unreferenced files younger than this")
	dryRun := fs.Bool("dry-run", false, "list the files that would be deleted, delete nothing")
	tbl, err := proc.openLakeTable(fs, args, "vacuum TABLE [--retain DURATION] [--dry-run]")
	if err != nil {
		return err
	}
	files, err := tbl.Vacuum(ctx, *retain, *dryRun)
	for _, f := range files {
		fmt.Fprintln(proc.stdout, f)
	}
	if err != nil {
		return err
	}
	verb := "deleted"
	if *dryRun {
		verb = "would delete"
	}
	fmt.Fprintf(proc.stdout, "%s %d files\n", verb, len(files))
	return nil
}
