package scheduler

import (
	"context"
	"log/slog"
	"time"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
)

// listener keeps a subscription to a channel (the driver holds one
// dedicated connection for it) and signals wake for each notification. After a connection error it
// reconnects, and signals once on (re)connect since notifications sent
// while it was away are lost: the jittered poll of its owner is the other
// safety net.
type listener struct {
	drv     driver.Driver
	channel string
	wake    chan struct{}
	log     *slog.Logger
}

func newListener(drv driver.Driver, channel string, log *slog.Logger) *listener {
	return &listener{drv: drv, channel: channel, wake: make(chan struct{}, 1), log: log}
}

func (l *listener) signal() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// run listens until ctx is cancelled.
func (l *listener) run(ctx context.Context) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := l.drv.Listen(ctx, l.channel, l.signal)
		if ctx.Err() != nil {
			return
		}
		l.log.Warn("listen connection lost; reconnecting", "channel", l.channel, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		if backoff < 5*time.Second {
			backoff *= 2
		}
	}
}

// jitter returns d ± 20%, so many pollers do not hit the database in step.
func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.8 + 0.4*randFloat()))
}
