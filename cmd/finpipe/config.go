package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/finpipe/finpipe/internal/config"
)

func init() {
	register(command{name: "config", summary: "print the effective configuration (secrets redacted) and where each value came from", run: runConfig})
}

// runConfig accepts every setting's flag, so `finpipe config --workers 8`
// previews what another command would run with. It prints the table even
// when a value is invalid, then fails naming it: the table is what a person
// needs to find the mistake.
func runConfig(ctx context.Context, proc *process, args []string) error {
	fs := flag.NewFlagSet("config", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: finpipe config [flags]\n\nPrints every setting: its environment variable, flag, value and source (flag, env or default).\n\nflags:")
		fs.PrintDefaults()
	}
	cfg := config.Register(fs)
	if err := proc.parseFlags(fs, args, 0); err != nil {
		return err
	}
	loadErr := cfg.Load()
	fmt.Fprint(proc.stdout, cfg.Redacted())
	if loadErr == nil {
		fmt.Fprintf(proc.stdout, "\nlake: %s\n", cfg.LakeDir())
	}
	return loadErr
}
