package pipeline

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"

	"github.com/finpipe/finpipe/internal/bench"
	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/tasks/produce"
)

// feed is what the feeder process reports once its topic is full.
type feed struct {
	Brokers        string  `json:"brokers"`
	Topic          string  `json:"topic"`
	Sent           int64   `json:"sent"`
	ProduceSeconds float64 `json:"produce_seconds"`
	CPUSeconds     float64 `json:"cpu_seconds"` // the feeder's CPU so far
}

// FeedSpec is what the feeder is asked to produce.
type FeedSpec struct {
	Brokers      string // "" starts an embedded broker in the feeder
	Topic        string
	Partitions   int
	Transactions int
	Seed         int64
	Bad, Dup     float64 // shares of broken and duplicate records
}

// startFeeder runs `finpipe bench pipeline --feeder` as a child process: it
// hosts the embedded broker (when no cluster is configured) and produces the
// data set there, so that the benchmark's own peak RSS and CPU measure the
// pipeline alone, as they would against a real Kafka cluster. The child
// exits when stop closes its stdin.
func startFeeder(ctx context.Context, s FeedSpec) (feed, func() error, error) {
	self, err := os.Executable()
	if err != nil {
		return feed{}, nil, err
	}
	cmd := exec.CommandContext(ctx, self, "bench", "pipeline", "--feeder",
		"--kafka-brokers", s.Brokers, "--topic", s.Topic, "--partitions", strconv.Itoa(s.Partitions),
		"--transactions", strconv.Itoa(s.Transactions), "--seed", strconv.FormatInt(s.Seed, 10),
		"--bad-ratio", strconv.FormatFloat(s.Bad, 'g', -1, 64), "--duplicate-ratio", strconv.FormatFloat(s.Dup, 'g', -1, 64))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return feed{}, nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return feed{}, nil, err
	}
	if err := cmd.Start(); err != nil {
		return feed{}, nil, fmt.Errorf("start feeder: %w", err)
	}
	var once sync.Once
	var waitErr error
	stop := func() error { // idempotent: called once explicitly, once deferred
		once.Do(func() {
			stdin.Close()
			waitErr = cmd.Wait()
		})
		return waitErr
	}
	var f feed
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	if err == nil {
		err = json.Unmarshal(line, &f)
	}
	if err != nil {
		_ = stop()
		return feed{}, nil, fmt.Errorf("feeder: %w", err)
	}
	return f, stop, nil
}

// RunFeeder is the child side: broker, topic, data, report, then serve
// until stdin closes.
func RunFeeder(ctx context.Context, s FeedSpec) error {
	brokers := s.Brokers
	if brokers == "" {
		e, err := kafka.StartEmbedded("", kafka.WithPartitions(s.Partitions), kafka.WithTopics(s.Topic))
		if err != nil {
			return err
		}
		defer e.Close()
		brokers = e.Addr()
	}
	if err := kafka.EnsureTopic(ctx, brokers, s.Topic, s.Partitions); err != nil {
		return err
	}
	st, err := produce.Produce(ctx, brokers, s.Topic, produce.Options{
		Count: s.Transactions, Seed: s.Seed, BadRatio: s.Bad, DuplicateRatio: s.Dup})
	if err != nil {
		return err
	}
	out, _ := json.Marshal(feed{Brokers: brokers, Topic: s.Topic, Sent: st.Sent, ProduceSeconds: st.Elapsed.Seconds(),
		CPUSeconds: bench.CPUTime().Seconds()})
	fmt.Println(string(out))
	_, _ = io.Copy(io.Discard, os.Stdin) // serve until the parent closes stdin
	return nil
}
