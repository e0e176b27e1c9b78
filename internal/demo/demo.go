// Package demo is `finpipe demo`: send a data set to Kafka, drain it
// through the pipeline DAGs on a running scheduler and worker, and report
// what the lake holds. cmd wires the services; this package is the demo's
// story.
package demo

import (
	"context"
	"time"

	"github.com/finpipe/finpipe/dags"
	"github.com/finpipe/finpipe/internal/drive"
	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/tasks/medallion"
	"github.com/finpipe/finpipe/tasks/produce"
)

// Traffic is the demo's generated data: about 5 % broken records (every
// reason), 2 % duplicates and 1 % late events, so that every Silver rule
// shows in the summary.
func Traffic(count int, seed int64) produce.Options {
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	return produce.Options{Count: count, Seed: seed, BadRatio: 0.05, DuplicateRatio: 0.02, LateRatio: 0.01}
}

// Send produces the demo's messages: the lines of input when given, else
// the generated traffic of opts.
func Send(ctx context.Context, brokers kafka.Conn, topic, input string, opts produce.Options) (produce.Stats, error) {
	if input != "" {
		return produce.ProduceFile(ctx, brokers, topic, input, produce.Options{Progress: opts.Progress})
	}
	return produce.Produce(ctx, brokers, topic, opts)
}

// Drain triggers finpipe_medallion runs through the scheduler until Kafka
// is drained, then refreshes Gold once with gold_hourly_refresh, as the
// hourly schedule would, and summarises the lake. progress (nil: none)
// counts the records ingested.
func Drain(ctx context.Context, d drive.Driver, p dags.Pipeline, progress produce.Progress) (Report, error) {
	l, err := p.Lake()
	if err != nil {
		return Report{}, err
	}
	began := time.Now()
	runs, err := d.UntilDrained(ctx, l, p, progress)
	if err != nil {
		return Report{}, err
	}
	if _, err := d.Run(ctx, dags.GoldHourlyRefreshDAG); err != nil {
		return Report{}, err
	}
	took := time.Since(began)
	sum, err := medallion.Summarize(ctx, l)
	if err != nil {
		return Report{}, err
	}
	return Report{Summary: sum, Runs: len(runs), LakeDir: l.Dir, Timing: Timing{Pipeline: took}}, nil
}
