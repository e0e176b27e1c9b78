package pgembed

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// As root, a data dir deep in private (0700) folders, as a clone in /root
// is, still gets a server: the cluster lives where the database account
// reaches it, recorded in the data dir, and no folder's mode changes.
// Clients find it through the data dir, and Remove deletes it.
func TestPrivateDataDirAsRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the server runs as the current user; only root hands it to another account")
	}
	ctx := context.Background()
	top := t.TempDir()
	private := filepath.Join(top, "home", "clone")
	if err := os.MkdirAll(private, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{top, filepath.Join(top, "home"), private} {
		if err := os.Chmod(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(private, "data", "postgres")
	t.Cleanup(func() { _ = Remove(dir) })
	s, err := Start(ctx, Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	execSQL(t, s.URL(), "SELECT 1")
	l, found, err := existingLayout(dir)
	if err != nil || !found || !l.relocated() || strings.HasPrefix(l.cluster, top) {
		t.Fatalf("layout %+v, found %v, %v; want a cluster outside %s", l, found, err, top)
	}
	for _, d := range []string{top, filepath.Join(top, "home"), private} {
		if fi, err := os.Stat(d); err != nil || fi.Mode().Perm() != 0o700 {
			t.Fatalf("%s: mode %v, %v; want 0700 kept", d, fi.Mode().Perm(), err)
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, passwordFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("password file: %v, %v", fi, err)
	}
	if u, ok := Running(dir); !ok || u != s.URL() {
		t.Fatalf("Running = %q, %v", u, ok)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := Remove(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(l.cluster); !os.IsNotExist(err) {
		t.Fatalf("cluster %s left after Remove: %v", l.cluster, err)
	}
}

// A data dir deleted by hand (make reset) leaves root's relocated cluster
// behind; the next start on the same path begins afresh instead of meeting
// a cluster whose password is gone.
func TestDeletedDataDirStartsAfresh(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root relocates clusters")
	}
	ctx := context.Background()
	dir := privateDataDir(t)
	s, err := Start(ctx, Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	execSQL(t, s.URL(), "CREATE TABLE old_data (v int)")
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	s, err = Start(ctx, Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	execSQL(t, s.URL(), "CREATE TABLE old_data (v int)") // fails if the old cluster came back
}
