package main

import (
	"context"
	"errors"
	"sync"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/medallion"
	"github.com/finpipe/finpipe/web"
)

// lakeLayout tells the lake page the pipeline's table names, upstream
// first, and the Gold columns its dashboard reads, all from tasks/lake: the
// web layer repeats none of them.
func lakeLayout() web.LakeLayout {
	var layout web.LakeLayout
	fields := map[string][]delta.Field{}
	for _, s := range lake.Specs() {
		layout.Tables = append(layout.Tables, s.Name)
		fields[s.Name] = s.Schema.Fields
	}
	sum, rank := fields[lake.GoldDailyCurrencySummary], fields[lake.GoldDailyUserRanking]
	layout.Summary = web.SummaryTable{Name: lake.GoldDailyCurrencySummary,
		EventDate: sum[lake.SummaryEventDate].Name, Currency: sum[lake.SummaryCurrency].Name,
		TxCount: sum[lake.SummaryTxCount].Name, TotalAmount: sum[lake.SummaryTotalAmount].Name,
		UniqueUsers: sum[lake.SummaryUniqueUsers].Name}
	layout.Ranking = web.RankingTable{Name: lake.GoldDailyUserRanking,
		EventDate: rank[lake.RankingEventDate].Name, Currency: rank[lake.RankingCurrency].Name,
		Rank: rank[lake.RankingRank].Name, UserID: rank[lake.RankingUserID].Name,
		TotalAmount: rank[lake.RankingTotalAmount].Name}
	return layout
}

// webKafkaLag is the lake page's lag: medallion's ingest positions, read
// with the Bronze table of lakeDir.
func webKafkaLag[C kafka.Cluster](lakeDir string, brokers C, topic string) web.KafkaLagFunc {
	bronze := lazyBronze(lakeDir)
	return func(ctx context.Context) ([]web.PartitionLag, error) {
		t, err := bronze()
		if err != nil {
			return nil, err
		}
		pos, err := medallion.IngestPositions(ctx, t, brokers, topic)
		out := make([]web.PartitionLag, len(pos))
		for i, p := range pos {
			out[i] = web.PartitionLag{Partition: p.Partition, HighWatermark: p.High, Ingested: p.Next, Lag: p.Lag}
		}
		return out, err
	}
}

// lazyBronze opens lakeDir's Bronze table on the first call that finds it,
// and then keeps it, so that callers polling the lag read only new commits.
// Before the first ingest it returns a nil table: nothing was ingested.
func lazyBronze(lakeDir string) func() (*delta.Table, error) {
	var mu sync.Mutex
	var bronze *delta.Table
	return func() (*delta.Table, error) {
		mu.Lock()
		defer mu.Unlock()
		if bronze == nil {
			t, err := delta.Open(delta.JoinLocation(lakeDir, lake.BronzeTransactions))
			if err != nil && !errors.Is(err, delta.ErrNotATable) {
				return nil, err
			}
			bronze = t
		}
		return bronze, nil
	}
}
