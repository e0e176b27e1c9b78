package main

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/finpipe/finpipe/internal/config"
)

func init() {
	registerGroup("migrate", "apply (up) or list (status) the PostgreSQL schema migrations", map[string]command{
		"up": {name: "up", summary: "apply the pending migrations, in a transaction under an advisory lock", run: func(ctx context.Context, proc *process, args []string) error {
			return runMigrate(ctx, proc, "up", args)
		}},
		"status": {name: "status", summary: "list the migrations and when each was applied; exit 1 if any is pending", run: func(ctx context.Context, proc *process, args []string) error {
			return runMigrate(ctx, proc, "status", args)
		}},
	})
}

func runMigrate(ctx context.Context, proc *process, verb string, args []string) error {
	fs := flag.NewFlagSet("migrate "+verb, flag.ContinueOnError)
	usageFor(fs, "finpipe migrate "+verb+" [flags]")
	cfg := config.Register(fs, config.DataDir, config.DatabaseURL)
	if err := proc.parseFlags(fs, args, 0); err != nil {
		return err
	}
	if err := cfg.Load(); err != nil {
		return err
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	if verb == "up" {
		applied, err := store.Migrate(ctx)
		if err != nil {
			return err
		}
		for _, m := range applied {
			fmt.Fprintf(proc.stdout, "applied %04d_%s\n", m.Version, m.Name)
		}
		if len(applied) == 0 {
			fmt.Fprintln(proc.stdout, "database is up to date")
		}
		return nil
	}
	states, err := store.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(proc.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tNAME\tAPPLIED")
	pending := 0
	for _, s := range states {
		at := "pending"
		if s.AppliedAt != nil {
			at = s.AppliedAt.UTC().Format(time.RFC3339)
		} else {
			pending++
		}
		fmt.Fprintf(tw, "%04d\t%s\t%s\n", s.Version, s.Name, at)
	}
	tw.Flush()
	if pending > 0 {
		return fmt.Errorf("%d migration(s) pending: run 'finpipe migrate up'", pending)
	}
	return nil
}
