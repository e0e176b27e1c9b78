package medallion

import (
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/tasks/check"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/produce"
)

// The crash child: a process that drains the topic into the lake, with
// small batches so that there are many commits to be killed in between.
// It only runs when the crash test starts it.
func TestCrashChild(t *testing.T) {
	t.Parallel()
	dir := os.Getenv("FINPIPE_CRASH_LAKE")
	if dir == "" {
		t.Skip("started by TestSIGKILLedPipelineLosesAndDuplicatesNothing only")
	}
	l, err := lake.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	batch, _ := strconv.Atoi(os.Getenv("FINPIPE_CRASH_BATCH"))
	if err := runSteps(context.Background(), l, os.Getenv("FINPIPE_CRASH_BROKERS"), os.Getenv("FINPIPE_CRASH_TOPIC"), batch); err != nil {
		t.Fatal(err)
	}
}

// TestSIGKILLedPipelineLosesAndDuplicatesNothing kills the process running
// ingest, clean and aggregate at random moments, 25 times over one data
// set, restarts it each time, lets it finish, and checks the lake against
// the invariants and against what was produced.
func TestSIGKILLedPipelineLosesAndDuplicatesNothing(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("crash test is not short")
	}
	brokers := testenv.Kafka(t)
	topic := testenv.Topic(t, brokers, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	opts := produce.Options{Count: 30000, Seed: 99, BadRatio: 0.05, DuplicateRatio: 0.05}
	stats, err := produce.Produce(ctx, brokers, topic, opts)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	child := func() *exec.Cmd {
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "FINPIPE_CRASH_LAKE="+dir, "FINPIPE_CRASH_BROKERS="+brokers,
			"FINPIPE_CRASH_TOPIC="+topic, "FINPIPE_CRASH_BATCH=1500")
		return cmd
	}
	rng := rand.New(rand.NewPCG(7, 7))
	kills := 0
	for round := 0; round < 25; round++ {
		cmd := child()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(100+rng.IntN(1100)) * time.Millisecond)
		if cmd.Process.Signal(syscall.SIGKILL) == nil {
			kills++
		}
		_ = cmd.Wait()
		if testing.Verbose() {
			t.Logf("round %d: %s", round, progress(t, dir))
		}
	}
	if out, err := child().CombinedOutput(); err != nil {
		t.Fatalf("final run: %v\n%s", err, out)
	}
	t.Logf("%d processes SIGKILLed", kills)

	l, err := lake.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := check.Run(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() || len(r.Notes) > 0 {
		t.Fatalf("violations %q, notes %q", r.Violations, r.Notes)
	}
	if r.Rows[lake.BronzeTransactions] != stats.Sent || r.Rows[lake.SilverTransactions]+r.Rows[lake.SilverRejected] != stats.Sent {
		t.Fatalf("rows %v, sent %d", r.Rows, stats.Sent)
	}
	// Silver holds exactly the distinct valid transactions produced.
	want := map[string]bool{}
	g := produce.NewGenerator(opts)
	for i := 0; i < opts.Count; i++ {
		if m := g.Next(); m.Kind == produce.KindValid || m.Kind == produce.KindDuplicate || m.Kind == produce.KindLate {
			want[m.Tx.TransactionID] = true
		}
	}
	s, err := l.Silver.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	err = s.ScanColumns(ctx, []string{"transaction_id"}, nil, func(row delta.Row) error {
		id := row[0].(string)
		if got[id] {
			t.Errorf("transaction %s is in silver twice", id)
		}
		got[id] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for id := range want {
		if !got[id] {
			t.Errorf("produced transaction %s is not in silver", id)
		}
	}
	if len(got) != len(want) {
		t.Errorf("silver has %d transactions, %d distinct valid ones were produced", len(got), len(want))
	}
}

// progress describes how far the pipeline got: each table's version.
func progress(t *testing.T, dir string) string {
	out := ""
	for _, name := range []string{lake.BronzeTransactions, lake.SilverTransactions, lake.SilverRejected, lake.GoldDailyCurrencySummary} {
		v := int64(-1)
		if tb, err := delta.Open(dir + "/" + name); err == nil {
			if s, err := tb.Snapshot(context.Background()); err == nil {
				v = s.Version()
			}
		}
		out += name + "@" + strconv.FormatInt(v, 10) + " "
	}
	return out
}
