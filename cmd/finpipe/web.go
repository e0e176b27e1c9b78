package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/finpipe/finpipe/internal/config"
	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/internal/metrics"
	"github.com/finpipe/finpipe/scheduler"
	"github.com/finpipe/finpipe/web"
)

func init() {
	register(command{name: "web", summary: "serve the web UI and REST API against DATABASE_URL", run: runWeb})
}

// runWeb serves the UI and API only: no scheduler, no workers. Any number
// of web processes may run against one database.
func runWeb(ctx context.Context, proc *process, args []string) error {
	fs := flag.NewFlagSet("web", flag.ContinueOnError)
	usageFor(fs, "finpipe web [flags]\n\nServes the web UI and the REST API (/api/v1, described at /api/v1/openapi.json).")
	cfg := config.Register(fs, config.DataDir, config.Env, config.LakeURL, config.HTTPAddr, config.APIToken, config.TrustedProxies,
		config.DatabaseURL, config.KafkaBrokers, config.Topic, config.LogFormat, config.LogLevel)
	if err := proc.parseFlags(fs, args, 0); err != nil {
		return err
	}
	if err := cfg.Load(); err != nil {
		return err
	}
	store, err := openStore(ctx, cfg, scheduler.StoreOptions{Metrics: proc.metrics})
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.CheckSchema(ctx); err != nil {
		return fmt.Errorf("%w (run `finpipe migrate up`)", err)
	}
	log := proc.newLogger(cfg)
	return runServices(ctx, log, []service{proc.webService(cfg, log,
		func() *scheduler.Store { return store }, func() string { return cfg.KafkaBrokers }, false)})
}

// webService is the web server as one of a process's services. The store
// and the broker address are read when it starts, so `finpipe standalone`
// can list it after the services that open the database and start Kafka:
//
//	proc.webService(st.cfg, st.log, func() *scheduler.Store { return st.store }, brokerAddr, true)
//
// countStates makes its /metrics count task instances by state, which one
// process per deployment does (see package metrics).
func (proc *process) webService(cfg *config.Settings, log *slog.Logger, store func() *scheduler.Store, brokers func() string, countStates bool) service {
	var srv *web.Server
	return service{
		name: "web",
		start: func(ctx context.Context) error {
			opts, err := proc.webOptions(cfg, store(), brokers(), countStates)
			if err != nil {
				return err
			}
			opts.Logger = log
			if srv, err = web.NewServer(cfg.HTTPAddr, opts); err != nil {
				return err
			}
			return srv.Start(ctx)
		},
		stop: func(ctx context.Context) error { return srv.Stop(ctx) },
	}
}

// webOptions wires the web layer to the store, the lake and (when brokers
// is non-empty) Kafka, and prints where the UI is and how to log in. It is
// shared with `finpipe standalone`, which passes its embedded broker.
func (proc *process) webOptions(cfg *config.Settings, store *scheduler.Store, brokers string, countStates bool) (web.Options, error) {
	token, created, err := web.LoadOrCreateToken(cfg.DataDir, cfg.APIToken)
	if err != nil {
		return web.Options{}, err
	}
	opts := web.Options{
		Orchestrator:   store,
		Token:          token,
		LakeDir:        cfg.LakeDir(),
		Lake:           lakeLayout(),
		Health:         []web.HealthCheck{{Name: "database", Check: store.Ping}},
		TrustedProxies: cfg.Proxies(),
	}
	var sources metrics.Sources
	if countStates {
		sources.States = store
	}
	if brokers != "" {
		opts.KafkaLag = webKafkaLag(cfg.LakeDir(), kafka.ConnFrom(cfg, brokers), cfg.Topic)
		// web and standalone, one process per deployment, report the lag.
		sources.Lag = kafkaLagSource(cfg.LakeDir(), kafka.ConnFrom(cfg, brokers), cfg.Topic)
		opts.Health = append(opts.Health, web.HealthCheck{Name: "broker", Check: func(ctx context.Context) error {
			_, err := kafka.Partitions(ctx, kafka.ConnFrom(cfg, brokers), cfg.Topic)
			return err
		}})
	}
	opts.Metrics = proc.metrics.Handler(sources)
	proc.printLogin(cfg, token, created)
	return opts, nil
}

// printLogin tells the operator where the UI is and which token logs in.
// A freshly generated token is printed once, so `make run` needs no other
// step; afterwards only its file is named.
func (proc *process) printLogin(cfg *config.Settings, token string, created bool) {
	url := "http://" + cfg.HTTPAddr + "/login"
	switch {
	case cfg.APIToken != "":
		fmt.Fprintf(proc.stderr, "FinPipe UI: %s — log in with the token in FINPIPE_API_TOKEN\n", url)
	case created:
		fmt.Fprintf(proc.stderr, "FinPipe UI: %s — generated an API token and saved it in %s\nlog in with: %s\nAPI:  curl -H 'Authorization: Bearer %s' http://%s/api/v1/dags\n",
			url, filepath.Join(cfg.DataDir, web.TokenFile), token, token, cfg.HTTPAddr)
	default:
		fmt.Fprintf(proc.stderr, "FinPipe UI: %s — log in with the token in %s\n", url, filepath.Join(cfg.DataDir, web.TokenFile))
	}
}
