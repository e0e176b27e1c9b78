package scheduler

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// listener keeps one dedicated connection LISTENing on a channel and
// signals wake for each notification. After a connection error it
// reconnects, and signals once on (re)connect since notifications sent
// while it was away are lost: the jittered poll of its owner is the other
// safety net.
type listener struct {
	db      *pgxpool.Pool
	channel string
	wake    chan struct{}
	log     *slog.Logger
}

func newListener(db *pgxpool.Pool, channel string, log *slog.Logger) *listener {
	return &listener{db: db, channel: channel, wake: make(chan struct{}, 1), log: log}
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
		err := l.listenOnce(ctx)
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

func (l *listener) listenOnce(ctx context.Context) error {
	pc, err := l.db.Acquire(ctx)
	if err != nil {
		return err
	}
	conn := pc.Hijack()
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, listenSQL(l.channel)); err != nil {
		return err
	}
	l.signal()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		l.signal()
	}
}

// jitter returns d ± 20%, so many pollers do not hit the database in step.
func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.8 + 0.4*randFloat()))
}
