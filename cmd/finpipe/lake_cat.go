package main

import (
	"bufio"
	"context"
	"flag"
	"os"

	"github.com/finpipe/finpipe/delta"
)

func init() {
	registerLake(command{name: "cat", summary: "print a table's rows as JSON lines (optionally at a version)", run: runLakeCat})
}

func runLakeCat(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("lake cat", flag.ContinueOnError)
	version := fs.Int64("version", -1, "read this version (time travel) instead of the latest")
	pos, err := parseLakeArgs(fs, args, 1, "cat PATH [--version N]")
	if err != nil {
		return err
	}
	tbl, err := delta.Open(pos[0])
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
	out := bufio.NewWriterSize(os.Stdout, 1<<16)
	schema := snap.Schema()
	err = snap.Scan(ctx, nil, func(r delta.Row) error {
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
