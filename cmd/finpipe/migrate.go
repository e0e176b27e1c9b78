package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/finpipe/finpipe/internal/config"
)

func init() {
	register(command{name: "migrate", summary: "apply (up) or list (status) the PostgreSQL schema migrations", run: runMigrate})
}

func runMigrate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	usageFor(fs, "finpipe migrate up|status [flags]")
	cfg := config.Register(fs, config.DataDir, config.DatabaseURL)
	if len(args) == 0 || (args[0] != "up" && args[0] != "status") {
		fs.Usage()
		return exitError{code: 2}
	}
	if _, err := parseArgs(fs, args[1:], 0); err != nil {
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
	if args[0] == "up" {
		applied, err := store.Migrate(ctx)
		if err != nil {
			return err
		}
		for _, m := range applied {
			fmt.Printf("applied %04d_%s\n", m.Version, m.Name)
		}
		if len(applied) == 0 {
			fmt.Println("database is up to date")
		}
		return nil
	}
	states, err := store.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
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
