package pgembed

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Data written before a stop is there after the next start on the same
// directory, and Running reports the live server only while it runs.
func TestRestartKeepsData(t *testing.T) {
	ctx := context.Background()
	// t.TempDir is private (0700): as root, the cluster goes elsewhere.
	dir := privateDataDir(t)
	s, err := Start(ctx, Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if u, ok := Running(dir); !ok || u != s.URL() {
		t.Fatalf("Running = %q, %v; want %q, true", u, ok, s.URL())
	}
	execSQL(t, s.URL(), "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')")
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, ok := Running(dir); ok {
		t.Fatal("Running reports a stopped server")
	}
	s2, err := Start(ctx, Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Stop()
	c, err := pgx.Connect(ctx, s2.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var v string
	if err := c.QueryRow(ctx, "SELECT v FROM kept").Scan(&v); err != nil || v != "still here" {
		t.Fatalf("after restart: %q, %v", v, err)
	}
}

func execSQL(t *testing.T, url, sql string) {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, sql); err != nil {
		t.Fatal(err)
	}
}

// privateDataDir is a data dir in a fresh private (0700) folder; its
// cluster is removed, wherever it went, when the test ends.
func privateDataDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "pg")
	t.Cleanup(func() { _ = Remove(dir) })
	return dir
}
