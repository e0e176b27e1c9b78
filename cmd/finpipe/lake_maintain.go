package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/finpipe/finpipe/delta"
)

func init() {
	registerLake(command{name: "optimize", summary: "compact small files per partition (one commit, dataChange=false)", run: runLakeOptimize})
	registerLake(command{name: "vacuum", summary: "delete files unreferenced for longer than the retention (default 168h)", run: runLakeVacuum})
}

func runLakeOptimize(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("lake optimize", flag.ContinueOnError)
	usageFor(fs, "finpipe lake optimize PATH")
	pos, err := parseArgs(fs, args, 1)
	if err != nil {
		return err
	}
	tbl, err := delta.Open(pos[0])
	if err != nil {
		return err
	}
	res, err := tbl.Optimize(ctx, nil)
	if err != nil {
		return err
	}
	if res.Version < 0 {
		fmt.Println("nothing to optimize: no partition has more than one small file")
		return nil
	}
	fmt.Printf("version %d: %d partitions, %d files compacted into %d, %d rows\n",
		res.Version, res.PartitionsOptimized, res.FilesRemoved, res.FilesAdded, res.Rows)
	return nil
}

func runLakeVacuum(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("lake vacuum", flag.ContinueOnError)
	retain := fs.Duration("retain", delta.DefaultVacuumRetention, "keep unreferenced files younger than this")
	dryRun := fs.Bool("dry-run", false, "list the files that would be deleted, delete nothing")
	usageFor(fs, "finpipe lake vacuum PATH [--retain DURATION] [--dry-run]")
	pos, err := parseArgs(fs, args, 1)
	if err != nil {
		return err
	}
	tbl, err := delta.Open(pos[0])
	if err != nil {
		return err
	}
	files, err := tbl.Vacuum(ctx, *retain, *dryRun)
	for _, f := range files {
		fmt.Println(f)
	}
	if err != nil {
		return err
	}
	verb := "deleted"
	if *dryRun {
		verb = "would delete"
	}
	fmt.Printf("%s %d files\n", verb, len(files))
	return nil
}
