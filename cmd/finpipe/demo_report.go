package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/medallion"
	"github.com/finpipe/finpipe/tasks/record"
)

// demoTiming is how long the demo's phases took: producing (until the
// cluster acknowledged every message), the pipeline (from the first
// medallion run until Gold was refreshed), and everything including
// starting the services.
type demoTiming struct {
	Produce, Pipeline, Total time.Duration
}

// demoReport is what the demo prints.
type demoReport struct {
	Summary  medallion.Summary
	Produced int64
	Runs     int
	LakeDir  string
	Timing   demoTiming
}

// perSecond is n per second of d, 0 for no time.
func perSecond(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

func printDemo(r demoReport, asJSON bool) error {
	t := r.Timing
	if asJSON {
		out := struct {
			Produced          int64   `json:"produced"`
			MedallionRuns     int     `json:"medallion_runs"`
			DurationSeconds   float64 `json:"duration_seconds"`
			ProduceSeconds    float64 `json:"produce_seconds"`
			ProducePerSecond  float64 `json:"produce_messages_per_second"`
			PipelineSeconds   float64 `json:"pipeline_seconds"`
			PipelinePerSecond float64 `json:"pipeline_transactions_per_second"`
			medallion.Summary
		}{r.Produced, r.Runs, t.Total.Seconds(), t.Produce.Seconds(), perSecond(r.Produced, t.Produce),
			t.Pipeline.Seconds(), perSecond(r.Produced, t.Pipeline), r.Summary}
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	s := r.Summary
	fmt.Printf("produced %d messages in %s (%.0f msg/s); %d finpipe_medallion run(s) drained them into %s in %s (%.0f tx/s); %s in all\n\n",
		r.Produced, round(t.Produce), perSecond(r.Produced, t.Produce), r.Runs, r.LakeDir,
		round(t.Pipeline), perSecond(r.Produced, t.Pipeline), round(t.Total))
	for _, spec := range lake.Specs() {
		fmt.Printf("  %-28s %10d rows\n", spec.Name, s.Rows[spec.Name])
	}
	fmt.Println("\nrejected by reason:")
	for _, reason := range record.Reasons() {
		if n := s.RejectedByReason[string(reason)]; n > 0 {
			fmt.Printf("  %-20s %8d\n", reason, n)
		}
	}
	fmt.Println("\nGold totals per day and currency (latest days; --json for all):")
	shown := s.CurrencyTotals
	for len(shown) > 20 && shown[0].EventDate < shown[len(shown)-1].EventDate {
		day := shown[0].EventDate
		for len(shown) > 0 && shown[0].EventDate == day {
			shown = shown[1:]
		}
	}
	for _, t := range shown {
		fmt.Printf("  %s %s %8d transactions %20s (%d users)\n", t.EventDate, t.Currency, t.TxCount, t.TotalAmount, t.UniqueUsers)
	}
	return nil
}

// round shortens a duration for people: milliseconds under a minute.
func round(d time.Duration) time.Duration {
	if d < time.Minute {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}
