package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/finpipe/finpipe/dags"
	"github.com/finpipe/finpipe/internal/config"
	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/internal/metrics"
	"github.com/finpipe/finpipe/scheduler"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/medallion"
	"github.com/finpipe/finpipe/tasks/produce"
)

func init() {
	register(command{name: "demo", summary: "produce transactions, run the pipeline DAGs until Kafka is drained, print a summary", run: runDemo})
}

// maxDemoRuns bounds the medallion runs of one demo: a pipeline that stops
// making progress must end in an error, not spin.
const maxDemoRuns = 10_000

func runDemo(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	usageFor(fs, "finpipe demo [--transactions N | --input FILE] [--json] [flags]")
	cfg := config.Register(fs, config.DataDir, config.Env, config.LakeURL, config.DatabaseURL, config.KafkaBrokers, config.Topic,
		config.Partitions, config.MaxBatch, config.IngestGroups, config.AllowedLateness, config.LogFormat, config.LogLevel)
	count := fs.Int("transactions", 10_000, "`number` of generated transactions to send (about 5% broken, 2% duplicates, 1% late)")
	input := fs.String("input", "", "send each line of this `file` as one message instead of generating")
	seed := fs.Int64("seed", 0, "generator `seed`; 0 picks one from the clock")
	asJSON := fs.Bool("json", false, "print the summary as one JSON object")
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if err := cfg.Load(); err != nil {
		return err
	}
	if *input != "" && flagGiven(fs, "transactions") {
		return errors.New("give --transactions or --input, not both")
	}
	lock, err := holdDataDir(cfg)
	if err != nil {
		return err
	}
	defer lock.Release()
	log := newLogger(cfg)
	began := time.Now()
	brokers, stopKafka, err := demoKafka(cfg)
	if err != nil {
		return err
	}
	defer stopKafka()
	if err := kafka.EnsureTopic(ctx, kafka.ConnFrom(cfg, brokers), cfg.Topic, cfg.Partitions); err != nil {
		return err
	}
	opts := produce.Options{Count: *count, Seed: *seed, BadRatio: 0.05, DuplicateRatio: 0.02, LateRatio: 0.01}
	if opts.Seed == 0 {
		opts.Seed = time.Now().UnixNano()
	}
	opts.Progress = newBar(progressOut(), "produce", "msg")
	var sent produce.Stats
	if *input != "" {
		sent, err = produce.ProduceFile(ctx, kafka.ConnFrom(cfg, brokers), cfg.Topic, *input, produce.Options{Progress: opts.Progress})
	} else {
		sent, err = produce.Produce(ctx, kafka.ConnFrom(cfg, brokers), cfg.Topic, opts)
	}
	if err != nil {
		return err
	}
	log.Info("produced", "messages", sent.Sent, "topic", cfg.Topic, "seed", opts.Seed)

	p := dags.PipelineFrom(cfg, brokers, metrics.DeltaCommit)
	reg, err := demoRegistry(p)
	if err != nil {
		return err
	}
	st := &standalone{cfg: cfg, log: log, reg: reg, grace: 10 * time.Second}
	if err := st.startPostgres(ctx); err != nil {
		return err
	}
	defer st.stopPostgres(context.Background())
	if err := st.migrate(ctx); err != nil {
		return err
	}
	sch := scheduler.NewScheduler(st.store, reg, scheduler.SchedulerOptions{Logger: log})
	if err := sch.Start(ctx); err != nil {
		return err
	}
	defer sch.Stop(context.Background())
	w := scheduler.NewWorker(st.store, reg, workerOptions(cfg, 0, "", st.grace, log))
	if err := w.Start(ctx); err != nil {
		return err
	}
	defer w.Stop(context.Background())

	l, err := p.Lake()
	if err != nil {
		return err
	}
	pipelineBegan := time.Now()
	runs, err := drainWithDAG(ctx, st.store, l, p, newBar(progressOut(), "pipeline", "tx"))
	if err != nil {
		return err
	}
	if _, err := runDAG(ctx, st.store, dags.GoldHourlyRefreshDAG); err != nil {
		return err
	}
	timing := demoTiming{Produce: sent.Elapsed, Pipeline: time.Since(pipelineBegan), Total: time.Since(began)}
	sum, err := medallion.Summarize(ctx, l)
	if err != nil {
		return err
	}
	return printDemo(demoReport{sum, sent.Sent, runs, l.Dir, timing}, *asJSON)
}

