package testenv

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/finpipe/finpipe/internal/pgembed"
)

var (
	serverOnce sync.Once
	serverURL  string
	serverErr  error
	dbCounter  atomic.Int64
)

// Postgres returns the URL of a new, empty database that only this test
// uses. The server is FINPIPE_TEST_DATABASE_URL's when set, else an embedded
// one started once per test binary (it stops when the binary exits).
func Postgres(t testing.TB) string {
	t.Helper()
	base, err := PostgresServer()
	if err != nil {
		t.Fatalf("testenv: postgres: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("testenv: bad database URL: %v", err)
	}
	name := fmt.Sprintf("test_%d_%d_%d", os.Getpid(), dbCounter.Add(1), time.Now().UnixNano()%1e6)
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("testenv: connect %s: %v", u.Redacted(), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("testenv: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if c, err := pgx.Connect(ctx, base); err == nil {
			_, _ = c.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
			_ = c.Close(ctx)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// PostgresServer returns a URL to the shared server's maintenance database,
// starting the embedded server on first use. For tests that need the server
// itself (e.g. to restart it), not a database.
func PostgresServer() (string, error) {
	serverOnce.Do(func() {
		if u := os.Getenv("FINPIPE_TEST_DATABASE_URL"); u != "" {
			serverURL = u
			return
		}
		// One folder per user: root's and another user's test runs on one
		// machine must not meet in a folder only the first one may write.
		root := filepath.Join(os.TempDir(), "finpipe-testpg-"+strconv.Itoa(os.Getuid()))
		removeStaleClusters(root)
		dir := filepath.Join(root, strconv.Itoa(os.Getpid()))
		s, err := pgembed.Start(context.Background(), pgembed.Options{DataDir: dir, Database: "postgres"})
		if err != nil {
			serverErr = err
			return
		}
		serverURL = s.URL()
	})
	return serverURL, serverErr
}

// removeStaleClusters deletes the clusters of test binaries that are gone
// (wherever pgembed keeps them: root's may live outside root/<pid>); their
// servers stopped with them (pgembed sets a parent-death signal).
func removeStaleClusters(root string) {
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || !e.IsDir() {
			continue
		}
		if syscall.Kill(pid, 0) != nil {
			_ = pgembed.Remove(filepath.Join(root, e.Name()))
		}
	}
}
