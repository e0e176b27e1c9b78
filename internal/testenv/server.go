package testenv

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// freeAddr is a loopback address with a port that was free a moment ago.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startServer starts an emulator, its output appended to logPath, and waits
// until it accepts connections on addr. It dies with this process. done is
// closed when it exits.
func startServer(bin string, args, env []string, addr, logPath string) (*exec.Cmd, chan struct{}, error) {
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("start %s: %w", bin, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-done:
			return nil, nil, fmt.Errorf("%s exited at start (log: %s)", bin, logPath)
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return cmd, done, nil
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-done
			return nil, nil, fmt.Errorf("%s did not listen on %s within 60 s (log: %s)", bin, addr, logPath)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
