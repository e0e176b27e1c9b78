package main

import (
	"context"
	"flag"

	"github.com/finpipe/finpipe/internal/bench/pipeline"
	"github.com/finpipe/finpipe/internal/config"
)

func init() {
	registerBench(command{name: "pipeline", summary: "end-to-end Kafka → Gold throughput through the scheduler and a worker, with peak RSS", run: runBenchPipeline})
}

func runBenchPipeline(ctx context.Context, proc *process, args []string) error {
	fs := flag.NewFlagSet("bench pipeline", flag.ContinueOnError)
	usageFor(fs, "finpipe bench pipeline [--transactions N] [--partitions P] [--max-batch N] [--json]")
	cfg := config.Register(fs, config.KafkaBrokers, config.DatabaseURL)
	var o pipeline.Options
	s := &o.Feed
	fs.IntVar(&s.Transactions, "transactions", 1_000_000, "`number` of transactions to produce and process")
	fs.IntVar(&s.Partitions, "partitions", 3, "`number` of topic partitions")
	fs.Int64Var(&s.Seed, "seed", 1, "generator `seed`")
	fs.Float64Var(&s.Bad, "bad-ratio", 0.02, "`share` of broken records")
	fs.Float64Var(&s.Dup, "duplicate-ratio", 0.01, "`share` of duplicate records")
	fs.StringVar(&s.Topic, "topic", "", "topic `name` (default: a fresh bench-<time> topic)")
	fs.IntVar(&o.MaxBatch, "max-batch", pipeline.DefaultMaxBatch, "most `records` one ingest or clean task takes")
	fs.IntVar(&o.IngestGroups, "ingest-groups", 1, "ingest `tasks` per run, each reading its share of the partitions")
	fs.IntVar(&o.Workers, "workers", 2, "task instances the worker runs at once")
	fs.DurationVar(&o.AggregateEvery, "aggregate-every", pipeline.DefaultAggregateEvery, "least `time` between two Gold refreshes while Kafka holds a backlog")
	fs.StringVar(&o.LakeDir, "lake", "", "write the lake to this `directory` and keep it (default: a temporary one, removed)")
	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of the pipeline to this `file`")
	fs.StringVar(&o.Trace, "trace", "", "write an execution trace of the pipeline to this `file` (go tool trace)")
	fs.StringVar(&o.MemProfile, "memprofile", "", "write a heap profile taken when the live heap was largest to this `file`")
	asJSON := fs.Bool("json", false, "print one JSON object")
	feeder := fs.Bool("feeder", false, "internal: run as the benchmark's broker and producer process")
	if err := proc.parseFlags(fs, args, 0); err != nil {
		return err
	}
	if err := cfg.Load(); err != nil {
		return err
	}
	s.Brokers, o.DatabaseURL = cfg.KafkaBrokers, cfg.DatabaseURL
	if *feeder {
		return pipeline.RunFeeder(ctx, *s)
	}
	r, err := pipeline.Run(ctx, o)
	if err != nil {
		return err
	}
	return r.Print(proc.stdout, *asJSON)
}
