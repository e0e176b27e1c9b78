package main

import (
	"context"
	"fmt"
	"os"
	"sort"
)

// benchmarks are the "finpipe bench <name>" subcommands; each registers
// itself from its own file.
var benchmarks = map[string]command{}

func registerBench(c command) { benchmarks[c.name] = c }

func init() {
	register(command{name: "bench", summary: "benchmarks against real services (bench scheduler --json)", run: runBench})
}

func runBench(ctx context.Context, args []string) error {
	if len(args) == 0 || benchmarks[args[0]].run == nil {
		names := make([]string, 0, len(benchmarks))
		for n := range benchmarks {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintln(os.Stderr, "usage: finpipe bench <benchmark> [flags]\n\nbenchmarks:")
		for _, n := range names {
			fmt.Fprintf(os.Stderr, "  %-10s %s\n", n, benchmarks[n].summary)
		}
		return exitError{code: 2}
	}
	return benchmarks[args[0]].run(ctx, args[1:])
}
