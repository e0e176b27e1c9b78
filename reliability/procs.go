package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// proc is one FinPipe process under test. Its output goes to a log file in
// the scenario's directory (appended across restarts), so a failed row can
// be investigated.
type proc struct {
	name string
	bin  string
	args []string
	env  []string
	log  string

	mu      sync.Mutex
	cmd     *exec.Cmd
	done    chan struct{}
	exitErr error
	stopped bool // stopped on purpose: not revived
}

func newProc(name, bin, logDir string, env []string, args ...string) *proc {
	return &proc{name: name, bin: bin, args: args, env: env, log: filepath.Join(logDir, name+".log")}
}

// start launches the process; it must not be running.
func (p *proc) start() error {
	f, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(p.bin, p.args...)
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	fmt.Fprintf(f, "\n=== reliability: start %s %s at %s\n", p.bin, strings.Join(p.args, " "), time.Now().UTC().Format(time.RFC3339Nano))
	if err := cmd.Start(); err != nil {
		f.Close()
		return fmt.Errorf("start %s: %w", p.name, err)
	}
	done := make(chan struct{})
	p.mu.Lock()
	p.cmd, p.done, p.stopped, p.exitErr = cmd, done, false, nil
	p.mu.Unlock()
	go func() {
		err := cmd.Wait()
		f.Close()
		p.mu.Lock()
		p.exitErr = err
		p.mu.Unlock()
		close(done)
	}()
	return nil
}

func (p *proc) alive() bool {
	p.mu.Lock()
	done := p.done
	p.mu.Unlock()
	if done == nil {
		return false
	}
	select {
	case <-done:
		return false
	default:
		return true
	}
}

// rssBytes is the process's resident memory now (0 when not running).
func (p *proc) rssBytes() int64 {
	p.mu.Lock()
	cmd := p.cmd
	p.mu.Unlock()
	if cmd == nil || cmd.Process == nil || !p.alive() {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// signal sends sig to the process's group and waits up to wait for it to
// end; a process that outlives a SIGTERM's wait is SIGKILLed.
func (p *proc) signal(sig syscall.Signal, wait time.Duration) {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.stopped = true
	p.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, sig)
	select {
	case <-done:
		return
	case <-time.After(wait):
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	<-done
}

// kill is the fault: SIGKILL, no chance to clean up.
func (p *proc) kill() { p.signal(syscall.SIGKILL, 10*time.Second) }

// stop is the orderly end: SIGTERM, then SIGKILL after the grace.
func (p *proc) stop() { p.signal(syscall.SIGTERM, 20*time.Second) }

// run starts the process and waits for it to finish (a one-shot command).
func (p *proc) run(ctx context.Context) error {
	if err := p.start(); err != nil {
		return err
	}
	p.mu.Lock()
	done := p.done
	p.mu.Unlock()
	select {
	case <-done:
	case <-ctx.Done():
		p.stop()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.exitErr != nil {
		return fmt.Errorf("%s: %v (log %s)", p.name, p.exitErr, p.log)
	}
	return ctx.Err()
}

// fleet is a set of long-running processes with a supervisor that starts
// again any that exits on its own (as systemd or Kubernetes would); those
// revivals are counted, since a process that dies on a fault is worth
// knowing about even when nothing is lost.
type fleet struct {
	procs   []*proc
	mu      sync.Mutex
	revived map[string]int
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

func newFleet(procs ...*proc) *fleet { return &fleet{procs: procs, revived: map[string]int{}} }

// start launches every process and the supervisor.
func (f *fleet) start(ctx context.Context) error {
	for _, p := range f.procs {
		if err := p.start(); err != nil {
			f.stop()
			return err
		}
	}
	sctx, cancel := context.WithCancel(ctx)
	f.cancel = cancel
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-sctx.Done():
				return
			case <-t.C:
			}
			for _, p := range f.procs {
				p.mu.Lock()
				stopped := p.stopped
				p.mu.Unlock()
				if !stopped && !p.alive() {
					f.mu.Lock()
					f.revived[p.name]++
					f.mu.Unlock()
					_ = p.start()
				}
			}
		}
	}()
	return nil
}

// killRandom SIGKILLs one random process and starts it again after pause.
func (f *fleet) killRandom(ctx context.Context, rng *rand.Rand, pause time.Duration) string {
	p := f.procs[rng.IntN(len(f.procs))]
	p.kill()
	sleep(ctx, pause)
	_ = p.start()
	return p.name
}

// killPID SIGKILLs the fleet's process with that pid, if any, and starts
// it again after pause.
func (f *fleet) killPID(ctx context.Context, pid int64, pause time.Duration) (string, bool) {
	for _, p := range f.procs {
		p.mu.Lock()
		match := p.cmd != nil && p.cmd.Process != nil && int64(p.cmd.Process.Pid) == pid
		p.mu.Unlock()
		if match && p.alive() {
			p.kill()
			sleep(ctx, pause)
			_ = p.start()
			return p.name, true
		}
	}
	return "", false
}

// revivals describes the processes that exited on their own ("" if none).
func (f *fleet) revivals() (int, string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, parts := 0, []string{}
	for name, c := range f.revived {
		n += c
		parts = append(parts, fmt.Sprintf("%s×%d", name, c))
	}
	return n, strings.Join(parts, " ")
}

// stop ends the supervisor, then every process in order.
func (f *fleet) stop() {
	if f.cancel != nil {
		f.cancel()
		f.wg.Wait()
	}
	for _, p := range f.procs {
		p.stop()
	}
}

// named returns the fleet's process of that name, or nil.
func (f *fleet) named(name string) *proc {
	for _, p := range f.procs {
		if p.name == name {
			return p
		}
	}
	return nil
}
