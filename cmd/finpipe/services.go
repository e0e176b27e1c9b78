package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// service is a long-lived part of a process (embedded PostgreSQL, the
// scheduler, workers, later the web server and Kafka). Processes list their
// services; runServices starts them in order and stops them in reverse, so
// each service can rely on the ones before it.
type service struct {
	name  string
	start func(ctx context.Context) error
	stop  func(ctx context.Context) error // may be nil
}

// shutdownTimeout bounds the whole stop sequence (workers' grace included).
const shutdownTimeout = 60 * time.Second

// runServices starts svcs in order, waits for ctx (SIGINT/SIGTERM), then
// stops them in reverse. A start failure stops what already started and is
// returned.
func runServices(ctx context.Context, log *slog.Logger, svcs []service) error {
	var started []service
	stopAll := func() error {
		sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		var errs []error
		for i := len(started) - 1; i >= 0; i-- {
			s := started[i]
			if s.stop == nil {
				continue
			}
			if err := s.stop(sctx); err != nil {
				errs = append(errs, fmt.Errorf("stop %s: %w", s.name, err))
			}
		}
		return errors.Join(errs...)
	}
	for _, s := range svcs {
		if ctx.Err() != nil {
			break
		}
		if err := s.start(ctx); err != nil {
			_ = stopAll()
			return fmt.Errorf("start %s: %w", s.name, err)
		}
		started = append(started, s)
	}
	<-ctx.Done()
	log.Info("shutting down")
	return stopAll()
}