// demoRegistry holds only the DAGs the demo triggers. gold_daily would
// catch up on every day since dags.DataStart and lake_maintenance would
// compact: work a running deployment does on its schedule, which here would
// only race the demo's own runs for the Gold tables.
func demoRegistry(p dags.Pipeline) (*scheduler.Registry, error) {
	return scheduler.NewRegistry(dags.Medallion(p), dags.GoldHourlyRefresh(p))
}

// demoKafka uses KAFKA_BROKERS, else the data directory's embedded broker:
// the one a running standalone serves, or one started here (persisted, so a
// second demo continues where the first stopped).
func demoKafka(cfg *config.Settings) (string, func(), error) {
	if cfg.KafkaBrokers != "" {
		return cfg.KafkaBrokers, func() {}, nil
	}
	dir := kafka.EmbeddedDir(cfg.DataDir)
	if addr, err := kafka.RunningEmbeddedAddr(dir); err == nil {
		return addr, func() {}, nil
	}
	e, err := kafka.StartEmbedded(dir, kafka.WithPartitions(cfg.Partitions), kafka.WithTopics(cfg.Topic))
	if err != nil {
		return "", nil, err
	}
	return e.Addr(), e.Close, nil
}

// drainWithDAG triggers finpipe_medallion runs, one after the other, until
// every step has consumed all of its input. progress counts the records
// ingested out of those in Kafka at the start.
func drainWithDAG(ctx context.Context, store *scheduler.Store, l *lake.Lake, p dags.Pipeline, progress *bar) (int, error) {
	defer progress.End()
	backlog := int64(-1)
	for runs := 0; runs < maxDemoRuns; {
		lag, err := medallion.Measure(ctx, l, kafka.Conn{Brokers: p.Brokers, Security: p.Security}, p.Topic)
		if err != nil {
			return runs, err
		}
		if backlog < 0 {
			backlog = lag.Kafka
			progress.Start(backlog)
		}
		progress.Set(backlog - lag.Kafka)
		if lag.Drained() {
			return runs, nil
		}
		if _, err := runDAG(ctx, store, dags.MedallionDAG); err != nil {
			return runs, err
		}
		runs++
	}
	return maxDemoRuns, fmt.Errorf("the pipeline is not drained after %d runs", maxDemoRuns)
}

// runDAG triggers a run of dagID and waits for it; a run that does not
// succeed is an error naming its failed tasks.
func runDAG(ctx context.Context, store *scheduler.Store, dagID string) (scheduler.DagRun, error) {
	now := time.Now().UTC()
	run, err := store.TriggerRun(ctx, dagID, scheduler.TriggerOptions{
		RunID: fmt.Sprintf("%s__demo__%s", dagID, now.Format("20060102T150405.000000000")), LogicalDate: now})
	if err != nil {
		return run, err
	}
	for !run.State.Finished() {
		select {
		case <-ctx.Done():
			return run, fmt.Errorf("stopped waiting; run %s is %s", run.RunID, run.State)
		case <-time.After(50 * time.Millisecond):
		}
		if run, err = store.GetRun(ctx, run.RunID); err != nil {
			return run, err
		}
	}
	if run.State != scheduler.RunSuccess {
		msg := fmt.Sprintf("run %s %s", run.RunID, run.State)
		tis, _ := store.ListTaskInstances(ctx, run.RunID)
		for _, ti := range tis {
			if ti.State == scheduler.TaskFailed {
				msg += fmt.Sprintf("; task %s: %s", ti.TaskID, firstLine(ti.Error))
			}
		}
		return run, errors.New(msg)
	}
	return run, nil
}

// flagGiven reports whether the named flag was set on the command line.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}
