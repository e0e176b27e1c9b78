package main

import (
	"context"
	"flag"
	"time"

	"github.com/finpipe/finpipe/internal/bench/freshness"
	"github.com/finpipe/finpipe/internal/config"
)

func init() {
	registerBench(command{name: "freshness", summary: "a steady producer: Kafka append → visible in Silver and Gold, p50/p99/max, through the scheduler", run: runBenchFreshness})
}

func runBenchFreshness(ctx context.Context, proc *process, args []string) error {
	fs := flag.NewFlagSet("bench freshness", flag.ContinueOnError)
	usageFor(fs, "finpipe bench freshness [--rate R] [--duration D] [--json]")
	cfg := config.Register(fs, config.KafkaBrokers, config.DatabaseURL)
	var o freshness.Options
	fs.Float64Var(&o.Rate, "rate", 10_000, "`transactions` per second")
	fs.DurationVar(&o.Duration, "duration", 30*time.Second, "how long the producer sends (a `duration`)")
	fs.IntVar(&o.Partitions, "partitions", 3, "`number` of topic partitions")
	fs.IntVar(&o.MaxBatch, "max-batch", 100_000, "most `records` one ingest or clean task takes")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := proc.parseFlags(fs, args, 0); err != nil {
		return err
	}
	if err := cfg.Load(); err != nil {
		return err
	}
	o.Brokers, o.DatabaseURL = cfg.KafkaBrokers, cfg.DatabaseURL
	r, err := freshness.Run(ctx, o)
	if err != nil {
		return err
	}
	return r.Print(proc.stdout, *asJSON)
}
