package scheduler

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Pool is a named limit on how many task instances run at once; tasks name
// their pool in TaskOptions.Pool. Pools that tasks name are created with
// 128 slots when DAGs are synced; SetPool changes them.
type Pool struct {
	Name        string `json:"name"`
	Slots       int    `json:"slots"`
	Description string `json:"description"`
	Occupied    int    `json:"occupied"` // attempts queued or running now
}

// WorkerInfo is a worker process as it registered and last heartbeated.
type WorkerInfo struct {
	WorkerID    string     `json:"worker_id"`
	Hostname    string     `json:"hostname"`
	PID         int        `json:"pid"`
	Pools       []string   `json:"pools"`
	Concurrency int        `json:"concurrency"`
	StartedAt   time.Time  `json:"started_at"`
	HeartbeatAt time.Time  `json:"heartbeat_at"`
	StoppedAt   *time.Time `json:"stopped_at"`
	Running     int        `json:"running"`
}

// ListPools returns every pool with its current occupancy.
func (s *Store) ListPools(ctx context.Context) ([]Pool, error) {
	rows, err := s.db.Query(ctx, sqlListPools)
	return collect(rows, err, func(r pgx.Row) (Pool, error) {
		var p Pool
		err := r.Scan(&p.Name, &p.Slots, &p.Description, &p.Occupied)
		return p, err
	})
}

// SetPool creates a pool or changes its slots. Lowering slots below the
// current occupancy stops new claims until attempts finish; nothing running
// is interrupted.
func (s *Store) SetPool(ctx context.Context, name string, slots int, description string) error {
	if !idPattern.MatchString(name) || slots < 0 {
		return fmt.Errorf("%w: pool needs a name of letters, digits, '_', '.', '-' and slots >= 0", ErrInvalid)
	}
	if _, err := s.db.Exec(ctx, sqlSetPool, name, slots, description); err != nil {
		return err
	}
	return notify(ctx, s.db, chanTasks)
}

// ListWorkers returns running workers and those stopped within the hour.
func (s *Store) ListWorkers(ctx context.Context) ([]WorkerInfo, error) {
	rows, err := s.db.Query(ctx, sqlListWorkers)
	return collect(rows, err, func(r pgx.Row) (WorkerInfo, error) {
		var w WorkerInfo
		err := r.Scan(&w.WorkerID, &w.Hostname, &w.PID, &w.Pools, &w.Concurrency, &w.StartedAt,
			&w.HeartbeatAt, &w.StoppedAt, &w.Running)
		return w, err
	})
}
