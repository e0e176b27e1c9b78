package clean

import (
	"context"
	"hash/fnv"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/produce"
)

// benchBatch is the records of one Bronze commit in BenchmarkRun: a batch
// of `finpipe bench pipeline`, which cleans 1M transactions in batches of
// 100,000.
const benchBatch = 100_000

// BenchmarkRun times one clean run of a 100,000-record Bronze batch, made
// as `finpipe bench pipeline` makes its data (2% broken, 1% duplicates, 3
// partitions), after an earlier batch of the same size: the index and the
// watermark are those of a running pipeline. It reports the CPU of the
// whole process per run (the judges and the Parquet lanes run on goroutines
// of their own) besides the wall time.
func BenchmarkRun(b *testing.B) {
	template := b.TempDir()
	l, err := lake.Open(template)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	clock := func() time.Time { return t0 }
	gen := produce.NewGenerator(produce.Options{Seed: 1, BadRatio: 0.02, DuplicateRatio: 0.01, Clock: clock})
	next := map[int32]int64{}
	for c := 0; c < 2; c++ {
		rows := make([]delta.Row, benchBatch)
		for i := range rows {
			m := gen.Next()
			// Kafka's default partitioner sends a key (the user) to one
			// partition, so a re-sent transaction lands where its original did.
			h := fnv.New32a()
			h.Write(m.Key)
			p := int32(h.Sum32() % 3)
			rows[i] = lake.BronzeRow("transactions", p, next[p], t0, m.Key, m.Value, t0)
			next[p]++
		}
		if _, err := l.Bronze.Append(ctx, rows, delta.CommitOptions{}); err != nil {
			b.Fatal(err)
		}
		if c == 0 {
			if _, err := Run(ctx, l, Options{MaxRecords: benchBatch, Now: clock}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportAllocs()
	b.ResetTimer() // the setup above is not a run
	var cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := filepath.Join(b.TempDir(), "lake")
		// Every run starts from the same tables.
		if err := os.CopyFS(dir, os.DirFS(template)); err != nil {
			b.Fatal(err)
		}
		l, err := lake.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		// The first run of a process folds Silver into the index; a running
		// pipeline has it already.
		follower := l.Follow("clean-index-48h0m0s", l.Silver, func() lake.Folder { return NewIndex(48 * time.Hour) })
		snap, err := l.Silver.Snapshot(ctx)
		if err != nil {
			b.Fatal(err)
		}
		_, unlock, err := follower.At(ctx, l.Silver, snap)
		if err != nil {
			b.Fatal(err)
		}
		unlock()
		cpu0 := testenv.ProcessCPU()
		b.StartTimer()
		res, err := Run(ctx, l, Options{MaxRecords: benchBatch, Now: clock})
		b.StopTimer()
		cpu += testenv.ProcessCPU() - cpu0
		if err != nil {
			b.Fatal(err)
		}
		if res.Records != benchBatch || res.Accepted+res.Rejected != benchBatch {
			b.Fatalf("run %+v: want %d records, each accepted or rejected", res, benchBatch)
		}
	}
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
}
