package scheduler

import (
	"context"
	"errors"

	"github.com/go-co-op/gocron/v2"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
)

// tickLocker is gocron's distributed Locker backed by the driver's
// cross-process lock (a PostgreSQL session advisory lock): when two
// schedulers tick the same DAG at once, only the one that gets the lock
// runs the tick. Run creation is idempotent anyway; the lock just saves
// the loser the work.
type tickLocker struct{ drv driver.Driver }

var _ gocron.Locker = tickLocker{}

var errLocked = errors.New("tick held by another scheduler")

// Lock takes the lock named by key.
func (l tickLocker) Lock(ctx context.Context, key string) (gocron.Lock, error) {
	unlock, ok, err := l.drv.TryLock(ctx, "finpipe-tick:"+key)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errLocked
	}
	return tickLock(unlock), nil
}

// tickLock releases a tick's lock.
type tickLock func(context.Context) error

// Unlock releases the lock.
func (u tickLock) Unlock(ctx context.Context) error { return u(ctx) }
