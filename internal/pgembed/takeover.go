package pgembed

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Shutdown steps after the wait for a previous server: a fast shutdown
// (what `pg_ctl stop -m fast` sends), then an immediate one, each given
// this long to end.
const stopStepWait = 10 * time.Second

// takeOver clears the way for a new server on cluster when a previous one's
// postmaster.pid is still there. A FinPipe that died by SIGKILL leaves its
// server shutting down for a moment (the parent-death signal starts a fast
// shutdown, which writes a checkpoint); starting during that moment would
// fail with `lock file "postmaster.pid" already exists`. The caller holds
// the cluster's lock, so no live FinPipe owns that server: wait up to wait
// for it to exit, then stop it, first fast, then immediately (the next start
// recovers from the WAL, losing nothing committed).
func takeOver(ctx context.Context, cluster string, wait time.Duration, log *slog.Logger) error {
	pidPath := filepath.Join(cluster, "postmaster.pid")
	pid := postmasterPID(pidPath)
	if pid == 0 {
		return nil
	}
	if !servesCluster(pid, cluster) {
		// The server is gone and its pid is free or belongs to another
		// program; postgres would still refuse while that pid lives.
		if err := os.Remove(pidPath); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("pgembed: remove stale %s: %w", pidPath, err)
		}
		return nil
	}
	log.Warn("a previous PostgreSQL server is still running on this cluster; waiting for it to exit",
		"pid", pid, "dir", cluster, "wait", wait.String())
	if awaitExit(ctx, pid, cluster, wait) {
		return nil
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGQUIT} {
		log.Warn("stopping the previous PostgreSQL server", "pid", pid, "signal", sig.String())
		_ = syscall.Kill(pid, sig)
		if awaitExit(ctx, pid, cluster, stopStepWait) {
			return nil
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("pgembed: the previous PostgreSQL server (pid %d) on %s did not stop within %s; stop it (kill %d) and start again",
		pid, cluster, wait+2*stopStepWait, pid)
}

// postmasterPID is the first line of postmaster.pid, or 0.
func postmasterPID(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, _ := strconv.Atoi(strings.TrimSpace(line))
	if pid <= 0 {
		return 0
	}
	return pid
}

// servesCluster reports whether pid is a live (not zombie) postgres started
// on cluster, as launch starts it: "postgres -D <cluster> ...".
func servesCluster(pid int, cluster string) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name: "42 (postgres) S ...".
	if i := strings.LastIndexByte(string(stat), ')'); i < 0 || i+2 >= len(stat) || stat[i+2] == 'Z' {
		return false
	}
	cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		return false
	}
	args := strings.Split(string(cmdline), "\x00")
	for i := 0; i+1 < len(args); i++ {
		if args[i] == "-D" && filepath.Clean(args[i+1]) == filepath.Clean(cluster) {
			return true
		}
	}
	return false
}

// awaitExit polls until pid no longer serves cluster (the orphan is not our
// child, so it cannot be waited for), for at most d.
func awaitExit(ctx context.Context, pid int, cluster string, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for servesCluster(pid, cluster) {
		if time.Now().After(deadline) {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(25 * time.Millisecond):
		}
	}
	return true
}
