package scheduler

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-co-op/gocron/v2"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pgLocker is gocron's distributed Locker backed by PostgreSQL session
// advisory locks: when two schedulers tick the same DAG at once, only the
// one that gets the lock runs the tick. Run creation is idempotent anyway;
// the lock just saves the loser the work.
type pgLocker struct{ db *pgxpool.Pool }

var _ gocron.Locker = pgLocker{}

var errLocked = errors.New("tick held by another scheduler")

// Lock takes the advisory lock named by key on a dedicated connection.
func (l pgLocker) Lock(ctx context.Context, key string) (gocron.Lock, error) {
	conn, err := l.db.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	var got bool
	if err := conn.QueryRow(ctx, sqlTryTickLock, "finpipe-tick:"+key).Scan(&got); err != nil {
		conn.Release()
		return nil, fmt.Errorf("advisory lock: %w", err)
	}
	if !got {
		conn.Release()
		return nil, errLocked
	}
	return &pgLock{conn: conn, key: key}, nil
}

type pgLock struct {
	conn *pgxpool.Conn
	key  string
}

// Unlock releases the advisory lock and returns the connection.
func (l *pgLock) Unlock(ctx context.Context) error {
	defer l.conn.Release()
	_, err := l.conn.Exec(ctx, sqlTickUnlock, "finpipe-tick:"+l.key)
	return err
}
