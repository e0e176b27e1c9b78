package dags

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/finpipe/finpipe/internal/config"
	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/internal/metrics"
	"github.com/finpipe/finpipe/scheduler"
	"github.com/finpipe/finpipe/tasks/aggregate"
	"github.com/finpipe/finpipe/tasks/clean"
	"github.com/finpipe/finpipe/tasks/ingest"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/maintenance"
)

// Pipeline is what the pipeline DAGs need from the process that runs them.
// Zero fields mean the documented defaults.
type Pipeline struct {
	// Lake returns the lake the tasks read and write. The process owns it
	// (lake.Opener): one Lake per process, so the tables' cached snapshots
	// and the tasks' in-memory state survive between runs.
	Lake    func() (*lake.Lake, error)
	Brokers string // Kafka bootstrap servers, comma-separated
	// Security is the cluster's TLS and SASL (zero: PLAINTEXT).
	Security kafka.Security
	Topic    string // default "transactions"
	// LakeDir is where the lake lives, for the table assets' URIs
	// (optional).
	LakeDir string
	// IngestGroups splits ingest into this many tasks, each reading every
	// IngestGroups-th partition, so that several workers ingest in parallel
	// (default 1).
	IngestGroups int
	// MaxBatch bounds the records of one ingest task run and of one clean
	// run (defaults: ingest.DefaultMaxRecords, clean.DefaultMaxRecords).
	MaxBatch int
	// AllowedLateness is clean's late_event tolerance (default 48 h).
	AllowedLateness time.Duration
	// AggregateEvery is the medallion DAG's trigger interval for Gold
	// while Kafka holds a backlog: its aggregate task then leaves Silver's
	// new rows for a later run, for at most this long, and refreshes Gold
	// once ingest has caught up; a stream that keeps up gets Gold after
	// every run (default DefaultAggregateEvery; negative: every run, even
	// in a backlog). Gold is recomputed per event date, so refreshing it
	// after every batch of a backlog recomputes the same dates again and
	// again; see aggregateDue.
	AggregateEvery time.Duration
	// TopicEnds reads the topic's end offsets for aggregateDue's backlog
	// check over a long-lived Kafka session (kafka.EndOffsetReader); nil
	// opens a session per check, about 100 ms.
	TopicEnds scheduler.TopicOffsets
	// Compaction says when lake_compaction compacts a partition (zero:
	// maintenance's defaults).
	Compaction maintenance.CompactionPolicy
	// CountRejected is told the reason codes of the rows clean quarantines
	// (the process's metrics; nil: not counted).
	CountRejected func(reason string, n int)
}

// PipelineFrom takes the pipeline settings from the process configuration.
// brokers are the Kafka bootstrap servers actually in use (the embedded
// broker's address when KAFKA_BROKERS is unset); m, the process's metrics,
// is told of every commit to the lake and every rejected record (nil: no
// metrics). The end-offset reader it makes opens its Kafka session at the
// first backlog check and keeps it for the process's life, as the Lake
// keeps its tables.
func PipelineFrom(s *config.Settings, brokers string, m *metrics.Metrics) Pipeline {
	conn := kafka.ConnFrom(s, brokers)
	return Pipeline{Lake: lake.Opener(s.LakeDir(), m.DeltaCommit), LakeDir: s.LakeDir(), Brokers: brokers, Security: conn.Security, Topic: s.Topic,
		IngestGroups: s.IngestGroups, MaxBatch: s.MaxBatch, AllowedLateness: s.AllowedLateness, CountRejected: m.AddRejected,
		AggregateEvery: AggregateEveryOf(s.AggregateEvery), TopicEnds: kafka.NewEndOffsetReader(conn),
		Compaction: maintenance.CompactionPolicy{MinSmallFiles: s.CompactMinFiles, MinSmallBytes: int64(s.CompactMinMB) << 20}}
}

