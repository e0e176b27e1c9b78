package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"

	"github.com/finpipe/finpipe/delta"
)

func init() {
	registerLake(command{name: "cat", args: "TABLE [--version N]", summary: "print a table's rows as JSON lines (optionally at a version)", run: runLakeCat})
}

func runLakeCat(ctx context.Context, proc *process, args []string) error {
	fs := flag.NewFlagSet("lake cat", flag.ContinueOnError)
	version := fs.Int64("version", -1, "read this version (time travel) instead of the latest")
	tbl, err := proc.openLakeTable(fs, args, "cat TABLE [--version N]")
	if err != nil {
		return err
	}
	snap, err := tbl.Snapshot(ctx)
	if *version >= 0 {
		snap, err = tbl.SnapshotAt(ctx, *version)
	}
	if err != nil {
		return err
	}
	// Nested columns (tables written by Spark may have them) cannot be
	// decoded: print the others and say which were left out.
	var schema delta.Schema
	var columns []string
	for _, f := range snap.Schema().Fields {
		if f.Readable() {
			schema.Fields = append(schema.Fields, f)
			columns = append(columns, f.Name)
		} else {
			fmt.Fprintf(proc.stderr, "finpipe lake cat: column %q left out: nested types are not supported\n", f.Name)
		}
	}
	out := bufio.NewWriterSize(proc.stdout, 1<<16)
	err = snap.ScanColumns(ctx, columns, nil, func(r delta.Row) error {
		b, err := schema.RowJSON(r)
		if err != nil {
			return err
		}
		out.Write(b)
		return out.WriteByte('\n')
	})
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	return err
}
