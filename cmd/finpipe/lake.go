package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
)

// lakeCommands holds the "finpipe lake" sub-subcommands (history, cat,
// optimize, vacuum, …); each lives in its own lake_*.go file and registers
// itself with registerLake from an init function.
var lakeCommands = map[string]command{}

func registerLake(c command) {
	if _, dup := lakeCommands[c.name]; dup {
		panic("finpipe: duplicate lake command " + c.name)
	}
	lakeCommands[c.name] = c
}

func init() {
	register(command{name: "lake", summary: "inspect and maintain Delta tables (history, cat, optimize, vacuum, …)", run: runLake})
}

func runLake(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		lakeUsage()
		if len(args) == 0 {
			return exitError{code: 2}
		}
		return nil
	}
	c, ok := lakeCommands[args[0]]
	if !ok {
		lakeUsage()
		return fmt.Errorf("unknown lake command %q", args[0])
	}
	if err := c.run(ctx, args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("%s: %w", c.name, err)
	}
	return nil
}

func lakeUsage() {
	printCommands("usage: finpipe lake <command> PATH [flags]   (PATH: a table directory, or its URL: s3://bucket/prefix/table?…)", lakeCommands)
}

// parseLakeArgs parses flags that may come before or after the positional
// arguments ("cat PATH --version 3" as well as "cat --version 3 PATH") and
// returns the positional ones, requiring exactly want of them.
func parseLakeArgs(fs *flag.FlagSet, args []string, want int, usage string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) != want {
		fs.Usage()
		return nil, fmt.Errorf("usage: finpipe lake %s", usage)
	}
	return pos, nil
}
