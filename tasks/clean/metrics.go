package clean

import (
	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/tasks/lake"
)

// countRejected tells count (Options.CountRejected) how many rows of a
// committed silver/rejected batch carry each reason code. Only clean knows
// reasons; rows written per table come from the Delta commit hook.
func countRejected(rows []delta.Row, count func(reason string, n int)) {
	if count == nil {
		return
	}
	byReason := map[string]int{}
	for _, r := range rows {
		if reason, ok := r[lake.RejectedReason].(string); ok {
			byReason[reason]++
		}
	}
	for reason, n := range byReason {
		count(reason, n)
	}
}
