// Package config holds every FinPipe setting in one place, so that a setting
// has exactly one name as a flag and as an environment variable, one default,
// one validation rule and one way to be printed without leaking secrets.
//
// A subcommand binds the flags it wants and resolves the rest from the
// environment:
//
//	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
//	cfg := config.Register(fs, config.DatabaseURL, config.Workers)
//	if err := fs.Parse(args); err != nil {
//		return err
//	}
//	if err := cfg.Load(); err != nil {
//		return err // e.g. invalid FINPIPE_WORKERS "abc": must be a positive integer
//	}
//
// Precedence is flag > environment > default. Settings that a subcommand did
// not bind as flags still come from the environment or their default, so a
// worker's tasks see the same topic and lake as the scheduler that queued them.
package config
