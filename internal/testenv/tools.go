package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// toolsDir is where scripts/emulators/install.sh puts the object-store
// emulators (`make tools`, or the first test that needs one).
func toolsDir() string { return filepath.Join(repoRoot(), ".tools") }

// Tool returns the path of an emulator binary: rel inside the tools dir
// (e.g. "bin/versitygw"), installed there by scripts/emulators/install.sh
// on first use (under a file lock: several test binaries start at once),
// or the command name on PATH when the install fails (an offline machine
// with the tool installed some other way). The error says both.
func Tool(name, rel string) (string, error) {
	p := filepath.Join(toolsDir(), rel)
	installErr := installTool(name)
	if installErr == nil {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if onPath, err := exec.LookPath(filepath.Base(rel)); err == nil {
		return onPath, nil
	}
	return "", fmt.Errorf("%s is not installed (%v; run `make tools`)", name, installErr)
}

func installTool(name string) error {
	dir := toolsDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return runLocked(filepath.Join(dir, ".lock"), filepath.Join(repoRoot(), "scripts", "emulators", "install.sh"), dir, name)
}

// runLocked runs an install script holding an exclusive lock on lockPath:
// several test binaries start at once, and one install is enough.
func runLocked(lockPath, script string, args ...string) error {
	lock, err := os.OpenFile(lockPath, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	out, err := exec.Command(script, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w: %s", filepath.Base(script), strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// requireOrSkip fails the test when the environment variable require is
// set (CI sets it: there the server must run), else skips it, saying why.
func requireOrSkip(t testing.TB, require, what string, err error) {
	t.Helper()
	if os.Getenv(require) != "" {
		t.Fatalf("testenv: %s: %v (%s is set)", what, err, require)
	}
	t.Skipf("%s test skipped: %v", what, err)
}
