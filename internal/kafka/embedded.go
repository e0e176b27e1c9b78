package kafka

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Embedded is an in-process Kafka-protocol broker (franz-go's kfake) for
// standalone runs and tests. With a directory it persists its log there, so
// produced records survive a restart, and it records its address in
// <dir>/broker.addr so that other processes (finpipe produce) can find it.
type Embedded struct {
	cluster *kfake.Cluster
	addr    string
	lock    *os.File // flock held while running; nil without a directory
}

// EmbeddedOption configures StartEmbedded.
type EmbeddedOption func(*embeddedConfig)

type embeddedConfig struct {
	port       int
	partitions int
	topics     []string
}

// WithPort makes the broker listen on 127.0.0.1:port. Without it, a restart
// reuses the port of the previous run in the same directory when it is free,
// so clients keep their address; else the port is random.
func WithPort(port int) EmbeddedOption { return func(c *embeddedConfig) { c.port = port } }

// WithPartitions sets the partition count of the topics created at start and
// of topics created automatically (default DefaultPartitions).
func WithPartitions(n int) EmbeddedOption { return func(c *embeddedConfig) { c.partitions = n } }

// WithTopics sets the topics that exist after start (default DefaultTopic).
// Existing topics are kept as they are.
func WithTopics(topics ...string) EmbeddedOption {
	return func(c *embeddedConfig) { c.topics = topics }
}

const (
	addrFile = "broker.addr"
	lockFile = "broker.lock"
	logDir   = "log"
)

// StartEmbedded starts a broker on 127.0.0.1. dir holds its state; "" keeps
// everything in memory. Only one process may run a broker on a directory at a
// time: a second one gets an error instead of corrupting the log.
func StartEmbedded(dir string, opts ...EmbeddedOption) (*Embedded, error) {
	cfg := embeddedConfig{partitions: DefaultPartitions, topics: []string{DefaultTopic}}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.partitions < 1 {
		return nil, fmt.Errorf("kafka: embedded broker: partitions must be at least 1, got %d", cfg.partitions)
	}
	e := &Embedded{}
	kopts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.DefaultNumPartitions(cfg.partitions),
		kfake.AllowAutoTopicCreation(),
		kfake.ClusterID("finpipe-embedded"),
	}
	port := cfg.port
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("kafka: embedded broker: %w", err)
		}
		lock, err := lockDir(dir)
		if err != nil {
			return nil, err
		}
		e.lock = lock
		if port == 0 {
			port = previousPort(dir)
		}
		kopts = append(kopts, kfake.DataDir(filepath.Join(dir, logDir)))
	}
	c, err := kfake.NewCluster(append(kopts, kfake.Ports(port))...)
	if err != nil && cfg.port == 0 && port != 0 && isAddrInUse(err) {
		c, err = kfake.NewCluster(append(kopts, kfake.Ports(0))...) // previous port taken: any will do
	}
	if err != nil {
		e.unlock()
		return nil, fmt.Errorf("kafka: embedded broker: %w", err)
	}
	e.cluster = c
	e.addr = c.ListenAddrs()[0]
	for _, t := range cfg.topics {
		if c.TopicInfo(t) != nil {
			continue
		}
		if err := c.CreateTopic(t, int32(cfg.partitions), nil); err != nil {
			e.Close()
			return nil, fmt.Errorf("kafka: embedded broker: create topic %s: %w", t, err)
		}
	}
	if dir != "" {
		if err := writeFileAtomic(filepath.Join(dir, addrFile), []byte(e.addr+"\n")); err != nil {
			e.Close()
			return nil, fmt.Errorf("kafka: embedded broker: %w", err)
		}
	}
	return e, nil
}

// EmbeddedDir is where FinPipe keeps the embedded broker of a data
// directory: standalone starts it there and produce finds it there.
func EmbeddedDir(dataDir string) string { return filepath.Join(dataDir, "kafka") }

// Addr is the bootstrap address, "127.0.0.1:port", for KAFKA_BROKERS.
func (e *Embedded) Addr() string { return e.addr }

// Cluster exposes the kfake cluster for tests that inject faults.
func (e *Embedded) Cluster() *kfake.Cluster { return e.cluster }

// Close stops the broker, flushing its log to disk, and releases the
// directory. The address file stays so that the next start can reuse the port.
func (e *Embedded) Close() {
	if e.cluster != nil {
		e.cluster.Close()
		e.cluster = nil
	}
	e.unlock()
}

func (e *Embedded) unlock() {
	if e.lock != nil {
		_ = syscall.Flock(int(e.lock.Fd()), syscall.LOCK_UN)
		_ = e.lock.Close()
		e.lock = nil
	}
}

// RunningEmbeddedAddr returns the address of the embedded broker that another
// process runs on dir, or an error when none does.
func RunningEmbeddedAddr(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, addrFile))
	if err != nil {
		return "", fmt.Errorf("no embedded Kafka broker has run in %s", dir)
	}
	if lock, err := lockDir(dir); err == nil { // we got the lock: nobody holds it
		_ = syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
		_ = lock.Close()
		return "", fmt.Errorf("the embedded Kafka broker of %s is not running", dir)
	}
	return strings.TrimSpace(string(b)), nil
}

var errDirInUse = errors.New("in use by another process")

func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("kafka: embedded broker: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("kafka: embedded broker directory %s is %w", dir, errDirInUse)
		}
		return nil, fmt.Errorf("kafka: embedded broker: lock %s: %w", dir, err)
	}
	return f, nil
}

func previousPort(dir string) int {
	b, err := os.ReadFile(filepath.Join(dir, addrFile))
	if err != nil {
		return 0
	}
	_, p, err := net.SplitHostPort(strings.TrimSpace(string(b)))
	if err != nil {
		return 0
	}
	port, err := strconv.Atoi(p)
	if err != nil || port <= 0 || port > 65535 {
		return 0
	}
	return port
}

func isAddrInUse(err error) bool { return errors.Is(err, syscall.EADDRINUSE) }

func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
