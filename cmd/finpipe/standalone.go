package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/finpipe/finpipe/internal/config"
	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/internal/pgembed"
	"github.com/finpipe/finpipe/scheduler"
	"github.com/finpipe/finpipe/tasks/produce"
)

func init() {
	register(command{name: "standalone", summary: "everything in one process: embedded PostgreSQL and Kafka (unless configured), scheduler, workers, web UI, optional producer", run: runStandalone})
}

// standalone is the state its services share; each service's start fills
// in what later services use.
type standalone struct {
	proc  *process
	cfg   *config.Settings
	log   *slog.Logger
	reg   *scheduler.Registry
	pg    *pgembed.Server
	store *scheduler.Store
	grace time.Duration
	// brokers are the Kafka bootstrap servers in use; closeKafka stops the
	// embedded broker when this process started one.
	brokers    string
	closeKafka func()
}

func runStandalone(ctx context.Context, proc *process, args []string) error {
	fs := flag.NewFlagSet("standalone", flag.ContinueOnError)
	usageFor(fs, "finpipe standalone [flags]")
	grace := fs.Duration("grace", 30*time.Second, "on SIGTERM, how long running tasks may finish before they are handed back")
	p, err := proc.parseEngineProcess(fs, args, config.Workers, config.HTTPAddr, config.APIToken, config.TrustedProxies,
		config.Topic, config.Partitions, config.ProduceRate, config.MaxBatch, config.AllowedLateness)
	if err != nil {
		return err
	}
	st := &standalone{proc: proc, cfg: p.cfg, log: p.log, reg: p.reg, grace: *grace}
	return runServices(ctx, st.log, st.services())
}

// services lists standalone's parts in start order: the data dir's lock
// first, then the database, the schema, the broker, the scheduler, the
// workers, the web server and, when FINPIPE_PRODUCE_RATE is set, a producer
// of fake transactions.
func (st *standalone) services() []service {
	closeTopics := func() {}
	sch := func() *scheduler.Scheduler {
		var opts scheduler.SchedulerOptions
		opts, closeTopics = schedulerOptions(st.cfg, st.brokers, st.log)
		return scheduler.NewScheduler(st.store, st.reg, opts)
	}
	var s *scheduler.Scheduler
	var w *scheduler.Worker
	return []service{
		dataDirService(st.cfg),
		{name: "postgres", start: st.startPostgres, stop: st.stopPostgres},
		{name: "migrations", start: st.migrate},
		{name: "kafka", start: st.startKafka, stop: st.stopKafka},
		{name: "scheduler",
			start: func(ctx context.Context) error { s = sch(); return s.Start(ctx) },
			stop:  func(ctx context.Context) error { defer closeTopics(); return s.Stop(ctx) }},
		retentionService(st.cfg, func() *scheduler.Store { return st.store }, st.log),
		{name: "workers",
			start: func(ctx context.Context) error {
				w = scheduler.NewWorker(st.store, st.reg, workerOptions(st.cfg, 0, "", st.grace, st.log))
				return w.Start(ctx)
			},
			stop: func(ctx context.Context) error { return w.Stop(ctx) }},
		st.proc.webService(st.cfg, st.log, func() *scheduler.Store { return st.store }, func() string { return st.brokers }, true),
		st.producerService(),
	}
}

// startKafka uses KAFKA_BROKERS or starts the embedded broker under the data
// dir, then binds the pipeline DAGs to it: their tasks need its address.
func (st *standalone) startKafka(ctx context.Context) error {
	brokers, closeKafka, err := demoKafka(st.cfg)
	if err != nil {
		return err
	}
	st.brokers, st.closeKafka = brokers, closeKafka
	if err := kafka.EnsureTopic(ctx, kafka.ConnFrom(st.cfg, brokers), st.cfg.Topic, st.cfg.Partitions); err != nil {
		return err
	}
	st.log.Info("kafka", "brokers", brokers, "topic", st.cfg.Topic, "embedded", st.cfg.EmbeddedKafka())
	st.reg, err = shippedRegistry(st.cfg, brokers, st.proc.metrics)
	return err
}

func (st *standalone) stopKafka(context.Context) error {
	if st.closeKafka != nil {
		st.closeKafka()
	}
	return nil
}

// producerService sends fake transactions at FINPIPE_PRODUCE_RATE so that a
// newcomer sees data flow at once; a rate of 0 leaves the topic alone.
func (st *standalone) producerService() service {
	done := make(chan error, 1)
	var cancel context.CancelFunc = func() {}
	return service{
		name: "producer",
		start: func(ctx context.Context) error {
			if st.cfg.ProduceRate <= 0 {
				close(done)
				return nil
			}
			var pctx context.Context
			pctx, cancel = context.WithCancel(context.Background())
			// A tenth of the events arrive late, half of them within the
			// allowed lateness: Gold then has the last days besides today.
			opts := produce.Options{Rate: st.cfg.ProduceRate, BadRatio: 0.02, DuplicateRatio: 0.01,
				LateRatio: 0.1, Seed: time.Now().UnixNano()}
			st.log.Info("producing fake transactions", "rate_per_s", st.cfg.ProduceRate, "topic", st.cfg.Topic)
			go func() {
				_, err := produce.Produce(pctx, kafka.ConnFrom(st.cfg, st.brokers), st.cfg.Topic, opts)
				done <- err
			}()
			return nil
		},
		stop: func(context.Context) error {
			cancel()
			return <-done
		},
	}
}

// startPostgres connects to DATABASE_URL, or starts the embedded server
// under <data dir>/postgres.
func (st *standalone) startPostgres(ctx context.Context) error {
	url := st.cfg.DatabaseURL
	if url == "" {
		st.log.Info("starting embedded PostgreSQL", "dir", embeddedPGDir(st.cfg))
		pg, err := pgembed.Start(ctx, pgembed.Options{DataDir: embeddedPGDir(st.cfg), Durable: true, Logger: st.log})
		if err != nil {
			return err
		}
		st.pg, url = pg, pg.URL()
	}
	store, err := scheduler.Open(ctx, url, poolFor(st.cfg.Workers, st.proc.metrics))
	if err != nil {
		if st.pg != nil {
			_ = st.pg.Stop()
		}
		return err
	}
	st.store = store
	return nil
}

func (st *standalone) stopPostgres(context.Context) error {
	st.store.Close()
	if st.pg != nil {
		return st.pg.Stop()
	}
	return nil
}

func (st *standalone) migrate(ctx context.Context) error {
	applied, err := st.store.Migrate(ctx)
	for _, m := range applied {
		st.log.Info("applied migration", "version", fmt.Sprintf("%04d_%s", m.Version, m.Name))
	}
	return err
}
