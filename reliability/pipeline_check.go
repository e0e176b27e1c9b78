package main

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/medallion"
	"github.com/finpipe/finpipe/tasks/produce"
)

// waitDrained polls until every Kafka record is in Bronze and every
// Bronze and Silver version has been consumed.
func waitDrained(ctx context.Context, lakeDir, brokers string, timeout time.Duration) error {
	var last medallion.Lag
	err := waitFor(ctx, timeout, func() (bool, error) {
		l, err := lake.OpenExisting(lakeDir)
		if err != nil {
			return false, nil // not created yet
		}
		lag, err := medallion.Measure(ctx, l, brokers, "transactions")
		if err != nil {
			return false, nil // e.g. the broker is restarting
		}
		last = lag
		return lag.Drained(), nil
	})
	if err != nil {
		return fmt.Errorf("%w; lag %+v", err, last)
	}
	return nil
}

// checkLake runs `finpipe lake check`, then accounts for every record:
// each offset of the topic must be in Bronze once and in exactly one of
// Silver or rejected once; each distinct valid transaction produced must
// be in Silver once. Misses are lost records, repeats duplicates.
// The lake is loc, a directory or an object-store URL; sets are the
// generated data sets produced into the topic (one per seed).
func checkLake(ctx context.Context, e *suite, loc, brokers string, r *row, sets ...produce.Options) {
	check := exec.CommandContext(ctx, e.bin, "lake", "check", loc)
	if out, err := check.CombinedOutput(); err != nil {
		r.fail("finpipe lake check: %v: %s", err, strings.TrimSpace(lastLines(string(out), 5)))
	}
	l, err := lake.OpenExisting(loc)
	if err != nil {
		r.fail("open lake: %v", err)
		return
	}
	high, err1 := kafka.HighWatermarks(ctx, brokers, "transactions")
	low, err2 := kafka.LowWatermarks(ctx, brokers, "transactions")
	if err1 != nil || err2 != nil {
		r.fail("watermarks: %v %v", err1, err2)
		return
	}
	bronze, err := countOffsets(ctx, l.Bronze, nil)
	if err != nil {
		r.fail("bronze: %v", err)
		return
	}
	split := map[int64]int{}
	for _, t := range []*delta.Table{l.Silver, l.Rejected} {
		if split, err = countOffsets(ctx, t, split); err != nil {
			r.fail("silver: %v", err)
			return
		}
	}
	var topicRecords int64
	for p, h := range high {
		for o := low[p]; o < h; o++ {
			topicRecords++
			k := offsetKey(p, o)
			switch n := bronze[k]; {
			case n == 0:
				r.lost++
			case n > 1:
				r.dups += int64(n - 1)
			}
			switch n := split[k]; {
			case n == 0 && bronze[k] > 0:
				r.lost++
			case n > 1:
				r.dups += int64(n - 1)
			}
		}
	}
	lostTx, dupTx, err := accountTransactions(ctx, l.Silver, sets)
	if err != nil {
		r.fail("silver transactions: %v", err)
		return
	}
	r.lost += lostTx
	r.dups += dupTx
	if r.lost > 0 || r.dups > 0 {
		r.fail("%d topic records: %d lost, %d duplicated (by offset and transaction id)", topicRecords, r.lost, r.dups)
	}
}

func offsetKey(partition int32, offset int64) int64 { return int64(partition)<<40 | offset }

// countOffsets counts each (kafka_partition, kafka_offset) of a table.
func countOffsets(ctx context.Context, t *delta.Table, into map[int64]int) (map[int64]int, error) {
	if into == nil {
		into = map[int64]int{}
	}
	s, err := t.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	err = s.ScanColumns(ctx, []string{"kafka_partition", "kafka_offset"}, nil, func(row delta.Row) error {
		p, ok1 := row[0].(int32)
		o, ok2 := row[1].(int64)
		if !ok1 || !ok2 {
			return fmt.Errorf("unexpected offset types %T %T", row[0], row[1])
		}
		into[offsetKey(p, o)]++
		return nil
	})
	return into, err
}

// accountTransactions regenerates the produced sets from their seeds and
// counts distinct valid transactions missing from Silver, and Silver
// transaction ids present more than once.
func accountTransactions(ctx context.Context, silver *delta.Table, sets []produce.Options) (lost, dups int64, err error) {
	s, err := silver.Snapshot(ctx)
	if err != nil {
		return 0, 0, err
	}
	seen := map[string]int{}
	err = s.ScanColumns(ctx, []string{"transaction_id"}, nil, func(row delta.Row) error {
		id, _ := row[0].(string)
		seen[id]++
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	for _, n := range seen {
		if n > 1 {
			dups += int64(n - 1)
		}
	}
	want := map[string]bool{}
	for _, opts := range sets {
		g := produce.NewGenerator(opts)
		for i := 0; i < opts.Count; i++ {
			if m := g.Next(); m.Kind == produce.KindValid {
				want[m.Tx.TransactionID] = true
			}
		}
	}
	for id := range want {
		if seen[id] == 0 {
			lost++
		}
	}
	return lost, dups, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " / ")
}
