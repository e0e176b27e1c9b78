// Command reliability runs FinPipe's real binaries against real PostgreSQL
// and Kafka under bad input, process kills, service restarts, a full disk
// and load, and prints one table: what each scenario held, what it
// injected, and whether any record was lost or duplicated. It exits 1 when
// a row fails. `make reliability` runs it; it is not part of `make test`
// because even the quick run takes minutes.
//
// Every size and duration comes from a RELIABILITY_* variable (see
// settings.go and README.md), so the default is a quick run and CI or a
// person can ask for a longer one (RELIABILITY_SOAK=10m).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	// The suite re-executes itself as the embedded Kafka broker, so that
	// the broker can be stopped and started like a real one.
	if len(os.Args) > 1 && os.Args[1] == "broker" {
		if err := runBroker(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "broker:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code, err := run(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "reliability:", err)
		code = 2
	}
	os.Exit(code)
}

// run prepares the shared pieces (settings, work dir, binary), then runs
// the chosen scenarios in order, printing each row as it finishes.
func run(ctx context.Context) (int, error) {
	s, err := loadSettings()
	if err != nil {
		return 2, err
	}
	env, err := newSuite(ctx, s)
	if err != nil {
		return 2, err
	}
	defer env.cleanup()
	fmt.Printf("FinPipe reliability suite, %s, %d CPUs; work dir %s\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), numCPU(), env.work)
	t := newTable(os.Stdout)
	for _, sc := range scenarios() {
		if !s.wants(sc.name) {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		start := time.Now()
		rows := sc.run(ctx, env)
		for _, r := range rows {
			if r.took == 0 {
				r.took = time.Since(start)
			}
			t.add(r)
		}
	}
	t.summary()
	if t.failed() || ctx.Err() != nil {
		env.keep = true
		return 1, nil
	}
	return 0, nil
}

// scenario is one group of rows; run never returns an error: a scenario
// that cannot even start is a failed row saying why.
type scenario struct {
	name string
	run  func(ctx context.Context, e *suite) []row
}

// one adapts a single-row scenario.
func one(f func(context.Context, *suite) row) func(context.Context, *suite) []row {
	return func(ctx context.Context, e *suite) []row { return []row{f(ctx, e)} }
}

// scenarios lists them in the order of issue 7's priorities.
func scenarios() []scenario {
	return []scenario{
		{"badinput", runBadInput},
		{"fuzz", runFuzzers},
		{"orchestrator", runOrchestratorFaults},
		{"pipeline", runPipelineFaults},
		{"assets", runAssetFaults},
		{"s3", runS3Faults},
		{"load-scheduler", one(loadScheduler)},
		{"load-web", one(loadWebPages)},
		{"soak", one(loadSoak)},
	}
}
