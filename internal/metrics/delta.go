package metrics

import (
	"path/filepath"
	"time"
)

// DeltaCommit records one Delta commit: its latency and conflicts, and the
// rows it added in finpipe_rows_written_total. Its signature is
// delta.CommitObserver's, so the process hands m.DeltaCommit to the lake it
// opens (dags.PipelineFrom, lake.Opener) and every table of that lake
// reports without the delta package knowing of Prometheus.
func (m *Metrics) DeltaCommit(tablePath string, d time.Duration, conflicts int, rowsAdded int64) {
	table := TableLabel(tablePath)
	m.ObserveDeltaCommit(table, d, conflicts)
	m.AddRows(table, int(rowsAdded))
}

// TableLabel names a table by its last two path elements, the layer and the
// table ("silver/transactions"), as DESIGN.md does: the lake's location
// differs between machines and would only add cardinality.
func TableLabel(tablePath string) string {
	clean := filepath.Clean(tablePath)
	return filepath.ToSlash(filepath.Join(filepath.Base(filepath.Dir(clean)), filepath.Base(clean)))
}
