package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
)

// registerGroup adds a command with subcommands ("finpipe dags list"):
// cmds may still be filled from other files' init functions (lake, bench),
// since the map is shared, not copied.
func registerGroup(name, summary string, cmds map[string]command) {
	register(command{name: name, summary: summary, sub: cmds, run: func(ctx context.Context, proc *process, args []string) error {
		return runGroup(ctx, proc, name, cmds, args)
	}})
}

// runGroup dispatches to a group's subcommand. Without one it prints the
// group's usage on stderr and exits 2; asked for help, on stdout, exit 0.
func runGroup(ctx context.Context, proc *process, name string, cmds map[string]command, args []string) error {
	synopsis := "usage: finpipe " + name + " <command> [flags]"
	if len(args) == 0 {
		printCommands(proc.stderr, synopsis, cmds)
		return exitError{code: 2}
	}
	if isHelp(args[0]) {
		printCommands(proc.stdout, synopsis, cmds)
		return nil
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(proc.stderr, "finpipe %s: unknown command %q\n", name, args[0])
		printCommands(proc.stderr, synopsis, cmds)
		return exitError{code: 2}
	}
	if err := c.run(ctx, proc, args[1:]); err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			return err
		}
		return fmt.Errorf("%s: %w", c.name, err)
	}
	return nil
}

func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help" || arg == "help"
}

// printCommands prints a synopsis and a sorted table of cmds with their
// arguments and summaries: the usage of finpipe and of its groups.
func printCommands(w io.Writer, synopsis string, cmds map[string]command) {
	fmt.Fprintln(w, synopsis+"\n\ncommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	heads := make([]string, len(names))
	width := 0
	for i, n := range names {
		heads[i] = n
		if a := cmds[n].args; a != "" {
			heads[i] += " " + a
		}
		if len(heads[i]) <= maxHead {
			width = max(width, len(heads[i]))
		}
	}
	for i, n := range names {
		if len(heads[i]) > maxHead { // the summary goes below a long synopsis
			fmt.Fprintf(w, "  %s\n  %*s  %s\n", heads[i], width, "", cmds[n].summary)
			continue
		}
		fmt.Fprintf(w, "  %-*s  %s\n", width, heads[i], cmds[n].summary)
	}
}

// maxHead is the widest command synopsis that keeps its summary beside it.
const maxHead = 36
