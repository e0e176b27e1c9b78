package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"time"

	"github.com/finpipe/finpipe/dags"
	"github.com/finpipe/finpipe/internal/config"
	"github.com/finpipe/finpipe/internal/demo"
	"github.com/finpipe/finpipe/internal/drive"
	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/scheduler"
	"github.com/finpipe/finpipe/tasks/produce"
)

func init() {
	register(command{name: "demo", summary: "produce transactions, run the pipeline DAGs until Kafka is drained, print a summary", run: runDemo})
}

// demoArgs are the demo's own flags; the settings are in cfg.
type demoArgs struct {
	cfg    *config.Settings
	count  int
	input  string
	seed   int64
	asJSON bool
}

func runDemo(ctx context.Context, proc *process, args []string) error {
	a, err := proc.parseDemo(args)
	if err != nil {
		return err
	}
	lock, err := holdDataDir(a.cfg)
	if err != nil {
		return err
	}
	defer lock.Release()
	log := proc.newLogger(a.cfg)
	began := time.Now()
	brokers, stopKafka, err := demoKafka(a.cfg)
	if err != nil {
		return err
	}
	defer stopKafka()
	sent, err := proc.sendDemo(ctx, a, brokers, log)
	if err != nil {
		return err
	}
	p := dags.PipelineFrom(a.cfg, brokers, proc.metrics)
	store, stopEngine, err := proc.startDemoEngine(ctx, a.cfg, log, p)
	if err != nil {
		return err
	}
	defer stopEngine()
	r, err := demo.Drain(ctx, drive.Driver{Store: store, Label: "demo"}, p, newBar(proc.progressOut(), "pipeline", "tx"))
	if err != nil {
		return err
	}
	r.Produced, r.Timing.Produce, r.Timing.Total = sent.Sent, sent.Elapsed, time.Since(began)
	return r.Print(proc.stdout, a.asJSON)
}

func (proc *process) parseDemo(args []string) (demoArgs, error) {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	usageFor(fs, "finpipe demo [--transactions N | --input FILE] [--json] [flags]")
	a := demoArgs{cfg: config.Register(fs, config.DataDir, config.Env, config.LakeURL, config.DatabaseURL, config.KafkaBrokers, config.Topic,
		config.Partitions, config.MaxBatch, config.IngestGroups, config.AllowedLateness, config.LogFormat, config.LogLevel)}
	fs.IntVar(&a.count, "transactions", 10_000, "`number` of generated transactions to send (about 5% broken, 2% duplicates, 1% late)")
	fs.StringVar(&a.input, "input", "", "send each line of this `file` as one message instead of generating")
	fs.Int64Var(&a.seed, "seed", 0, "generator `seed`; 0 picks one from the clock")
	fs.BoolVar(&a.asJSON, "json", false, "print the summary as one JSON object")
	if err := proc.parseFlags(fs, args, 0); err != nil {
		return a, err
	}
	if err := a.cfg.Load(); err != nil {
		return a, err
	}
	if a.input != "" && flagGiven(fs, "transactions") {
		return a, errors.New("give --transactions or --input, not both")
	}
	return a, nil
}

// sendDemo creates the topic when needed and sends the demo's messages,
// with a progress bar on a terminal.
func (proc *process) sendDemo(ctx context.Context, a demoArgs, brokers string, log *slog.Logger) (produce.Stats, error) {
	conn := kafka.ConnFrom(a.cfg, brokers)
	if err := kafka.EnsureTopic(ctx, conn, a.cfg.Topic, a.cfg.Partitions); err != nil {
		return produce.Stats{}, err
	}
	traffic := demo.Traffic(a.count, a.seed)
	traffic.Progress = newBar(proc.progressOut(), "produce", "msg")
	sent, err := demo.Send(ctx, conn, a.cfg.Topic, a.input, traffic)
	if err == nil {
		log.Info("produced", "messages", sent.Sent, "topic", a.cfg.Topic, "seed", traffic.Seed)
	}
	return sent, err
}

// startDemoEngine starts what the demo drains through: PostgreSQL (the data
// dir's embedded one unless DATABASE_URL), the schema, a scheduler and a
// worker. stop ends them in reverse order.
func (proc *process) startDemoEngine(ctx context.Context, cfg *config.Settings, log *slog.Logger, p dags.Pipeline) (*scheduler.Store, func(), error) {
	reg, err := demoRegistry(p)
	if err != nil {
		return nil, nil, err
	}
	st := &standalone{proc: proc, cfg: cfg, log: log, reg: reg, grace: 10 * time.Second}
	var stops []func()
	stop := func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	if err := st.startPostgres(ctx); err != nil {
		return nil, nil, err
	}
	stops = append(stops, func() { _ = st.stopPostgres(context.Background()) })
	if err := st.migrate(ctx); err != nil {
		stop()
		return nil, nil, err
	}
	opts, closeTopics := schedulerOptions(cfg, p.Brokers, log)
	stops = append(stops, closeTopics)
	sch := scheduler.NewScheduler(st.store, reg, opts)
	if err := sch.Start(ctx); err != nil {
		stop()
		return nil, nil, err
	}
	stops = append(stops, func() { _ = sch.Stop(context.Background()) })
	w := scheduler.NewWorker(st.store, reg, workerOptions(cfg, 0, "", st.grace, log))
	if err := w.Start(ctx); err != nil {
		stop()
		return nil, nil, err
	}
	stops = append(stops, func() { _ = w.Stop(context.Background()) })
	return st.store, stop, nil
}

// demoRegistry holds only the DAGs the demo triggers. gold_daily would
// catch up on every day since dags.DataStart and lake_maintenance would
// compact: work a running deployment does on its schedule, which here would
// only race the demo's own runs for the Gold tables.
func demoRegistry(p dags.Pipeline) (*scheduler.Registry, error) {
	return dags.RegistryOf(p, dags.Medallion(p), dags.GoldHourlyRefresh(p))
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

// flagGiven reports whether the named flag was set on the command line.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}
