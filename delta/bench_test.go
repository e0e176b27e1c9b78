package delta

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// silverSchema is DESIGN.md's silver/transactions table.
var silverSchema = Schema{Fields: []Field{
	{Name: "transaction_id", Type: "string", Nullable: false},
	{Name: "user_id", Type: "string", Nullable: false},
	{Name: "amount", Type: "decimal(18,2)", Nullable: false},
	{Name: "currency", Type: "string", Nullable: false},
	{Name: "merchant", Type: "string", Nullable: true},
	{Name: "category", Type: "string", Nullable: true},
	{Name: "country", Type: "string", Nullable: true},
	{Name: "payment_method", Type: "string", Nullable: true},
	{Name: "status", Type: "string", Nullable: false},
	{Name: "event_time", Type: "timestamp", Nullable: false},
	{Name: "kafka_partition", Type: "integer", Nullable: false},
	{Name: "kafka_offset", Type: "long", Nullable: false},
	{Name: "ingested_at", Type: "timestamp", Nullable: false},
	{Name: "event_date", Type: "date", Nullable: false},
}}

// silverRows makes n realistic Silver rows spread over three event dates.
func silverRows(n int) []Row {
	base := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	currencies := []string{"USD", "EUR", "GBP", "JPY"}
	merchants := []string{"amazon", "walmart", "starbucks", "uber", "netflix", "apple"}
	rows := make([]Row, n)
	for i := range rows {
		ev := base.Add(time.Duration(i%(3*86400)) * time.Second)
		rows[i] = Row{
			fmt.Sprintf("tx-%012d", i), fmt.Sprintf("user-%05d", i%50000),
			decimal.New(int64(i%100000)+1, -2), currencies[i%len(currencies)],
			merchants[i%len(merchants)], "shopping", "US", "card", "approved",
			ev, int32(i % 12), int64(i), base.Add(72 * time.Hour), ev.Truncate(24 * time.Hour),
		}
	}
	return rows
}

// BenchmarkWriteSilver measures Append throughput (Parquet encoding, stats
// and the commit) for the Silver schema; see the rows/s metric.
func BenchmarkWriteSilver(b *testing.B) {
	const n = 200_000
	rows := silverRows(n)
	tbl, err := Create(filepath.Join(b.TempDir(), "silver"), silverSchema, []string{"event_date"})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	for i := 0; i < b.N; i++ {
		if _, err := tbl.Append(ctx, rows, CommitOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/time.Since(start).Seconds(), "rows/s")
	// Per CPU-second of the whole process (GC included): the figure that
	// does not depend on other load on the machine.
	b.ReportMetric(float64(n*b.N)/(cpuTime()-cpu0).Seconds(), "rows/cpu-s")
}

// cpuTime returns the CPU time (user+system) used by this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkScanSilver measures reading rows back (Parquet decoding and
// partition values) from a Silver table.
func BenchmarkScanSilver(b *testing.B) {
	const n = 200_000
	tbl, err := Create(filepath.Join(b.TempDir(), "silver"), silverSchema, []string{"event_date"})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := tbl.Append(ctx, silverRows(n), CommitOptions{}); err != nil {
		b.Fatal(err)
	}
	snap, _ := tbl.Snapshot(ctx)
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	for i := 0; i < b.N; i++ {
		count := 0
		if err := snap.Scan(ctx, nil, func(Row) error { count++; return nil }); err != nil || count != n {
			b.Fatalf("scan: %d rows, %v", count, err)
		}
	}
	b.ReportMetric(float64(n*b.N)/time.Since(start).Seconds(), "rows/s")
	b.ReportMetric(float64(n*b.N)/(cpuTime()-cpu0).Seconds(), "rows/cpu-s")
}

// BenchmarkSmallAppend measures the latency of a one-row append commit
// (write a Parquet file, put-if-absent the commit, refresh the snapshot,
// with a checkpoint every 10th commit); see the p50-ms and p99-ms metrics.
func BenchmarkSmallAppend(b *testing.B) {
	tbl, err := Create(filepath.Join(b.TempDir(), "small"), silverSchema, []string{"event_date"})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	rows := silverRows(1)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := tbl.Append(ctx, rows, CommitOptions{Txns: []Txn{{AppID: "bench", Version: int64(i)}}}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkSnapshot10kCommits measures loading the latest snapshot of a
// table with 10,000 commits (one file each) and a checkpoint every 10.
func BenchmarkSnapshot10kCommits(b *testing.B) {
	path := buildLogTable(b, 10_000, false)
	benchColdSnapshot(b, path, 10_000)
}
