package freshness

import (
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/finpipe/finpipe/internal/bench"
)

// Latency summarises durations in seconds.
type Latency struct {
	P50 float64 `json:"p50_seconds"`
	P99 float64 `json:"p99_seconds"`
	Max float64 `json:"max_seconds"`
}

func summarise(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	slices.Sort(ds)
	at := func(q float64) float64 { return ds[int(q*float64(len(ds)-1)+0.5)].Seconds() }
	return Latency{P50: at(0.50), P99: at(0.99), Max: ds[len(ds)-1].Seconds()}
}

// Report is the benchmark's result (--json prints it).
type Report struct {
	Rate            float64 `json:"rate_per_second"`
	DurationSeconds float64 `json:"duration_seconds"`
	Sent            int64   `json:"sent"`
	Measured        int     `json:"measured"` // Bronze records timed
	Runs            int     `json:"medallion_runs"`
	// Silver is Kafka append → the end of the clean task that committed
	// the record's Silver version; Gold → the end of that run's aggregate,
	// which refreshed the record's date.
	Silver Latency `json:"silver"`
	Gold   Latency `json:"gold"`
	// Silver's time splits into PreviousRun, waiting for the run before
	// to end (a record appended while it was busy); Scheduling, from then
	// to its own run's ingest plus the hand-off from ingest to clean; and
	// Steps, the ingest and clean tasks' own time in its run.
	PreviousRun Latency `json:"waiting_for_previous_run"`
	Scheduling  Latency `json:"scheduling"`
	Steps       Latency `json:"steps"`
}

// Print writes r as one indented JSON object, or as lines for people.
func (r Report) Print(w io.Writer, asJSON bool) error {
	if asJSON {
		return bench.WriteJSON(w, r)
	}
	fmt.Fprintf(w, "%d transactions at %.0f/s for %.0fs, %d finpipe_medallion runs\n", r.Sent, r.Rate, r.DurationSeconds, r.Runs)
	for _, row := range []struct {
		name string
		l    Latency
	}{{"Silver", r.Silver}, {"Gold", r.Gold}, {"previous run", r.PreviousRun}, {"scheduling", r.Scheduling}, {"steps", r.Steps}} {
		fmt.Fprintf(w, "  %-13s p50 %7.3fs  p99 %7.3fs  max %7.3fs\n", row.name, row.l.P50, row.l.P99, row.l.Max)
	}
	return nil
}
