package lake

import (
	"context"
	"fmt"

	"github.com/finpipe/finpipe/delta"
)

// TxnVersion is the version the application appID last committed to the
// table's snapshot s, -1 when it never did.
func TxnVersion(s *delta.Snapshot, appID string) int64 {
	if v, ok := s.TxnVersion(appID); ok {
		return v
	}
	return -1
}

// CheckTxn re-reads the table just before a write and fails with an error
// wrapping delta.ErrConflict when appID's txn is no longer want: another
// run of the same step committed while this one was computing its batch.
// Delta's own check only covers commits made during the write itself, so
// without this a second, concurrent run could write the same batch again.
func CheckTxn(ctx context.Context, t *delta.Table, appID string, want int64) error {
	s, err := t.Snapshot(ctx)
	if err != nil {
		return err
	}
	if got := TxnVersion(s, appID); got != want {
		return fmt.Errorf("%w: %s's txn %s moved from %d to %d during this run", delta.ErrConflict, t.Path(), appID, want, got)
	}
	return nil
}
