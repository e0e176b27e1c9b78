package scheduler

import (
	"context"
	"fmt"

	"github.com/finpipe/finpipe/scheduler/internal/driver"
)

// ListPools returns every pool with its current occupancy.
func (s *Store) ListPools(ctx context.Context) ([]Pool, error) { return s.drv.ListPools(ctx) }

// SetPool creates a pool or changes its slots. Lowering slots below the
// current occupancy stops new claims until attempts finish; nothing running
// is interrupted.
func (s *Store) SetPool(ctx context.Context, name string, slots int, description string) error {
	if !idPattern.MatchString(name) || slots < 0 {
		return fmt.Errorf("%w: pool needs a name of letters, digits, '_', '.', '-' and slots >= 0", ErrInvalid)
	}
	if err := s.drv.SetPool(ctx, Pool{Name: name, Slots: slots, Description: description}); err != nil {
		return err
	}
	return s.drv.Notify(ctx, driver.ChanTasks)
}

// ListWorkers returns running workers and those stopped within the hour.
func (s *Store) ListWorkers(ctx context.Context) ([]WorkerInfo, error) { return s.drv.ListWorkers(ctx) }

// ListSchedulers returns the schedulers connected to the database now:
// schedulers keep no heartbeat row of their own, but each holds one
// listening connection for as long as the process lives.
func (s *Store) ListSchedulers(ctx context.Context) ([]SchedulerConn, error) {
	return s.drv.ListListeners(ctx, driver.ChanScheduler)
}
