// Command finpipe is the single FinPipe binary: orchestrator, pipeline tasks,
// web UI and tools. This file only dispatches to subcommands; each subcommand
// lives in its own file and registers itself in an init function, so adding a
// command never touches this file.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/finpipe/finpipe/internal/metrics"
)

// command is one top-level subcommand such as "standalone" or "lake".
type command struct {
	name    string
	summary string
	// args is the synopsis of the arguments, shown in a group's usage
	// ("DAG [--conf JSON] [--wait]").
	args string
	// sub holds a group's subcommands (see registerGroup), nil for others.
	sub map[string]command
	// run receives the arguments after the subcommand name. An error it
	// returns is printed as one line (exit status 1); an exitError sets the
	// status without printing anything.
	run func(ctx context.Context, proc *process, args []string) error
}

var commands = map[string]command{}

// register adds a subcommand; called from init functions of the command files.
func register(c command) {
	if _, dup := commands[c.name]; dup {
		panic("finpipe: duplicate command " + c.name)
	}
	commands[c.name] = c
}

// exitError carries a specific exit status (e.g. "dags trigger --wait" of a
// failed run) without being printed as an error.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func main() {
	os.Exit(newProcess(os.Stdout, os.Stderr).run(os.Args[1:]))
}

// process is what one invocation of finpipe owns: the streams it prints to
// and the metrics its parts record in. main wires the real streams; a test
// makes its own, so that commands run in parallel never mix their output
// or their counters.
type process struct {
	stdout, stderr io.Writer
	metrics        *metrics.Metrics
}

func newProcess(stdout, stderr io.Writer) *process {
	return &process{stdout: stdout, stderr: stderr, metrics: metrics.New()}
}

// run runs the command args names and returns the exit status.
func (proc *process) run(args []string) int {
	if len(args) == 0 {
		usage(proc.stderr)
		return 2
	}
	if isHelp(args[0]) {
		usage(proc.stdout)
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(proc.stderr, "finpipe: unknown command %q (see 'finpipe help')\n", args[0])
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := c.run(ctx, proc, args[1:]); err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			return ee.code
		}
		fmt.Fprintf(proc.stderr, "finpipe %s: %v\n", c.name, err)
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	printCommands(w, "usage: finpipe <command> [flags]", commands)
}
