package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/finpipe/finpipe/scheduler/pgstore"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/tasks/check"
	"github.com/finpipe/finpipe/tasks/lake"
)

// asFinpipe makes this test binary act as the finpipe binary when
// re-executed by a test: the scale-out test needs separate processes.
const asFinpipe = "FINPIPE_TEST_AS_FINPIPE"

func TestMain(m *testing.M) {
	if os.Getenv(asFinpipe) == "1" {
		os.Exit(newProcess(os.Stdout, os.Stderr).run(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// TestScaleOutOnS3 runs the distributed stack as separate processes, one
// scheduler and two workers, each in its own empty working and data
// directory: nothing but PostgreSQL, Kafka (6 partitions, two ingest
// groups) and the S3 lake is shared. Every produced record lands in Bronze
// once and the lake check passes; it logs which workers ran the ingest
// tasks and how many Bronze commits lost a race and retried.
func TestScaleOutOnS3(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the distributed pipeline")
	}
	const sent = 3000
	res := scaleOut(t, 2, sent)
	t.Logf("%d records through 1 scheduler + 2 workers on an S3 lake in %s; ingest ran on %d worker(s) %v; %d of %d Bronze commits lost a race and retried",
		sent, res.took.Round(time.Millisecond), len(res.workers), res.workers, res.retried, res.commits)
}

// BenchmarkScaleOutOnS3 is the scale-out figure: records per second from
// the start of producing to a drained lake, with 1 and 2 worker processes.
// FINPIPE_SCALEOUT_RECORDS sets the load (default 50,000).
//
//	go test ./cmd/finpipe -run XXX -bench ScaleOutOnS3 -benchtime 1x
func BenchmarkScaleOutOnS3(b *testing.B) {
	sent := 50_000
	if n, err := strconv.Atoi(os.Getenv("FINPIPE_SCALEOUT_RECORDS")); err == nil && n > 0 {
		sent = n
	}
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			for range b.N {
				res := scaleOut(b, workers, sent)
				b.ReportMetric(float64(sent)/res.took.Seconds(), "records/s")
				b.ReportMetric(float64(res.retried), "bronze-retries")
				b.ReportMetric(float64(res.commits), "bronze-commits")
				b.Logf("%d records, %d workers: %s; ingest on %v; %d of %d Bronze commits retried",
					sent, workers, res.took.Round(time.Millisecond), res.workers, res.retried, res.commits)
			}
		})
	}
}

// scaleOutResult is what one scale-out run measured.
type scaleOutResult struct {
	took             time.Duration // from the producer's start to a drained lake
	workers          []string      // that ran ingest attempts
	retried, commits int           // Bronze commits that lost a race, and all of them
}

