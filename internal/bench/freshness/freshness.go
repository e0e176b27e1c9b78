// Package freshness is `finpipe bench freshness`: a steady producer, the
// medallion DAG run back to back through the scheduler, and for every
// transaction the time from its Kafka append until it is visible in Silver
// and in Gold, split into waiting for a run and the run's steps.
package freshness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/finpipe/finpipe/dags"
	"github.com/finpipe/finpipe/internal/bench"
	"github.com/finpipe/finpipe/internal/drive"
	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/medallion"
	"github.com/finpipe/finpipe/tasks/produce"
)

// Options say how fast and how long to produce, and where.
type Options struct {
	Rate     float64       // transactions per second
	Duration time.Duration // how long the producer sends
	// Brokers is a Kafka cluster; "" starts an embedded broker in this
	// process.
	Brokers    string
	Partitions int
	// DatabaseURL is a PostgreSQL server for a throw-away database; ""
	// starts an embedded one.
	DatabaseURL string
	MaxBatch    int
}

// idlePause is how long the driver waits before measuring the lag again
// when a run found Kafka drained: the producer's next records are then
// milliseconds away, and measuring asks the broker for its watermarks.
const idlePause = 5 * time.Millisecond

// Run produces at o.Rate for o.Duration while the medallion DAG runs back
// to back (a new run as soon as the previous one ended, or as soon as
// there is data), then reads when each transaction became visible.
func Run(ctx context.Context, o Options) (Report, error) {
	if o.Rate <= 0 || o.Duration <= 0 {
		return Report{}, errors.New("freshness: rate and duration must be positive")
	}
	brokers := o.Brokers
	topic := fmt.Sprintf("freshness-%d", time.Now().UnixNano())
	if brokers == "" {
		e, err := kafka.StartEmbedded("", kafka.WithPartitions(o.Partitions), kafka.WithTopics(topic))
		if err != nil {
			return Report{}, err
		}
		defer e.Close()
		brokers = e.Addr()
	}
	if err := kafka.EnsureTopic(ctx, brokers, topic, o.Partitions); err != nil {
		return Report{}, err
	}
	dir, err := os.MkdirTemp("", "finpipe-freshness-")
	if err != nil {
		return Report{}, err
	}
	defer os.RemoveAll(dir)
	p := dags.Pipeline{Lake: lake.Opener(dir, nil), Brokers: brokers, Topic: topic, MaxBatch: o.MaxBatch}
	e, err := bench.StartEngine(ctx, o.DatabaseURL, 2, p)
	if err != nil {
		return Report{}, err
	}
	defer e.Stop()
	l, err := p.Lake()
	if err != nil {
		return Report{}, err
	}
	sent, err := produceWhileDraining(ctx, drive.Driver{Store: e.Store, Label: "freshness"}, l, p, o)
	if err != nil {
		return Report{}, err
	}
	r, err := measure(ctx, e, l)
	r.Rate, r.DurationSeconds, r.Sent = o.Rate, o.Duration.Seconds(), sent
	return r, err
}

// produceWhileDraining sends the traffic in the background and drives
// medallion runs until the producer has finished and the lake has caught
// up with everything it sent.
func produceWhileDraining(ctx context.Context, d drive.Driver, l *lake.Lake, p dags.Pipeline, o Options) (int64, error) {
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		st  produce.Stats
		err error
	}
	done := make(chan result, 1)
	go func() {
		st, err := produce.Produce(pctx, p.Brokers, p.Topic, produce.Options{
			Count: int(o.Rate * o.Duration.Seconds()), Rate: o.Rate, Seed: 1})
		done <- result{st, err}
	}()
	var finished *result
	for {
		if _, err := d.UntilDrained(ctx, l, p, nil); err != nil {
			return 0, err
		}
		if finished == nil {
			select {
			case r := <-done:
				finished = &r
				if r.err != nil {
					return 0, r.err
				}
				continue // one more drain: what was sent last
			case <-time.After(idlePause):
				continue
			}
		}
		// Drained after the producer finished: every acknowledged record is
		// in Bronze, Silver and Gold.
		lag, err := medallion.Measure(ctx, l, p.Brokers, p.Topic)
		if err != nil {
			return 0, err
		}
		if lag.Drained() {
			return finished.st.Sent, nil
		}
	}
}
