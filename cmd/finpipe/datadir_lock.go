package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/finpipe/finpipe/internal/config"
	"github.com/finpipe/finpipe/internal/dirlock"
)

// dataDirLockFile, in the data dir, is held by the process that runs the
// data dir's embedded services.
const dataDirLockFile = "finpipe.lock"

// holdDataDir gives a process that starts embedded services on the data
// dir (standalone, demo) the data dir to itself. It is the first thing such
// a process does: a second one beside a running `make run` must refuse
// before it sends a record or writes a file, and say who holds the data
// dir. The lock is the kernel's (flock), so a SIGKILLed holder frees it.
// With DATABASE_URL and KAFKA_BROKERS both set nothing embedded starts,
// and, like workers, any number of processes may share the data dir's lake.
func holdDataDir(cfg *config.Settings) (*dirlock.Lock, error) {
	if cfg.DatabaseURL != "" && cfg.KafkaBrokers != "" {
		return nil, nil
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, err
	}
	l, err := dirlock.Acquire(filepath.Join(cfg.DataDir, dataDirLockFile))
	var held *dirlock.HeldError
	if errors.As(err, &held) {
		dir, _ := filepath.Abs(cfg.DataDir)
		return nil, fmt.Errorf("the data dir %s is in use by %s; nothing was changed. Stop that process, or give this one another --data-dir; "+
			"`finpipe status`, `finpipe dags ...` and `finpipe backfill ...` work against the running one", dir, held.Holder())
	}
	return l, err
}

// dataDirService holds the data dir for as long as a process's services run.
func dataDirService(cfg *config.Settings) service {
	var l *dirlock.Lock
	return service{
		name: "data dir",
		start: func(ctx context.Context) error {
			var err error
			l, err = holdDataDir(cfg)
			return err
		},
		stop: func(context.Context) error { l.Release(); return nil },
	}
}
