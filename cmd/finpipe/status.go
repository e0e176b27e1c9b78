package main

import (
	"context"
	"encoding/json"
	"flag"
	"sort"
	"time"

	"github.com/finpipe/finpipe/internal/config"
	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/scheduler"
)

func init() {
	register(command{name: "status", summary: "one screen: scheduler and worker health, queue, Kafka lag, last runs", run: runStatus})
}

// staleAfter is when a worker's heartbeat counts as missed: the scheduler's
// default ReapAfter, after which its attempts are retried elsewhere.
const staleAfter = 30 * time.Second

// recentRuns is how many runs per DAG the status shows.
const recentRuns = 5

// statusReport is everything `finpipe status` shows, gathered first so that
// the text and --json outputs agree.
type statusReport struct {
	At         time.Time                 `json:"at"`
	Schedulers []scheduler.SchedulerConn `json:"schedulers"`
	Workers    []scheduler.WorkerInfo    `json:"workers"`
	Tasks      map[string]int            `json:"task_instances"`
	Kafka      kafkaStatus               `json:"kafka"`
	DAGs       []dagStatus               `json:"dags"`
}

type kafkaStatus struct {
	Brokers string         `json:"brokers,omitempty"`
	Topic   string         `json:"topic"`
	Lag     []partitionLag `json:"lag,omitempty"`
	Error   string         `json:"error,omitempty"`
}

type partitionLag struct {
	Partition int32 `json:"partition"`
	Lag       int64 `json:"lag"`
}

type dagStatus struct {
	DAGID    string             `json:"dag_id"`
	Schedule string             `json:"schedule"`
	Assets   []string           `json:"assets"`
	Paused   bool               `json:"paused"`
	Runs     []scheduler.DagRun `json:"runs"` // newest first
}

// runStatus prints the state of a deployment for a person at a terminal.
// It reads only: the database, Kafka's watermarks and Bronze's log.
func runStatus(ctx context.Context, proc *process, args []string) error {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	usageFor(fs, "finpipe status [--json] [flags]\n\nShows schedulers and workers (with heartbeats), the task queue, Kafka lag per partition and the last runs of each DAG.")
	asJSON := fs.Bool("json", false, "print the report as one JSON object")
	cfg, _, store, err := proc.dbCommandWith(ctx, fs, args, 0, config.Env, config.KafkaBrokers, config.Topic)
	if err != nil {
		return err
	}
	defer store.Close()
	r, err := gatherStatus(ctx, cfg, store)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(proc.stdout).Encode(r)
	}
	printStatus(proc.stdout, r)
	return nil
}

func gatherStatus(ctx context.Context, cfg *config.Settings, store *scheduler.Store) (statusReport, error) {
	r := statusReport{At: time.Now().UTC()}
	var err error
	if r.Schedulers, err = store.ListSchedulers(ctx); err != nil {
		return r, err
	}
	if r.Workers, err = store.ListWorkers(ctx); err != nil {
		return r, err
	}
	if r.Tasks, err = store.CountTaskStates(ctx); err != nil {
		return r, err
	}
	dags, err := store.ListDAGs(ctx)
	if err != nil {
		return r, err
	}
	for _, d := range dags {
		if !d.IsActive {
			continue
		}
		page, err := store.ListRuns(ctx, scheduler.RunFilter{DAGID: d.DAGID, Limit: recentRuns})
		if err != nil {
			return r, err
		}
		r.DAGs = append(r.DAGs, dagStatus{DAGID: d.DAGID, Schedule: d.Schedule, Assets: d.Assets, Paused: d.IsPaused, Runs: page.Runs})
	}
	r.Kafka = kafkaLagStatus(ctx, cfg)
	return r, nil
}

// kafkaLagStatus measures lag as the metrics gauge does; a broker that is
// down or not configured is reported, not fatal: the rest of the screen
// matters most exactly then.
func kafkaLagStatus(ctx context.Context, cfg *config.Settings) kafkaStatus {
	k := kafkaStatus{Topic: cfg.Topic}
	brokers, err := produceBrokers(cfg, "")
	if err != nil {
		k.Error = err.Error()
		return k
	}
	k.Brokers = brokers
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, lag, err := kafkaLagSource(cfg.LakeDir(), kafka.ConnFrom(cfg, brokers), cfg.Topic).KafkaLag(ctx)
	if err != nil {
		k.Error = err.Error()
		return k
	}
	for p, n := range lag {
		k.Lag = append(k.Lag, partitionLag{Partition: p, Lag: n})
	}
	sort.Slice(k.Lag, func(i, j int) bool { return k.Lag[i].Partition < k.Lag[j].Partition })
	return k
}