// scaleOut produces sent records while a scheduler and the given number of
// worker processes run, waits until the lake has them all and checks it.
func scaleOut(t testing.TB, workerProcs, sent int) scaleOutResult {
	db := testenv.Postgres(t)
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 6)
	lakeURL := testenv.S3URL(testenv.S3(t), "finpipe/lake")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), asFinpipe+"=1", "DATABASE_URL="+db, "KAFKA_BROKERS="+brokers, "FINPIPE_TOPIC="+topic,
		"FINPIPE_PARTITIONS=6", "FINPIPE_INGEST_GROUPS=2", "FINPIPE_LAKE_URL="+lakeURL, "FINPIPE_LOG_FORMAT=json",
		"FINPIPE_LOG_LEVEL=warn", "FINPIPE_WORKERS=2")
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	proc := func(name string, args ...string) *exec.Cmd {
		dir := t.TempDir() // its own empty working directory and data dir
		cmd := exec.CommandContext(ctx, self, args...)
		cmd.Dir = dir
		cmd.Env = append(env, "FINPIPE_DATA_DIR="+filepath.Join(dir, "data"))
		log, err := os.Create(filepath.Join(dir, name+".log"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { // before the temp dir goes: say what the process said
			if t.Failed() {
				out, _ := os.ReadFile(log.Name())
				t.Logf("%s's log (last 4 kB):\n%s", name, out[max(0, len(out)-4096):])
			}
		})
		cmd.Stdout, cmd.Stderr = log, log
		cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
		cmd.WaitDelay = 30 * time.Second
		return cmd
	}
	once := func(name string, args ...string) {
		p := proc(name, args...)
		if err := p.Run(); err != nil {
			out, _ := os.ReadFile(filepath.Join(p.Dir, name+".log"))
			t.Fatalf("finpipe %v: %v\n%s", args, err, out)
		}
	}
	once("migrate", "migrate", "up")
	var started []*exec.Cmd
	names := []string{"scheduler"}
	for i := 1; i <= workerProcs; i++ {
		names = append(names, fmt.Sprintf("worker-%d", i))
	}
	for _, name := range names {
		role := name
		if name != "scheduler" {
			role = "worker"
		}
		p := proc(name, role)
		if err := p.Start(); err != nil {
			t.Fatal(err)
		}
		started = append(started, p)
	}
	defer func() {
		for _, p := range started {
			_ = p.Process.Signal(syscall.SIGTERM)
		}
		for _, p := range started {
			_ = p.Wait()
		}
	}()

	began := time.Now()
	once("produce", "produce", "--count", strconv.Itoa(sent), "--seed", "5", "--bad-ratio", "0.05")
	// The medallion DAG runs on new offsets; trigger it too, in case the
	// shipped DAG starts paused or the asset event came before the sync.
	_ = run(t, []string{"dags", "unpause", "finpipe_medallion", "--database-url", db})

	var l *lake.Lake
	for {
		if l == nil {
			l, _ = lake.OpenExisting(lakeURL)
		}
		if l != nil && drained(ctx, l, int64(sent)) {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the pipeline did not drain %d records into the S3 lake (their logs follow)", sent)
		case <-time.After(500 * time.Millisecond):
		}
		for _, p := range started {
			if p.ProcessState != nil {
				t.Fatalf("%s exited: %v", p.Path, p.ProcessState)
			}
		}
	}
	took := time.Since(began)
	r, err := check.Run(ctx, l)
	if err != nil || !r.OK() {
		t.Fatalf("lake check: %v %q", err, r.Violations)
	}
	res := scaleOutResult{took: took, workers: ingestWorkers(t, ctx, db)}
	res.retried, res.commits = bronzeRetries(t, ctx, l.Bronze)
	return res
}

// drained reports whether Bronze holds want records and Silver plus
// rejected account for all of them.
func drained(ctx context.Context, l *lake.Lake, want int64) bool {
	count := func(t *delta.Table) int64 {
		s, err := t.Snapshot(ctx)
		if err != nil {
			return -1
		}
		var n int64
		for _, f := range s.Files() {
			n += f.NumRecords()
		}
		return n
	}
	return count(l.Bronze) == want && count(l.Silver)+count(l.Rejected) == want
}

// ingestWorkers lists the workers that ran successful ingest attempts.
func ingestWorkers(t testing.TB, ctx context.Context, db string) []string {
	var list string
	err := pgstore.QueryRow(ctx, db, `SELECT coalesce(string_agg(DISTINCT coalesce(worker_id, ''), ',' ORDER BY coalesce(worker_id, '')), '')
		FROM task_attempts WHERE task_id LIKE 'ingest%' AND state = 'success'`, nil, &list)
	if err != nil {
		t.Fatal(err)
	}
	if list == "" {
		return nil
	}
	return strings.Split(list, ",")
}

// bronzeRetries counts Bronze commits that read an older version than the
// one before theirs (each lost the race for at least one version), and
// all commits after the table's creation.
func bronzeRetries(t testing.TB, ctx context.Context, bronze *delta.Table) (retried, commits int) {
	hist, err := bronze.History(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, ci := range hist {
		if ci.Version == 0 {
			continue
		}
		commits++
		if ci.ReadVersion != nil && *ci.ReadVersion < ci.Version-1 {
			retried++
		}
	}
	return retried, commits
}
