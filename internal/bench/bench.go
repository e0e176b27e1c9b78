// Package bench holds what FinPipe's benchmarks share: a throw-away
// database and the process's own CPU and memory figures. Each benchmark
// lives in its own package below.
package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/finpipe/finpipe/scheduler/pgstore"

	"github.com/finpipe/finpipe/internal/pgembed"
)

// Database returns the URL of an empty database and how to remove it: a
// fresh embedded PostgreSQL in a temporary directory, or with serverURL a
// temporary database created on that server and dropped afterwards, so
// that a benchmark never touches real runs.
func Database(ctx context.Context, serverURL string) (string, func(), error) {
	if serverURL == "" {
		dir, err := os.MkdirTemp("", "finpipe-bench-")
		if err != nil {
			return "", nil, err
		}
		// MkdirTemp's folder is private: as root, pgembed keeps the cluster
		// elsewhere, and Remove deletes it there.
		pgDir := filepath.Join(dir, "pg")
		pg, err := pgembed.Start(ctx, pgembed.Options{DataDir: pgDir, Durable: true})
		if err != nil {
			_ = pgembed.Remove(pgDir)
			os.RemoveAll(dir)
			return "", nil, err
		}
		return pg.URL(), func() { _ = pg.Stop(); _ = pgembed.Remove(pgDir); os.RemoveAll(dir) }, nil
	}
	name := fmt.Sprintf("finpipe_bench_%d", os.Getpid())
	if _, err := pgstore.Exec(ctx, serverURL, "CREATE DATABASE "+pgstore.QuoteIdentifier(name)); err != nil {
		return "", nil, fmt.Errorf("create benchmark database: %w", err)
	}
	u, err := url.Parse(serverURL)
	if err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	drop := func() {
		_, _ = pgstore.Exec(context.Background(), serverURL, "DROP DATABASE IF EXISTS "+pgstore.QuoteIdentifier(name)+" WITH (FORCE)")
	}
	return u.String(), drop, nil
}

// CPUTime is the user + system CPU time this process has used.
func CPUTime() time.Duration { return RusageCPU(syscall.RUSAGE_SELF) }

// RusageCPU is the user + system CPU time of who (this process, or its
// waited-for children).
func RusageCPU(who int) time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(who, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// PeakRSSMB is this process's peak resident set size (Linux reports KiB).
func PeakRSSMB() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Maxrss) / 1024
}

// WriteJSON writes a benchmark's report as one indented JSON object (--json).
func WriteJSON(w io.Writer, report any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(report)
}
