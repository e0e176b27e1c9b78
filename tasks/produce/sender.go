package produce

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	ck "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/finpipe/finpipe/internal/kafka"
)

// sender owns one producer: it paces sends to a rate, keeps the local queue
// bounded, and counts delivery reports, so that Produce and ProduceFile only
// decide what to send.
type sender struct {
	p        *ck.Producer
	topic    string
	rate     float64
	start    time.Time
	queued   int64
	progress Progress // nil until start

	mu        sync.Mutex
	delivered int64
	bytes     int64
	firstErr  error
	reports   sync.WaitGroup
}

func newSender[C kafka.Cluster](ctx context.Context, brokers C, topic string, opts Options) (*sender, error) {
	// Fail fast and clearly on an unreachable cluster or a missing topic;
	// the producer itself would only time out messages a minute later.
	if _, err := kafka.Partitions(ctx, brokers, topic); err != nil {
		return nil, err
	}
	p, err := kafka.NewProducer(brokers)
	if err != nil {
		return nil, err
	}
	s := &sender{p: p, topic: topic, rate: opts.Rate, start: time.Now()}
	s.reports.Add(1)
	go s.collect()
	return s, nil
}

// follow reports progress to p (when not nil) from now on, out of total
// messages (0: unlimited). Call it before the first send.
func (s *sender) follow(p Progress, total int) {
	if p == nil {
		return
	}
	p.Start(int64(total))
	s.mu.Lock()
	s.progress = p
	s.mu.Unlock()
}

// collect counts delivery reports until the producer's event channel closes.
func (s *sender) collect() {
	defer s.reports.Done()
	for ev := range s.p.Events() {
		m, ok := ev.(*ck.Message)
		if !ok {
			if e, isErr := ev.(ck.Error); isErr && e.IsFatal() {
				s.fail(e)
			}
			continue
		}
		if m.TopicPartition.Error != nil {
			s.fail(m.TopicPartition.Error)
			continue
		}
		s.mu.Lock()
		s.delivered++
		n, p := s.delivered, s.progress
		s.mu.Unlock()
		if p != nil {
			p.Set(n)
		}
	}
}

func (s *sender) fail(err error) {
	s.mu.Lock()
	if s.firstErr == nil {
		s.firstErr = err
	}
	s.mu.Unlock()
}

func (s *sender) err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.firstErr
}

// send queues one message, waiting for the rate and for queue space.
func (s *sender) send(ctx context.Context, key, value []byte) error {
	if s.rate > 0 {
		due := s.start.Add(time.Duration(float64(s.queued) / s.rate * float64(time.Second)))
		if wait := time.Until(due); wait > time.Millisecond {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait):
			}
		}
	}
	msg := &ck.Message{TopicPartition: ck.TopicPartition{Topic: &s.topic, Partition: ck.PartitionAny}, Key: key, Value: value}
	for {
		err := s.p.Produce(msg, nil)
		if err == nil {
			break
		}
		var kerr ck.Error
		if !errors.As(err, &kerr) || kerr.Code() != ck.ErrQueueFull {
			return fmt.Errorf("produce: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.err(); err != nil {
			return err
		}
		s.p.Flush(5) // queue full: let batches go out
	}
	s.queued++
	s.mu.Lock()
	s.bytes += int64(len(value))
	s.mu.Unlock()
	if s.queued%4096 == 0 { // now and then, not per message: both take a lock
		if err := ctx.Err(); err != nil {
			return err
		}
		return s.err()
	}
	return nil
}

// close waits for every queued message to be delivered (or ctx to end) and
// returns how many were and the first delivery error.
func (s *sender) close(ctx context.Context) (delivered, bytes int64, elapsed time.Duration, err error) {
	for s.p.Len() > 0 && ctx.Err() == nil && s.err() == nil {
		s.p.Flush(100)
	}
	if ctx.Err() != nil || s.err() != nil {
		_ = s.p.Purge(ck.PurgeQueue | ck.PurgeInFlight)
		s.p.Flush(1000)
	}
	s.p.Close() // closes the events channel once all reports are out
	s.reports.Wait()
	elapsed = time.Since(s.start)
	if s.progress != nil {
		s.progress.Set(s.delivered)
		s.progress.End()
	}
	err = ctx.Err() // a cancelled run reports that, not the purge it caused
	if err == nil {
		err = s.err()
	}
	if err == nil && s.delivered != s.queued {
		err = fmt.Errorf("%d of %d messages were not delivered", s.queued-s.delivered, s.queued)
	}
	if err != nil {
		err = fmt.Errorf("kafka topic %s: %d of %d messages delivered: %w", s.topic, s.delivered, s.queued, err)
	}
	return s.delivered, s.bytes, elapsed, err
}
