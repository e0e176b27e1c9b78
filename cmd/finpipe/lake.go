package main

// lakeCommands holds the "finpipe lake" subcommands (history, cat,
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
	registerGroup("lake", "inspect and maintain Delta tables (history, cat, optimize, vacuum, check)", lakeCommands)
}
