package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/finpipe/finpipe/internal/config"
	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/tasks/produce"
	"github.com/finpipe/finpipe/tasks/record"
)

func init() {
	register(command{name: "produce", summary: "send fake transactions (or the lines of a file) to Kafka", run: runProduce})
}

func runProduce(ctx context.Context, proc *process, args []string) error {
	fs := flag.NewFlagSet("produce", flag.ContinueOnError)
	usageFor(fs, "finpipe produce [--count N] [--rate PER_S] [--bad-ratio F] [--duplicate-ratio F] [--late-ratio F] [--seed S] [--event-clock-start T --event-clock-speed X] [--file PATH] [flags]")
	cfg := config.Register(fs, config.DataDir, config.KafkaBrokers, config.Topic, config.Partitions)
	brokersFlag := fs.String("brokers", "", "alias of --kafka-brokers")
	var opts produce.Options
	fs.IntVar(&opts.Count, "count", 1000, "`number` of transactions to send; 0 = until interrupted (with --file: at most this many lines; default every line)")
	fs.Float64Var(&opts.Rate, "rate", 0, "`messages` per second; 0 = as fast as possible")
	fs.Float64Var(&opts.BadRatio, "bad-ratio", 0, "`share` of broken records, cycling through every rejection reason")
	fs.Float64Var(&opts.DuplicateRatio, "duplicate-ratio", 0, "`share` of records that re-send an earlier transaction")
	fs.Float64Var(&opts.LateRatio, "late-ratio", 0, "`share` of records whose event_time is late: half within the 48h allowed lateness, half beyond it (up to 10 days)")
	seed := fs.Int64("seed", 0, "random `seed` for reproducible data; 0 picks one from the clock (printed)")
	file := fs.String("file", "", "send each line of this `file` as one message, byte for byte, instead of generating;\na file with a line too large for the topic is refused whole, naming the lines, before anything is sent")
	fs.IntVar(&opts.Users, "users", 10000, "`number` of distinct users in generated data")
	eventClock := registerEventClock(fs)
	if err := proc.parseFlags(fs, args, 0); err != nil {
		return err
	}
	if err := cfg.Load(); err != nil {
		return err
	}
	if err := opts.Validate(); err != nil {
		return err
	}
	clockGiven := flagGiven(fs, "event-clock-start") || flagGiven(fs, "event-clock-speed")
	if *file != "" && (opts.BadRatio+opts.DuplicateRatio+opts.LateRatio > 0 || *seed != 0 || clockGiven) {
		return fmt.Errorf("--file sends the file as it is: --bad-ratio, --duplicate-ratio, --late-ratio, --seed and the event clock do not apply")
	}
	var err error
	if opts.Clock, opts.Wall, err = eventClock.clock(fs, time.Now()); err != nil {
		return err
	}
	brokers, err := produceBrokers(cfg, *brokersFlag)
	if err != nil {
		return err
	}
	if *file != "" && !flagGiven(fs, "count") {
		opts.Count = 0 // every line: 1,000 is the generator's default, not a file's
	}
	opts.Seed = *seed
	if opts.Seed == 0 && *file == "" {
		opts.Seed = time.Now().UnixNano()
		fmt.Fprintf(proc.stderr, "seed %d\n", opts.Seed)
	}
	opts.Progress = newBar(proc.progressOut(), "produce", "msg")
	if err := kafka.EnsureTopic(ctx, kafka.ConnFrom(cfg, brokers), cfg.Topic, cfg.Partitions); err != nil {
		return err
	}
	var st produce.Stats
	if *file != "" {
		st, err = produce.ProduceFile(ctx, kafka.ConnFrom(cfg, brokers), cfg.Topic, *file, opts)
	} else {
		st, err = produce.Produce(ctx, kafka.ConnFrom(cfg, brokers), cfg.Topic, opts)
	}
	if err != nil {
		return err
	}
	proc.printProduceStats(st, brokers, cfg.Topic)
	return nil
}

// produceBrokers picks the cluster: the flag or KAFKA_BROKERS, else the
// embedded broker that a running `finpipe standalone` serves for the same
// data directory.
func produceBrokers(cfg *config.Settings, flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if cfg.KafkaBrokers != "" {
		return cfg.KafkaBrokers, nil
	}
	addr, err := kafka.RunningEmbeddedAddr(kafka.EmbeddedDir(cfg.DataDir))
	if err != nil {
		return "", fmt.Errorf("no Kafka: set KAFKA_BROKERS (or --kafka-brokers), or start `finpipe standalone` with the same --data-dir (%v)", err)
	}
	return addr, nil
}

func (proc *process) printProduceStats(st produce.Stats, brokers, topic string) {
	fmt.Fprintf(proc.stdout, "sent %d messages (%d bytes) to %s on %s in %s: %.0f msg/s\n",
		st.Sent, st.Bytes, topic, brokers, st.Elapsed.Round(time.Millisecond), st.PerSecond())
	if st.Bad+st.Duplicates+st.Late == 0 {
		return
	}
	fmt.Fprintf(proc.stdout, "valid %d, duplicates %d, late %d, bad %d\n", st.Valid, st.Duplicates, st.Late, st.Bad)
	for _, r := range record.Reasons() { // in rule order
		if n := st.BadByReason[r]; n > 0 {
			fmt.Fprintf(proc.stdout, "  %-20s %d\n", r, n)
		}
	}
}
