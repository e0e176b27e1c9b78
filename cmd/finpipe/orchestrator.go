package main

// Helpers shared by the orchestrator's subcommands (scheduler, worker,
// migrate, dags, tasks, bench, standalone).

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/finpipe/finpipe/dags"
	"github.com/finpipe/finpipe/internal/config"
	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/internal/logging"
	"github.com/finpipe/finpipe/internal/metrics"
	"github.com/finpipe/finpipe/internal/pgembed"
	"github.com/finpipe/finpipe/scheduler"
)

// embeddedPGDir is where standalone keeps its embedded PostgreSQL cluster.
func embeddedPGDir(cfg *config.Settings) string { return filepath.Join(cfg.DataDir, "postgres") }

// openStore connects the orchestrator's store: DATABASE_URL when set, else
// the embedded PostgreSQL that a running `finpipe standalone` started under
// the same data dir (so `finpipe dags list` works next to it).
func openStore(ctx context.Context, cfg *config.Settings, opts ...scheduler.StoreOptions) (*scheduler.Store, error) {
	url := cfg.DatabaseURL
	if url == "" {
		u, ok := pgembed.Running(embeddedPGDir(cfg))
		if !ok {
			return nil, errors.New("no database: set DATABASE_URL, or start `finpipe standalone` with the same --data-dir")
		}
		url = u
	}
	return scheduler.Open(ctx, url, opts...)
}

// poolFor sizes a process's connection pool: a connection per attempt that
// may report at once, plus a few for claims, heartbeats, the scheduler and
// listeners (pgx's default, 4, would queue a busy worker's reports). m, the
// process's metrics, records the runs and attempts the store sees.
func poolFor(concurrency int, m *metrics.Metrics) scheduler.StoreOptions {
	return scheduler.StoreOptions{MaxConns: int32(concurrency + 6), Metrics: m}
}

// parseArgs parses flags that may come before, between or after positional
// arguments ("dags trigger DAG --wait") and checks that want positionals
// were given (-1: any number). Help prints the usage on stdout and exits 0;
// a bad flag or argument count prints the problem and the usage on stderr
// and exits 2.
func (proc *process) parseArgs(fs *flag.FlagSet, args []string, want int) ([]string, error) {
	var pos []string
	for {
		if err := proc.parseOnce(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if want >= 0 && len(pos) != want {
		fmt.Fprintf(proc.stderr, "expected %d argument(s), got %d\n", want, len(pos))
		fs.SetOutput(proc.stderr)
		fs.Usage()
		return nil, exitError{code: 2}
	}
	return pos, nil
}

// parseOnce is fs.Parse with help on stdout: the flag package writes both
// the help and its errors to one output, but help is an answer (stdout,
// exit 0) and an error is not (stderr, exit 2).
func (proc *process) parseOnce(fs *flag.FlagSet, args []string) error {
	usage := fs.Usage
	fs.Usage = func() {} // printed below, on the right stream
	fs.SetOutput(proc.stderr)
	err := fs.Parse(args)
	fs.Usage = usage
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(proc.stdout)
		fs.Usage()
		return exitError{code: 0}
	case err != nil: // the flag package printed the problem
		fs.Usage()
		return exitError{code: 2}
	}
	return nil
}

// newLogger builds the process logger from the settings.
func (proc *process) newLogger(cfg *config.Settings) *slog.Logger {
	return logging.Setup(cfg.LogFormat, cfg.LogLevel, proc.stderr)
}

// shippedRegistry validates the DAGs this binary ships, their pipeline
// tasks set up from cfg and the Kafka brokers in use.
func shippedRegistry(cfg *config.Settings, brokers string, m *metrics.Metrics) (*scheduler.Registry, error) {
	return dags.Registry(dags.PipelineFrom(cfg, brokers, m))
}

// configuredBrokers are the brokers a process that does not start its own
// uses: KAFKA_BROKERS, else the embedded broker a running standalone serves
// from the same data dir, else none (pipeline tasks then fail with a clear
// error and retry, while the rest of the engine works).
func configuredBrokers(cfg *config.Settings) string {
	if cfg.KafkaBrokers != "" {
		return cfg.KafkaBrokers
	}
	addr, _ := kafka.RunningEmbeddedAddr(kafka.EmbeddedDir(cfg.DataDir))
	return addr
}

// engineProcess is what a long-running orchestrator process (scheduler,
// worker, standalone) needs once its flags are parsed.
type engineProcess struct {
	cfg     *config.Settings
	reg     *scheduler.Registry
	log     *slog.Logger
	metrics *metrics.Metrics
}

// services prepends, when --metrics-addr is set, a /metrics and /healthz
// server to a process's services (the scheduler and worker processes have
// no web server of their own), reporting what src measures.
func (p *engineProcess) services(src metrics.Sources, svcs ...service) []service {
	if p.cfg.MetricsAddr == "" {
		return svcs
	}
	m := metrics.NewServer(p.cfg.MetricsAddr, p.metrics, src)
	return append([]service{{name: "metrics", start: m.Start, stop: m.Stop}}, svcs...)
}

// parseEngineProcess parses the flags of an engine command (which binds
// the data dir, database URL, log settings, the ingest groups that shape the
// medallion DAG, and any extra keys), loads the settings and validates the
// shipped DAGs.
func (proc *process) parseEngineProcess(fs *flag.FlagSet, args []string, extra ...config.Key) (*engineProcess, error) {
	keys := append([]config.Key{config.DataDir, config.DatabaseURL, config.KafkaBrokers, config.Env, config.LakeURL,
		config.IngestGroups, config.LogFormat, config.LogLevel, config.MetricsAddr}, extra...)
	cfg := config.Register(fs, keys...)
	if _, err := proc.parseArgs(fs, args, 0); err != nil {
		return nil, err
	}
	if err := cfg.Load(); err != nil {
		return nil, err
	}
	reg, err := shippedRegistry(cfg, configuredBrokers(cfg), proc.metrics)
	if err != nil {
		return nil, err
	}
	return &engineProcess{cfg: cfg, reg: reg, log: proc.newLogger(cfg), metrics: proc.metrics}, nil
}

// usageFor sets a FlagSet's usage text: a synopsis, then the flags.
func usageFor(fs *flag.FlagSet, synopsis string) {
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: "+synopsis+"\n\nflags:")
		fs.PrintDefaults()
	}
}

// parseFlags is parseArgs for commands that only need the count checked.
func (proc *process) parseFlags(fs *flag.FlagSet, args []string, want int) error {
	_, err := proc.parseArgs(fs, args, want)
	return err
}

// parseConf parses a --conf value: empty, or a JSON object.
func parseConf(raw string) (map[string]any, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	var v any
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("--conf is not valid JSON: %v (at byte %d)", err, se.Offset)
		}
		return nil, fmt.Errorf("--conf is not valid JSON: %v", err)
	}
	conf, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("--conf must be a JSON object such as {\"dates\": [\"2026-03-01\"]}, got %s", jsonKind(v))
	}
	return conf, nil
}

// jsonKind names the JSON type of a decoded value.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "an array"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "an object"
}
