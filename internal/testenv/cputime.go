package testenv

import (
	"syscall"
	"time"
)

// Benchmarks on a shared, busy machine measure their neighbours as much as
// themselves; CPU time per operation stays what the code costs. These report
// it (Linux; 0 elsewhere, when unavailable).

// ThreadCPU is the CPU time of the calling OS thread; lock the goroutine to
// its thread (runtime.LockOSThread) around the measurement.
func ThreadCPU() time.Duration { return rusage(1) } // RUSAGE_THREAD

// ProcessCPU is the CPU time of the whole process, all threads (cgo
// libraries and in-process brokers included).
func ProcessCPU() time.Duration { return rusage(syscall.RUSAGE_SELF) }

func rusage(who int) time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(who, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
