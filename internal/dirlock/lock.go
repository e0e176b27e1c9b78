// Package dirlock gives a process exclusive use of a directory with an OS
// file lock (flock), and tells a second process who holds it.
//
// An OS lock rather than a pid file: the kernel releases it when the holder
// dies, even by SIGKILL, so a crash never leaves a directory locked and a
// restart needs no clean-up. The holder writes its pid and command line
// into the lock file so that the refusal a second process prints names the
// process to stop.
package dirlock

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Lock is a held lock; Release gives it up. The kernel also releases it
// when the process exits.
type Lock struct {
	f *os.File
}

// HeldError says that another process holds the lock.
type HeldError struct {
	Path string
	// PID and Command are what the holder recorded; PID is 0 when it had
	// not written them yet.
	PID     int
	Command string
}

func (e *HeldError) Error() string {
	if e.PID == 0 {
		return fmt.Sprintf("%s is locked by another process", e.Path)
	}
	return fmt.Sprintf("%s is held by pid %d (%s)", e.Path, e.PID, strconv.Quote(e.Command))
}

// Holder describes the holding process for messages: `pid 42 ("finpipe standalone")`.
func (e *HeldError) Holder() string {
	if e.PID == 0 {
		return "another process"
	}
	return fmt.Sprintf("pid %d (%s)", e.PID, strconv.Quote(e.Command))
}

// Acquire takes the lock on the file at path (created if missing) without
// waiting. When another process holds it, the error is a *HeldError.
func Acquire(path string) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, holderOf(path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// The previous holder's record stays in the file after it exits; the
	// new one replaces it.
	record := strconv.Itoa(os.Getpid()) + "\n" + strings.Join(os.Args, " ") + "\n"
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(record), 0)
	}
	return &Lock{f: f}, nil
}

// Release gives the lock up. Safe on a nil Lock and more than once.
func (l *Lock) Release() {
	if l == nil || l.f == nil {
		return
	}
	_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	_ = l.f.Close()
	l.f = nil
}

// holderOf reads the holder's record. A holder that has just taken the lock
// may not have written it yet, so an empty file is read again for a moment.
func holderOf(path string) *HeldError {
	e := &HeldError{Path: path}
	for i := 0; i < 20; i++ {
		b, _ := os.ReadFile(path)
		pid, cmd, _ := strings.Cut(string(b), "\n")
		if n, err := strconv.Atoi(pid); err == nil && n > 0 {
			e.PID, e.Command = n, strings.TrimSpace(cmd)
			return e
		}
		time.Sleep(25 * time.Millisecond)
	}
	return e
}
