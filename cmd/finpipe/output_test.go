package main

import (
	"bytes"
	"sync"
	"testing"
)

// run runs finpipe with args in a process of its own, as main does, and
// returns its exit status. What the command printed is logged when the test
// fails; each call has its own streams and metrics, so tests that share
// nothing else may run in parallel.
func run(t testing.TB, args []string) int {
	t.Helper()
	code, _, _ := runOut(t, args)
	return code
}

// runOut is run that also returns what the command printed on stdout and
// on stderr.
func runOut(t testing.TB, args []string) (code int, stdout, stderr string) {
	t.Helper()
	return runIn(t, newProcess(nil, nil), args)
}

// runIn is runOut in a given process, whose metrics the caller scrapes; its
// streams are replaced by buffers.
func runIn(t testing.TB, proc *process, args []string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errs lockedBuffer
	proc.stdout, proc.stderr = &out, &errs
	code = proc.run(args)
	stdout, stderr = out.String(), errs.String()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("finpipe %q: exit %d\nstdout:\n%s\nstderr:\n%s", args, code, stdout, stderr)
		}
	})
	return code, stdout, stderr
}

// lockedBuffer is a bytes.Buffer safe for the several goroutines of one
// command (its logger, a progress bar, its results) to write at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
