package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/internal/pgembed"
)

// A standalone (a child process) runs on a data dir with embedded
// PostgreSQL and Kafka. A demo on the same data dir refuses before it sends
// a record, naming the standalone's pid and command, and leaves its files
// alone; clients keep working against it. Then the standalone is SIGKILLed
// and started again at once, and it comes up: its PostgreSQL, still
// shutting down, is waited for.
func TestSecondProcessOnADataDir(t *testing.T) {
	if testing.Short() {
		t.Skip("starts embedded PostgreSQL and Kafka in child processes")
	}
	for _, k := range []string{"DATABASE_URL", "KAFKA_BROKERS", "FINPIPE_API_TOKEN"} {
		t.Setenv(k, "") // empty counts as unset, here and in the children
	}
	dir := t.TempDir()
	// Registered first, so it runs after the children are gone: as root the
	// cluster lives outside the private t.TempDir.
	t.Cleanup(func() { _ = pgembed.Remove(filepath.Join(dir, "postgres")) })
	args := []string{"standalone", "--data-dir", dir, "--http", freeAddr(t), "--topic", "transactions", "--log-level", "warn"}
	first := startFinpipe(t, args...)
	pgFiles := func() map[string]string {
		m := map[string]string{}
		for _, f := range []string{"finpipe_port", "finpipe_url"} {
			b, err := os.ReadFile(filepath.Join(dir, "postgres", f))
			if err != nil {
				t.Fatal(err)
			}
			m[f] = string(b)
		}
		return m
	}
	filesBefore := pgFiles()
	ctx := context.Background()
	brokers, err := kafka.RunningEmbeddedAddr(kafka.EmbeddedDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	highBefore, err := kafka.HighWatermarks(ctx, brokers, "transactions")
	if err != nil {
		t.Fatal(err)
	}

	code, _, msg := runOut(t, []string{"demo", "--data-dir", dir, "--topic", "transactions", "--transactions", "1000", "--log-level", "error"})
	if holder := fmt.Sprintf("in use by pid %d (\"finpipe standalone", first.Process.Pid); code != 1 || !strings.Contains(msg, holder) {
		t.Fatalf("demo beside a standalone: exit %d, %q; want exit 1 naming %s", code, msg, holder)
	}
	if highAfter, err := kafka.HighWatermarks(ctx, brokers, "transactions"); err != nil || !reflect.DeepEqual(highAfter, highBefore) {
		t.Fatalf("the refused demo sent records: offsets %v, were %v (%v)", highAfter, highBefore, err)
	}
	if after := pgFiles(); !reflect.DeepEqual(after, filesBefore) {
		t.Fatalf("the refused demo changed the standalone's files: %v, were %v", after, filesBefore)
	}
	for _, c := range [][]string{{"dags", "list", "--data-dir", dir}, {"status", "--data-dir", dir}} {
		if code := run(t, c); code != 0 {
			t.Fatalf("finpipe %v beside the standalone: exit %d", c, code)
		}
	}

	_ = first.Process.Signal(syscall.SIGKILL)
	_ = first.Wait()
	second := startFinpipe(t, args...)
	_ = second.Process.Signal(syscall.SIGINT)
	if err := second.Wait(); err != nil {
		t.Fatalf("the restarted standalone: %v", err)
	}
}

// TestHelperFinpipe is the finpipe process of the tests that need another
// one: it runs the arguments in FINPIPE_HELPER_ARGS (split at newlines).
func TestHelperFinpipe(t *testing.T) {
	raw := os.Getenv("FINPIPE_HELPER_ARGS")
	if raw == "" {
		t.Skip("a child process of other tests")
	}
	args := strings.Split(raw, "\n")
	os.Args = append([]string{"finpipe"}, args...) // what the data dir lock records
	os.Exit(newProcess(os.Stdout, os.Stderr).run(args))
}

// startFinpipe runs finpipe with args in a child process and returns once
// it serves its UI (it prints the address when its other services are up).
// The test kills it at the end unless the test has waited for it.
func startFinpipe(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperFinpipe$", "-test.count=1")
	cmd.Env = append(os.Environ(), "FINPIPE_HELPER_ARGS="+strings.Join(args, "\n"))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	ready := make(chan struct{})
	var out strings.Builder
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			out.WriteString(sc.Text() + "\n")
			if strings.HasPrefix(sc.Text(), "FinPipe UI:") {
				close(ready)
				_, _ = io.Copy(io.Discard, stderr)
				return
			}
		}
		close(ready)
	}()
	select {
	case <-ready:
	case <-time.After(3 * time.Minute):
		t.Fatalf("finpipe %v did not come up", args)
	}
	if !strings.Contains(out.String(), "FinPipe UI:") {
		_ = cmd.Wait()
		t.Fatalf("finpipe %v exited before serving:\n%s", args, out.String())
	}
	return cmd
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
