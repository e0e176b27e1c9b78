package clean

import (
	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/internal/metrics"
	"github.com/finpipe/finpipe/tasks/lake"
)

// countRejected adds a committed batch of silver/rejected rows to
// finpipe_rejected_records_total by reason code. Only clean knows reasons;
// rows written per table come from the Delta commit hook.
func countRejected(rows []delta.Row) {
	byReason := map[string]int{}
	for _, r := range rows {
		if reason, ok := r[lake.RejectedReason].(string); ok {
			byReason[reason]++
		}
	}
	for reason, n := range byReason {
		metrics.AddRejected(reason, n)
	}
}
