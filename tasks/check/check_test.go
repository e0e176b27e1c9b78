package check

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/tasks/aggregate"
	"github.com/finpipe/finpipe/tasks/clean"
	"github.com/finpipe/finpipe/tasks/ingest"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/produce"
)

var now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// cleanLake is a lake whose Bronze holds generated messages (bad,
// duplicate and late ones included) in two partitions, processed through
// Silver and Gold.
func cleanLake(t *testing.T) *lake.Lake {
	t.Helper()
	ctx := context.Background()
	l, err := lake.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	g := produce.NewGenerator(produce.Options{Seed: 7, Users: 50, BadRatio: 0.1, DuplicateRatio: 0.05, LateRatio: 0.05,
		Clock: func() time.Time { return now }})
	for batch := 0; batch < 3; batch++ {
		var rows []delta.Row
		for i := 0; i < 400; i++ {
			m := g.Next()
			p := int32(i % 2)
			rows = append(rows, lake.BronzeRow("transactions", p, int64(batch*200+i/2), now, m.Key, m.Value, now))
		}
		txns := []delta.Txn{{AppID: ingest.AppID("transactions", 0), Version: int64(batch*200 + 199)},
			{AppID: ingest.AppID("transactions", 1), Version: int64(batch*200 + 199)}}
		if _, err := l.Bronze.Append(ctx, rows, delta.CommitOptions{Txns: txns}); err != nil {
			t.Fatal(err)
		}
		if _, err := clean.Run(ctx, l, clean.Options{Now: func() time.Time { return now }}); err != nil {
			t.Fatal(err)
		}
		if _, err := aggregate.Run(ctx, l, aggregate.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

func runCheck(t *testing.T, l *lake.Lake) *Report {
	t.Helper()
	r, err := Run(context.Background(), l)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func wantViolation(t *testing.T, r *Report, substr string) {
	t.Helper()
	for _, v := range r.Violations {
		if strings.Contains(v, substr) {
			return
		}
	}
	t.Errorf("no violation mentions %q; got %q", substr, r.Violations)
}

func TestSoundLakePasses(t *testing.T) {
	t.Parallel()
	l := cleanLake(t)
	r := runCheck(t, l)
	if !r.OK() {
		t.Fatalf("violations on a sound lake: %q", r.Violations)
	}
	if r.Rows[lake.BronzeTransactions] != 1200 ||
		r.Rows[lake.SilverTransactions]+r.Rows[lake.SilverRejected] != 1200 || r.Rows[lake.SilverRejected] == 0 {
		t.Fatalf("rows %v", r.Rows)
	}
}

func TestDuplicateAndMissingBronzeOffsets(t *testing.T) {
	t.Parallel()
	l := cleanLake(t)
	rows := []delta.Row{
		lake.BronzeRow("transactions", 0, 5, now, nil, []byte("{}"), now),   // stored twice
		lake.BronzeRow("transactions", 1, 700, now, nil, []byte("{}"), now), // skips 600..699
	}
	if _, err := l.Bronze.Append(context.Background(), rows, delta.CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	r := runCheck(t, l)
	wantViolation(t, r, "partition 0 offset 5 is stored more than once")
	wantViolation(t, r, "partition 1 skips offsets 600 to 699")
	wantViolation(t, r, "txn ingest-transactions-1 records 599")
}

func TestRecordInBothOrNeither(t *testing.T) {
	t.Parallel()
	l := cleanLake(t)
	ctx := context.Background()
	s, _ := l.Silver.Snapshot(ctx)
	silverRows, err := s.Rows(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A Silver row's record also quarantined, with clean's txn kept level.
	r0 := silverRows[0]
	bad := delta.Row{"duplicate", "", nil, "transactions", r0[lake.SilverKafkaPartition], r0[lake.SilverKafkaOffset], now, now, lake.Date(now)}
	if _, err := l.Rejected.Append(ctx, []delta.Row{bad}, delta.CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	wantViolation(t, runCheck(t, l), "in both silver and rejected")
}

func TestInterruptedCleanIsNamed(t *testing.T) {
	t.Parallel()
	l := cleanLake(t)
	ctx := context.Background()
	if _, err := l.Rejected.Append(ctx, nil, delta.CommitOptions{Txns: []delta.Txn{{AppID: clean.AppID, Version: 99}}}); err != nil {
		t.Fatal(err)
	}
	wantViolation(t, runCheck(t, l), "clean was interrupted")
}

func TestGoldNotMatchingSilver(t *testing.T) {
	t.Parallel()
	l := cleanLake(t)
	ctx := context.Background()
	extra := delta.Row{"EUR", int64(1), decimal.RequireFromString("0.01"), int64(1), lake.Date(now)}
	if _, err := l.CurrencySummary.Append(ctx, []delta.Row{extra}, delta.CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	wantViolation(t, runCheck(t, l), lake.GoldDailyCurrencySummary+" "+lake.DateString(now)+" EUR")
}
