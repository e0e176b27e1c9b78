package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/internal/config"
	"github.com/finpipe/finpipe/tasks/lake"
)

// lakeTableUsage says what the TABLE argument of the lake commands is.
func lakeTableUsage(synopsis string) string {
	var b strings.Builder
	b.WriteString("finpipe lake " + synopsis + "\n\nTABLE is a table of the configured lake, <data dir>/<env>/lake (see --data-dir\nand --env), named as the Lake page shows it:\n")
	for _, s := range lake.Specs() {
		b.WriteString("  " + s.Name + "\n")
	}
	b.WriteString("or the directory of any Delta table.")
	return b.String()
}

// lakeTableArgs registers the settings that locate the configured lake, and
// parses args, which must name one table; it returns the table's location.
func (proc *process) lakeTableArgs(fs *flag.FlagSet, args []string, synopsis string) (string, error) {
	usageFor(fs, lakeTableUsage(synopsis))
	cfg := config.Register(fs, config.DataDir, config.Env)
	pos, err := proc.parseArgs(fs, args, 1)
	if err != nil {
		return "", err
	}
	if err := cfg.Load(); err != nil {
		return "", err
	}
	return resolveTable(cfg.LakeDir(), pos[0]), nil
}

// resolveTable maps a table name of the lake to its directory under
// lakeDir; anything else is a path, as given. A directory of that relative
// name in the working directory wins over the lake's table, since it is what
// the path names.
func resolveTable(lakeDir, arg string) string {
	for _, s := range lake.Specs() {
		if filepath.ToSlash(filepath.Clean(arg)) != s.Name {
			continue
		}
		if _, err := os.Stat(filepath.Join(arg, "_delta_log")); err == nil {
			return arg
		}
		return filepath.Join(lakeDir, filepath.FromSlash(s.Name))
	}
	return arg
}

// openLakeTable parses a lake command's arguments and opens the table they
// name.
func (proc *process) openLakeTable(fs *flag.FlagSet, args []string, synopsis string) (*delta.Table, error) {
	path, err := proc.lakeTableArgs(fs, args, synopsis)
	if err != nil {
		return nil, err
	}
	return delta.Open(path)
}
