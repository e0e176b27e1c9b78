package kafka_test

import (
	"context"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/finpipe/finpipe/internal/kafka"
)

const childDirEnv = "FINPIPE_TEST_EMBEDDED_CHILD_DIR"

// TestEmbeddedChild is the broker process of TestEmbeddedSurvivesSIGKILL;
// it does nothing in a normal run.
func TestEmbeddedChild(t *testing.T) {
	dir := os.Getenv(childDirEnv)
	if dir == "" {
		t.Skip("helper process only")
	}
	if _, err := kafka.StartEmbedded(dir); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Minute) // until killed
}

// TestEmbeddedSurvivesSIGKILL checks what the crash tests rely on: records
// acknowledged by an embedded broker are still there after its process is
// killed, and the directory is usable again at once.
func TestEmbeddedSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := t.TempDir()
	child := exec.Command(os.Args[0], "-test.run=^TestEmbeddedChild$", "-test.count=1")
	child.Env = append(os.Environ(), childDirEnv+"="+dir)
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = child.Process.Kill(); _ = child.Wait() }()
	var addr string
	for deadline := time.Now().Add(20 * time.Second); addr == ""; {
		a, err := kafka.RunningEmbeddedAddr(dir)
		if err == nil {
			addr = a
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("child broker did not start: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	produceN(t, addr, kafka.DefaultTopic, 1, 2000)
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()

	e, err := kafka.StartEmbedded(dir)
	if err != nil {
		t.Fatalf("restart after SIGKILL: %v", err)
	}
	defer e.Close()
	if e.Addr() != addr {
		t.Errorf("address moved from %s to %s", addr, e.Addr())
	}
	recs, high, err := kafka.ReadRange(context.Background(), e.Addr(), kafka.DefaultTopic, 1, 0, 0)
	if err != nil || high != 2000 || len(recs) != 2000 || string(recs[1999].Value) != "v1999" {
		t.Fatalf("after SIGKILL: %d records, high %d, err %v", len(recs), high, err)
	}
}
