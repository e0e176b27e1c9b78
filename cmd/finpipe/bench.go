package main

// benchmarks are the "finpipe bench <name>" subcommands; each registers
// itself from its own file.
var benchmarks = map[string]command{}

func registerBench(c command) { benchmarks[c.name] = c }

func init() {
	registerGroup("bench", "benchmarks against real services (bench scheduler --json)", benchmarks)
}
