package web

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLoadOrCreateToken(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	tok, created, err := LoadOrCreateToken(dir, "")
	if err != nil || !created || len(tok) < 40 {
		t.Fatalf("first start: %q %v %v", tok, created, err)
	}
	st, err := os.Stat(filepath.Join(dir, TokenFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v %v", st.Mode(), err)
	}
	again, created, err := LoadOrCreateToken(dir, "")
	if err != nil || created || again != tok {
		t.Fatalf("restart: %q %v %v", again, created, err)
	}
	env, created, err := LoadOrCreateToken(dir, "from-the-environment-123")
	if err != nil || created || env != "from-the-environment-123" {
		t.Fatalf("FINPIPE_API_TOKEN: %q %v %v", env, created, err)
	}
	if _, _, err := LoadOrCreateToken(dir, "short"); err == nil {
		t.Fatal("a short FINPIPE_API_TOKEN was accepted")
	}
}