// AggregateEveryOf maps a user's setting (FINPIPE_AGGREGATE_EVERY, the
// bench's --aggregate-every), where 0 turns deferring off, to
// AggregateEvery, where 0 is the default and negative turns it off.
func AggregateEveryOf(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

// Pipelines returns the three pipeline DAGs of DESIGN.md and the lake's
// maintenance DAG, which need the same settings.
func Pipelines(p Pipeline) []*scheduler.DAG {
	return []*scheduler.DAG{Medallion(p), GoldHourlyRefresh(p), GoldDaily(p), LakeMaintenance(p), LakeCompaction(p)}
}

// The DAG ids of DESIGN.md.
const (
	MedallionDAG         = "finpipe_medallion"
	GoldHourlyRefreshDAG = "gold_hourly_refresh"
	GoldDailyDAG         = "gold_daily"
)

// retried is the retry policy of pipeline tasks: every step is idempotent,
// so a retry after any failure (Kafka unreachable, a lost commit race)
// simply runs it again.
func retried(upstream ...string) scheduler.TaskOptions {
	return scheduler.TaskOptions{
		Upstream: upstream, Retries: 3, RetryDelay: 5 * time.Second,
		ExponentialBackoff: true, MaxRetryDelay: time.Minute, Timeout: 10 * time.Minute,
	}
}

// Medallion is the micro-batch DAG, scheduled on data: whatever arrived in
// Kafka goes through ingest → clean → aggregate, in a run the Kafka
// watcher queues as soon as the topic's end offsets move (and again while
// ingest, which reads a bounded batch, is behind). One active run at a
// time keeps batches in order, and events that arrive meanwhile coalesce
// into the one queued run; ingest's tasks (one per partition group) run
// in parallel, since their appends to Bronze do not conflict. Each step
// emits its tables' asset events, so another DAG may be scheduled on
// Silver or Gold.
func Medallion(p Pipeline) *scheduler.DAG {
	d := scheduler.NewDAG(MedallionDAG, scheduler.DAGOptions{
		Assets: []string{p.topic()}, StartDate: DataStart(), MaxActiveRuns: 1,
		Description: "Kafka → Bronze → Silver → Gold micro-batch, exactly once",
		Tags:        []string{"pipeline"},
	})
	groups := max(p.IngestGroups, 1)
	ingestIDs := make([]string, groups)
	for g := range groups {
		ingestIDs[g] = "ingest"
		if groups > 1 {
			ingestIDs[g] = "ingest_" + strconv.Itoa(g)
		}
		d.Task(ingestIDs[g], p.ingestTask(g, groups), withOutlets(retried(), lake.BronzeTransactions))
	}
	d.Task("clean", p.cleanTask, withOutlets(retried(ingestIDs...), silverTables...))
	d.Task("aggregate", p.aggregateTask(nil, p.aggregateDue), withOutlets(retried("clean"), goldTables...))
	return d
}

func (p Pipeline) lake() (*lake.Lake, error) {
	if p.Lake == nil {
		return nil, fmt.Errorf("pipeline: no lake configured")
	}
	return p.Lake()
}

// TopicName is the pipeline's topic, which is also the name of its Kafka
// topic asset.
func (p Pipeline) TopicName() string { return p.topic() }

func (p Pipeline) topic() string {
	if p.Topic == "" {
		return "transactions"
	}
	return p.Topic
}

func (p Pipeline) ingestTask(group, groups int) scheduler.TaskFunc {
	return func(ctx context.Context, tc *scheduler.TaskContext) error {
		l, err := p.lake()
		if err != nil {
			return err
		}
		var parts []int32 // nil: all partitions
		if groups > 1 {
			all, err := kafka.Partitions(ctx, kafka.Conn{Brokers: p.Brokers, Security: p.Security}, p.topic())
			if err != nil {
				return err
			}
			if parts = ingest.PartitionGroup(all, group, groups); len(parts) == 0 {
				tc.Log.Info("no partitions in this group", "group", group, "groups", groups, "partitions", len(all))
				return nil
			}
		}
		res, err := ingest.Run(ctx, l.Bronze, ingest.Options{
			Brokers: p.Brokers, Security: p.Security, Topic: p.topic(), Partitions: parts, MaxRecords: p.MaxBatch,
		})
		if err != nil {
			return err
		}
		tc.Log.Info("ingested", "records", res.Records, "bronze_version", res.Version, "partitions", len(res.Ranges))
		for part, next := range res.Next {
			if err := tc.Consumed(p.topic(), part, next); err != nil {
				return err
			}
		}
		if res.Version < 0 {
			return nil // nothing committed: nothing to announce
		}
		return tc.EmitAssetEvent(lake.BronzeTransactions, map[string]any{"version": res.Version, "records": res.Records})
	}
}

func (p Pipeline) cleanTask(ctx context.Context, tc *scheduler.TaskContext) error {
	l, err := p.lake()
	if err != nil {
		return err
	}
	// Batch after bounded batch until Silver has caught up with Bronze:
	// the run is triggered by Kafka, and nothing would trigger another one
	// for Bronze versions that one clean left behind (several ingest
	// groups commit more than one batch per run).
	changed := false
	for {
		res, err := clean.Run(ctx, l, clean.Options{AllowedLateness: p.AllowedLateness, MaxRecords: int64(p.MaxBatch), CountRejected: p.CountRejected})
		if err != nil {
			return err
		}
		tc.Log.Info("cleaned", "records", res.Records, "accepted", res.Accepted, "rejected", res.Rejected,
			"bronze_from", res.BronzeFrom, "bronze_to", res.BronzeTo, "recovered", res.Recovered,
			"index_ids", res.IndexIDs, "index_days", res.IndexDays)
		changed = changed || res.BronzeTo != res.BronzeFrom || res.Recovered
		if !res.Behind || res.BronzeTo == res.BronzeFrom {
			break
		}
	}
	if !changed {
		return nil // no batch: Silver and rejected did not change
	}
	return emitTables(ctx, tc, l, silverTables...)
}

// aggregateTask recomputes Gold for what Silver changed, plus the dates
// that dates returns for the run (nil: none). A due function, when given,
// may defer the refresh to a later run (it logs why).
func (p Pipeline) aggregateTask(dates func(tc *scheduler.TaskContext) ([]time.Time, error),
	due ...func(context.Context, *scheduler.TaskContext, *lake.Lake) (bool, error)) scheduler.TaskFunc {
	return func(ctx context.Context, tc *scheduler.TaskContext) error {
		l, err := p.lake()
		if err != nil {
			return err
		}
		for _, f := range due {
			if ok, err := f(ctx, tc, l); err != nil || !ok {
				return err
			}
		}
		var opts aggregate.Options
		if dates != nil {
			if opts.Dates, err = dates(tc); err != nil {
				return err
			}
		}
		res, err := aggregate.Run(ctx, l, opts)
		if err != nil {
			return err
		}
		tc.Log.Info("aggregated", "silver_version", res.SilverVersion, "silver_rows", res.SilverRows,
			"dates", len(res.Dates), "rows", res.Rows)
		var written []string // the Gold tables this run committed
		for _, name := range goldTables {
			if _, ok := res.Rows[name]; ok {
				written = append(written, name)
			}
		}
		return emitTables(ctx, tc, l, written...)
	}
}
