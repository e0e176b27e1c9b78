package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/finpipe/finpipe/tasks/record"
)

// settings size every scenario. The defaults make the quick run (about ten
// minutes on a 2-core machine); each has a RELIABILITY_* variable.
type settings struct {
	only            map[string]bool // RELIABILITY_ONLY: comma-separated scenario names; empty = all
	finpipe         string          // RELIABILITY_FINPIPE: a built binary to use instead of building one
	workDir         string          // RELIABILITY_WORK_DIR: where data and logs go (default a temp dir)
	fuzzTime        time.Duration   // RELIABILITY_FUZZTIME: per Go fuzzer
	stExamples      int             // RELIABILITY_ST_EXAMPLES: Schemathesis examples per operation
	stTime          time.Duration   // RELIABILITY_ST_TIME: bound on the Schemathesis run
	killRounds      int             // RELIABILITY_KILL_ROUNDS: SIGKILLs in the orchestrator scenario
	killEvery       time.Duration   // RELIABILITY_KILL_EVERY: pause between them
	transactions    int             // RELIABILITY_TRANSACTIONS: produced in the pipeline scenario
	produceRate     int             // RELIABILITY_PRODUCE_RATE: messages/s during the pipeline scenario
	pipelineKills   int             // RELIABILITY_PIPELINE_KILLS: SIGKILLs of pipeline processes
	realKafka       bool            // RELIABILITY_REAL_KAFKA=1: Apache Kafka from ci/kafka instead of the embedded broker
	loadTasks       int             // RELIABILITY_LOAD_TASKS: queued no-op task instances
	loadWorkers     int             // RELIABILITY_LOAD_WORKERS: workers draining them
	loadRuns        int             // RELIABILITY_LOAD_RUNS: runs seeded for the web page test
	pageBudget      time.Duration   // RELIABILITY_PAGE_BUDGET: p99 bound for the DAG page
	soak            time.Duration   // RELIABILITY_SOAK: sustained pipeline run
	soakRate        int             // RELIABILITY_SOAK_RATE: messages/s during the soak
	soakDays        int             // RELIABILITY_SOAK_DAYS: days of event time the soak replays
	soakLateness    time.Duration   // RELIABILITY_SOAK_LATENESS: the pipeline's allowed lateness in the soak
	settle          time.Duration   // RELIABILITY_SETTLE: bound on waiting for runs to finish after faults
	minTasksPerSec  float64         // RELIABILITY_MIN_TASKS_PER_S: throughput floor of the load row
	rssGrowthBudget float64         // RELIABILITY_RSS_GROWTH: allowed growth of RSS, last third over middle third
}

func loadSettings() (settings, error) {
	var errs []string
	str := func(k, def string) string {
		if v := strings.TrimSpace(os.Getenv(k)); v != "" {
			return v
		}
		return def
	}
	// value parses variable k when set, keeping def (and noting the
	// problem) when it does not parse or is out of range.
	value := func(k string, parse func(string) (any, bool), def any, want string) any {
		v := str(k, "")
		if v == "" {
			return def
		}
		x, ok := parse(v)
		if !ok {
			errs = append(errs, fmt.Sprintf("%s=%q is not %s", k, v, want))
			return def
		}
		return x
	}
	dur := func(k string, def time.Duration) time.Duration {
		return value(k, func(v string) (any, bool) { d, err := time.ParseDuration(v); return d, err == nil && d > 0 },
			def, "a positive duration").(time.Duration)
	}
	num := func(k string, def int) int {
		return value(k, func(v string) (any, bool) { n, err := strconv.Atoi(v); return n, err == nil && n > 0 },
			def, "a positive integer").(int)
	}
	flt := func(k string, def float64) float64 {
		return value(k, func(v string) (any, bool) { f, err := strconv.ParseFloat(v, 64); return f, err == nil && f >= 0 },
			def, "a non-negative number").(float64)
	}
	s := settings{
		only:            map[string]bool{},
		finpipe:         str("RELIABILITY_FINPIPE", ""),
		workDir:         str("RELIABILITY_WORK_DIR", ""),
		fuzzTime:        dur("RELIABILITY_FUZZTIME", 20*time.Second),
		stExamples:      num("RELIABILITY_ST_EXAMPLES", 10),
		stTime:          dur("RELIABILITY_ST_TIME", time.Minute),
		killRounds:      num("RELIABILITY_KILL_ROUNDS", 15),
		killEvery:       dur("RELIABILITY_KILL_EVERY", 3*time.Second),
		transactions:    num("RELIABILITY_TRANSACTIONS", 50_000),
		produceRate:     num("RELIABILITY_PRODUCE_RATE", 400),
		pipelineKills:   num("RELIABILITY_PIPELINE_KILLS", 8),
		realKafka:       str("RELIABILITY_REAL_KAFKA", "0") == "1",
		loadTasks:       num("RELIABILITY_LOAD_TASKS", 10_000),
		loadWorkers:     num("RELIABILITY_LOAD_WORKERS", 8),
		loadRuns:        num("RELIABILITY_LOAD_RUNS", 100_000),
		pageBudget:      dur("RELIABILITY_PAGE_BUDGET", 200*time.Millisecond),
		soak:            dur("RELIABILITY_SOAK", 2*time.Minute),
		soakRate:        num("RELIABILITY_SOAK_RATE", 2_000),
		soakDays:        num("RELIABILITY_SOAK_DAYS", 48),
		soakLateness:    dur("RELIABILITY_SOAK_LATENESS", record.DefaultAllowedLateness),
		settle:          dur("RELIABILITY_SETTLE", 4*time.Minute),
		minTasksPerSec:  flt("RELIABILITY_MIN_TASKS_PER_S", 300),
		rssGrowthBudget: flt("RELIABILITY_RSS_GROWTH", 0.10),
	}
	for _, n := range strings.Split(str("RELIABILITY_ONLY", ""), ",") {
		if n = strings.TrimSpace(n); n != "" {
			s.only[n] = true
		}
	}
	known := map[string]bool{}
	for _, sc := range scenarios() {
		known[sc.name] = true
	}
	for n := range s.only {
		if !known[n] {
			errs = append(errs, fmt.Sprintf("RELIABILITY_ONLY names unknown scenario %q", n))
		}
	}
	if len(errs) > 0 {
		return s, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return s, nil
}

// wants reports whether a scenario is selected.
func (s settings) wants(name string) bool { return len(s.only) == 0 || s.only[name] }
