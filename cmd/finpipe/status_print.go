package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/finpipe/finpipe/scheduler"
)

// printStatus renders the report as sections a person scans top to bottom:
// is anything running at all, is work waiting, is ingest keeping up, how
// did the last runs go.
func printStatus(w io.Writer, r statusReport) {
	fmt.Fprintf(w, "FinPipe status at %s\n", r.At.Format(time.DateTime+" UTC"))
	printSchedulers(w, r)
	printWorkers(w, r)
	printQueue(w, r)
	printKafka(w, r.Kafka)
	printRuns(w, r)
}

func printSchedulers(w io.Writer, r statusReport) {
	fmt.Fprintln(w, "\nSCHEDULERS")
	if len(r.Schedulers) == 0 {
		fmt.Fprintln(w, "  none running: no new runs are created and finished tasks do not start their downstream")
		fmt.Fprintln(w, "  start one with `finpipe scheduler` (or `finpipe standalone`)")
		return
	}
	for _, s := range r.Schedulers {
		from := s.Client
		if from == "" {
			from = "local socket"
		}
		fmt.Fprintf(w, "  ok   connected from %s for %s (backend pid %d)\n", from, ago(r.At, s.ConnectedAt), s.PID)
	}
}

func printWorkers(w io.Writer, r statusReport) {
	fmt.Fprintln(w, "\nWORKERS")
	if len(r.Workers) == 0 {
		fmt.Fprintln(w, "  none: queued tasks wait until a `finpipe worker` (or `finpipe standalone`) starts")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  HEALTH\tWORKER\tHOST\tPID\tRUNNING\tHEARTBEAT")
	for _, wk := range r.Workers {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\t%d/%d\t%s ago\n", workerHealth(r.At, wk), wk.WorkerID, wk.Hostname, wk.PID,
			wk.Running, wk.Concurrency, ago(r.At, wk.HeartbeatAt))
	}
	tw.Flush()
}

// workerHealth: stopped workers left cleanly; stale ones stopped
// heartbeating and their attempts will be retried elsewhere.
func workerHealth(now time.Time, wk scheduler.WorkerInfo) string {
	switch {
	case wk.StoppedAt != nil:
		return "stopped"
	case now.Sub(wk.HeartbeatAt) > staleAfter:
		return "STALE"
	}
	return "ok"
}

func printQueue(w io.Writer, r statusReport) {
	fmt.Fprintln(w, "\nTASK QUEUE")
	fmt.Fprintf(w, "  queued %d   running %d   up_for_retry %d   scheduled %d\n",
		r.Tasks["queued"], r.Tasks["running"], r.Tasks["up_for_retry"], r.Tasks["scheduled"])
}

func printKafka(w io.Writer, k kafkaStatus) {
	fmt.Fprintf(w, "\nKAFKA LAG (topic %s: records not yet in Bronze)\n", k.Topic)
	if k.Error != "" {
		fmt.Fprintf(w, "  unavailable: %s\n", k.Error)
		return
	}
	var total int64
	parts := make([]string, 0, len(k.Lag))
	for _, p := range k.Lag {
		total += p.Lag
		parts = append(parts, fmt.Sprintf("p%d=%d", p.Partition, p.Lag))
	}
	fmt.Fprintf(w, "  total %d   %s\n", total, strings.Join(parts, " "))
}

func printRuns(w io.Writer, r statusReport) {
	fmt.Fprintln(w, "\nLAST RUNS (newest first)")
	if len(r.DAGs) == 0 {
		fmt.Fprintln(w, "  no DAGs synced yet: a scheduler syncs them when it starts")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  DAG\tSCHEDULE\tLAST RUN\tSTATE\tTOOK\tRECENT")
	for _, d := range r.DAGs {
		name := d.DAGID
		if d.Paused {
			name += " (paused)"
		}
		sched := scheduleText(d.Schedule, d.Assets, "manual")
		if len(d.Runs) == 0 {
			fmt.Fprintf(tw, "  %s\t%s\t-\t-\t-\t-\n", name, sched)
			continue
		}
		last := d.Runs[0]
		recent := make([]string, len(d.Runs))
		for i, run := range d.Runs {
			recent[i] = string(run.State)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", name, sched, last.LogicalDate.Format(time.DateTime),
			last.State, took(r.At, last), strings.Join(recent, " "))
	}
	tw.Flush()
}

// took is a run's duration so far, or "-" before it started.
func took(now time.Time, run scheduler.DagRun) string {
	if run.StartDate == nil {
		return "-"
	}
	end := now
	if run.EndDate != nil {
		end = *run.EndDate
	}
	return end.Sub(*run.StartDate).Round(time.Millisecond).String()
}

// ago renders an age for people: seconds, minutes, hours or days.
func ago(now, t time.Time) string {
	d := max(now.Sub(t), 0)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}
