package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/finpipe/finpipe/internal/kafka"
)

// runBroker is `reliability broker --dir D`: the embedded Kafka-protocol
// broker in a process of its own, so that a scenario can stop it (SIGTERM:
// it flushes its log) and start it again on the same data and port, as an
// operator restarts a Kafka broker.
func runBroker(args []string) error {
	fs := flag.NewFlagSet("broker", flag.ContinueOnError)
	dir := fs.String("dir", "", "broker data directory")
	partitions := fs.Int("partitions", 3, "partitions of the transactions topic")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("--dir is required")
	}
	b, err := kafka.StartEmbedded(*dir, kafka.WithPartitions(*partitions), kafka.WithTopics("transactions"))
	if err != nil {
		return err
	}
	defer b.Close()
	fmt.Println(b.Addr())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	return nil
}

// broker is the Kafka a scenario runs against: the embedded broker in a
// child process (default), or Apache Kafka from ci/kafka
// (RELIABILITY_REAL_KAFKA=1). Both restart on the same data and address.
type broker struct {
	real bool
	dir  string
	root string
	log  string
	addr string
	cmd  *exec.Cmd
	port int // Apache Kafka's listener and controller ports
	ctrl int
}

func startBroker(ctx context.Context, e *suite, dir string) (*broker, error) {
	b := &broker{real: e.s.realKafka, dir: dir, root: e.root, log: filepath.Join(dir, "broker.log")}
	return b, b.start(ctx)
}

func (b *broker) start(ctx context.Context) error {
	if b.real {
		return b.startReal(ctx)
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	logf, err := os.OpenFile(b.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(exe, "broker", "--dir", filepath.Join(b.dir, "kafka"))
	cmd.Stderr = logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			line <- strings.TrimSpace(sc.Text())
		}
		close(line)
	}()
	select {
	case addr, ok := <-line:
		if !ok || addr == "" {
			_ = cmd.Wait()
			return fmt.Errorf("embedded broker did not start (log %s)", b.log)
		}
		if b.addr != "" && addr != b.addr {
			b.cmd = cmd
			b.stop()
			return fmt.Errorf("broker came back on %s, not %s", addr, b.addr)
		}
		b.addr, b.cmd = addr, cmd
		return nil
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return fmt.Errorf("embedded broker did not start within 30s (log %s)", b.log)
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return ctx.Err()
	}
}

// startReal starts Apache Kafka with ci/kafka/start.sh on free ports of
// this run's own, resuming its data after the first start.
func (b *broker) startReal(ctx context.Context) error {
	args := []string{filepath.Join(b.root, "ci/kafka/start.sh")}
	if b.port == 0 {
		p1, err1 := freePort()
		p2, err2 := freePort()
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		b.port, b.ctrl = p1, p2
		b.addr = "127.0.0.1:" + strconv.Itoa(p1)
	} else {
		args = append(args, "--resume")
	}
	cmd := exec.CommandContext(ctx, "bash", args...)
	cmd.Env = append(os.Environ(), "KAFKA_PORT="+strconv.Itoa(b.port), "KAFKA_CONTROLLER_PORT="+strconv.Itoa(b.ctrl),
		"KAFKA_WORK_DIR="+filepath.Join(b.dir, "apache-kafka"))
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("ci/kafka/start.sh: %v: %s", err, out)
	}
	return nil
}

// stop ends the broker in order (the embedded one flushes its log; Kafka
// shuts down cleanly), keeping its data for start.
func (b *broker) stop() {
	if b.real {
		cmd := exec.Command("bash", filepath.Join(b.root, "ci/kafka/stop.sh"), "--keep")
		cmd.Env = append(os.Environ(), "KAFKA_WORK_DIR="+filepath.Join(b.dir, "apache-kafka"))
		_ = cmd.Run()
		return
	}
	if b.cmd == nil {
		return
	}
	_ = b.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = b.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = b.cmd.Process.Kill()
		<-done
	}
	b.cmd = nil
}

// restart stops the broker, leaves it down for pause, and starts it again.
func (b *broker) restart(ctx context.Context, pause time.Duration) error {
	b.stop()
	sleep(ctx, pause)
	return b.start(ctx)
}

func (b *broker) kind() string {
	if b.real {
		return "Apache Kafka 4.1"
	}
	return "embedded broker"
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
