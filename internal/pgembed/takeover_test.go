package pgembed

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A second Start on a data dir in use fails, naming the process that holds
// it, and leaves the first server's files and service as they were.
func TestSecondStartRefusedAndHarmless(t *testing.T) {
	ctx := context.Background()
	dir := privateDataDir(t)
	s, err := Start(ctx, Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	before := readFiles(t, dir, portFile, urlFile)
	_, err = Start(ctx, Options{DataDir: dir})
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("in use by pid %d", os.Getpid())) {
		t.Fatalf("second Start: %v; want it to name pid %d", err, os.Getpid())
	}
	if after := readFiles(t, dir, portFile, urlFile); after != before {
		t.Fatalf("files changed:\n%s\nwas\n%s", after, before)
	}
	if u, ok := Running(dir); !ok || u != s.URL() {
		t.Fatalf("Running = %q, %v after the refused start", u, ok)
	}
	execSQL(t, s.URL(), "SELECT 1")
}

// A server left running on the cluster by a process that is gone (one that
// no parent-death signal reaches) is waited for, stopped and replaced: the
// start succeeds instead of failing on `lock file "postmaster.pid" already
// exists`.
func TestStartTakesOverAnOrphanServer(t *testing.T) {
	ctx := context.Background()
	dir := privateDataDir(t)
	s, err := Start(ctx, Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	execSQL(t, s.URL(), "CREATE TABLE kept (v int)")
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	orphan := startOrphan(t, dir)
	s, err = Start(ctx, Options{DataDir: dir, StaleServerWait: 100 * time.Millisecond, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	select {
	case <-orphan:
	case <-time.After(time.Minute):
		t.Fatal("the orphan server still runs after the take-over")
	}
	execSQL(t, s.URL(), "SELECT count(*) FROM kept")
}

// A standalone killed by SIGKILL and started again at once comes up: its
// server, still shutting down, is waited for. The first process is this
// test binary run again as TestHelperServer.
func TestRestartRightAfterSIGKILL(t *testing.T) {
	dir := privateDataDir(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperServer$", "-test.count=1")
	cmd.Env = append(os.Environ(), "PGEMBED_HELPER_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "ready ") {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("helper: %q, %v", line, err)
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	s, err := Start(context.Background(), Options{DataDir: dir, Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("start right after SIGKILL: %v", err)
	}
	defer s.Stop()
	execSQL(t, s.URL(), "SELECT count(*) FROM written_by_helper")
}

// TestHelperServer is the process TestRestartRightAfterSIGKILL kills: it
// starts a server, writes some data, says ready and waits.
func TestHelperServer(t *testing.T) {
	dir := os.Getenv("PGEMBED_HELPER_DIR")
	if dir == "" {
		t.Skip("the process of TestRestartRightAfterSIGKILL")
	}
	s, err := Start(context.Background(), Options{DataDir: dir, Durable: true})
	if err != nil {
		t.Fatal(err)
	}
	execSQL(t, s.URL(), "CREATE TABLE written_by_helper AS SELECT g FROM generate_series(1, 100000) g")
	fmt.Println("ready " + s.URL())
	select {}
}

// startOrphan runs postgres on dir's cluster as launch does but with no
// parent-death signal, as a server whose FinPipe is gone; the channel
// closes when it exits.
func startOrphan(t *testing.T, dir string) <-chan struct{} {
	t.Helper()
	bin, err := findBinDir("")
	if err != nil {
		t.Skip("needs local PostgreSQL binaries")
	}
	acct, err := serverAccount()
	if err != nil {
		t.Fatal(err)
	}
	l, _, err := existingLayout(dir)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", l.cluster, "-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: acct.cred, Setpgid: true}
	cmd.Dir = "/"
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() { _ = cmd.Process.Signal(syscall.SIGQUIT); <-exited })
	for postmasterPID(filepath.Join(l.cluster, "postmaster.pid")) != cmd.Process.Pid {
		select {
		case <-exited:
			t.Fatal("the orphan server exited at start")
		case <-time.After(20 * time.Millisecond):
		}
	}
	return exited
}

func readFiles(t *testing.T, dir string, names ...string) string {
	t.Helper()
	var b strings.Builder
	for _, n := range names {
		c, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s: %s\n", n, c)
	}
	return b.String()
}

// testLogger sends a server's start-up messages to the test log.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), nil))
}
