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
	usageFor(fs, "finpipe bench pipeline [--transactions N] [--partitions P] [--max-batch N] [--json]\n\n"+
		"The pipeline runs with the product's settings: --max-batch, --aggregate-every, --ingest-groups and\n"+
		"--workers read FINPIPE_MAX_BATCH, FINPIPE_AGGREGATE_EVERY, FINPIPE_INGEST_GROUPS and FINPIPE_WORKERS\n"+
		"and default as `finpipe scheduler` does. Like the product, the bench sets no Go memory limit: set\n"+
		"GOMEMLIMIT (e.g. GOMEMLIMIT=384MiB in a 512 MB container) for both to have the Go runtime collect\n"+
		"sooner as the heap nears it; the JSON reports max_batch, aggregate_every_seconds and gomemlimit_mb (0: none).")
	// The pipeline's settings are the product's own keys: the same flags,
	// environment variables and defaults as `finpipe scheduler`.
	cfg := config.Register(fs, config.KafkaBrokers, config.DatabaseURL,
		config.MaxBatch, config.AggregateEvery, config.IngestGroups, config.Workers)
	var o pipeline.Options
	s := &o.Feed
	fs.IntVar(&s.Transactions, "transactions", 1_000_000, "`number` of transactions to produce and process")
	fs.IntVar(&s.Partitions, "partitions", 3, "`number` of topic partitions")
	fs.Int64Var(&s.Seed, "seed", 1, "generator `seed`")
	fs.Float64Var(&s.Bad, "bad-ratio", 0.02, "`share` of broken records")
	fs.Float64Var(&s.Dup, "duplicate-ratio", 0.01, "`share` of duplicate records")
	fs.StringVar(&s.Topic, "topic", "", "topic `name` (default: a fresh bench-<time> topic)")
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
	o.MaxBatch, o.AggregateEvery, o.IngestGroups, o.Workers = cfg.MaxBatch, cfg.AggregateEvery, cfg.IngestGroups, cfg.Workers
	if *feeder {
		return pipeline.RunFeeder(ctx, *s)
	}
	r, err := pipeline.Run(ctx, o)
	if err != nil {
		return err
	}
	return r.Print(proc.stdout, *asJSON)
}
