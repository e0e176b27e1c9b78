package demo

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/finpipe/finpipe/internal/human"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/medallion"
	"github.com/finpipe/finpipe/tasks/record"
)

// Timing is how long the demo's phases took: producing (until the
// cluster acknowledged every message), the pipeline (from the first
// medallion run until Gold was refreshed), and everything including
// starting the services.
type Timing struct {
	Produce, Pipeline, Total time.Duration
}

// Report is what the demo prints.
type Report struct {
	Summary  medallion.Summary
	Produced int64
	Runs     int // finpipe_medallion runs the demo triggered
	LakeDir  string
	Timing   Timing
}

// perSecond is n per second of d, 0 for no time.
func perSecond(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// Print writes the report to w: one JSON object, or a summary for people.
func (r Report) Print(w io.Writer, asJSON bool) error {
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
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	s := r.Summary
	fmt.Fprintf(w, "produced %d messages in %s (%.0f msg/s); %d finpipe_medallion run(s) drained them into %s in %s (%.0f tx/s); %s in all\n\n",
		r.Produced, human.Duration(t.Produce), perSecond(r.Produced, t.Produce), r.Runs, r.LakeDir,
		human.Duration(t.Pipeline), perSecond(r.Produced, t.Pipeline), human.Duration(t.Total))
	for _, spec := range lake.Specs() {
		fmt.Fprintf(w, "  %-28s %10d rows\n", spec.Name, s.Rows[spec.Name])
	}
	fmt.Fprintln(w, "\nrejected by reason:")
	for _, reason := range record.Reasons() {
		if n := s.RejectedByReason[string(reason)]; n > 0 {
			fmt.Fprintf(w, "  %-20s %8d\n", reason, n)
		}
	}
	fmt.Fprintln(w, "\nGold totals per day and currency (latest days; --json for all):")
	shown := s.CurrencyTotals
	for len(shown) > 20 && shown[0].EventDate < shown[len(shown)-1].EventDate {
		day := shown[0].EventDate
		for len(shown) > 0 && shown[0].EventDate == day {
			shown = shown[1:]
		}
	}
	for _, t := range shown {
		fmt.Fprintf(w, "  %s %s %8d transactions %20s (%d users)\n", t.EventDate, t.Currency, t.TxCount, t.TotalAmount, t.UniqueUsers)
	}
	return nil
}
