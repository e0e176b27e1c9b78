package scheduler

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// SchedulerConn is a scheduler process seen from PostgreSQL: its listening
// connection. Schedulers keep no heartbeat row of their own; the
// connection lives exactly as long as the process (a restarted listener
// reconnects, so ConnectedAt may be later than the process start).
type SchedulerConn struct {
	PID         int       `json:"backend_pid"`
	Client      string    `json:"client_addr"` // "" for a Unix socket
	ConnectedAt time.Time `json:"connected_at"`
}

// ListSchedulers returns the schedulers connected to the database now.
func (s *Store) ListSchedulers(ctx context.Context) ([]SchedulerConn, error) {
	rows, err := s.db.Query(ctx, sqlListListeners, listenSQL(chanScheduler))
	return collect(rows, err, func(r pgx.Row) (SchedulerConn, error) {
		var c SchedulerConn
		err := r.Scan(&c.PID, &c.Client, &c.ConnectedAt)
		return c, err
	})
}
