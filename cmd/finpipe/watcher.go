package main

import (
	"log/slog"

	"github.com/finpipe/finpipe/internal/config"
	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/scheduler"
)

// schedulerOptions are a scheduler process's options: its logger and, when
// it knows the Kafka brokers, the end-offset reader that makes it a
// candidate for the deployment's Kafka watcher (which queues the
// medallion DAG's runs on new offsets). The returned func closes the reader.
func schedulerOptions(cfg *config.Settings, brokers string, log *slog.Logger) (scheduler.SchedulerOptions, func()) {
	o := scheduler.SchedulerOptions{Logger: log}
	if brokers == "" {
		log.Warn("no Kafka brokers known: this scheduler will not watch topics (set KAFKA_BROKERS)")
		return o, func() {}
	}
	r := kafka.NewEndOffsetReader(kafka.ConnFrom(cfg, brokers))
	o.Topics = r
	return o, r.Close
}
