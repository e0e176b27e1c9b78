package web

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/finpipe/finpipe/delta"
)

// LakeLayout is what the lake page knows of the pipeline's tables. The
// wiring (cmd) fills it from the pipeline's own table and column names, so
// that renaming one there cannot silently break the page here.
type LakeLayout struct {
	// Tables are the tables the page lists, relative to the lake directory,
	// upstream first. The list is fixed at start: no request parameter ever
	// becomes a path, so the page cannot be made to read outside the lake.
	Tables []string
	// Summary is the daily per-currency summary the volume chart reads.
	Summary SummaryTable
	// Ranking is the daily user ranking the top-users chart reads.
	Ranking RankingTable
}

// SummaryTable names the Gold table of daily totals per currency and the
// columns the dashboard reads from it.
type SummaryTable struct {
	Name                                                   string
	EventDate, Currency, TxCount, TotalAmount, UniqueUsers string
}

// RankingTable names the Gold table of each day's user ranking per
// currency and the columns the dashboard reads from it; EventDate is its
// partition column, which the page filters on.
type RankingTable struct {
	Name                                           string
	EventDate, Currency, Rank, UserID, TotalAmount string
}

// tableStat is one line of the lake page's table list.
type tableStat struct {
	Name       string
	Exists     bool
	Error      string
	Version    int64
	Files      int
	Rows       int64
	RowsExact  bool // every file has stats with numRecords
	Bytes      int64
	LastCommit time.Time // newest data file's modification time
}

// openTable returns the named table, opened once per server: a Table
// advances its cached snapshot by the new commits only, so the lake page's
// polling costs a directory listing, not a log replay. A table that does not
// exist yet is looked for again on the next request.
func (s *server) openTable(name string) (*delta.Table, error) {
	if t, ok := s.tables.Load(name); ok {
		return t.(*delta.Table), nil
	}
	t, err := delta.Open(delta.JoinLocation(s.lakeDir, name))
	if err != nil {
		return nil, err
	}
	actual, loaded := s.tables.LoadOrStore(name, t)
	if loaded {
		t.Close() // another request opened it first
	}
	return actual.(*delta.Table), nil
}

// statTable reads a table's latest snapshot; the counts come from the log
// (file stats), not from reading data files, so it is cheap for any size.
func (s *server) statTable(ctx context.Context, name string) tableStat {
	st := tableStat{Name: name, RowsExact: true}
	t, err := s.openTable(name)
	if errors.Is(err, delta.ErrNotATable) {
		return st
	}
	var snap *delta.Snapshot
	if err == nil {
		snap, err = t.Snapshot(ctx)
	}
	if err != nil {
		s.log.Warn("lake: read table", "table", name, "err", err)
		st.Error = "cannot read the table's log (see the server log)"
		return st
	}
	st.Exists, st.Version = true, snap.Version()
	for _, f := range snap.Files() {
		st.Files++
		st.Bytes += f.Size
		// NumRecords counts the file's live rows: a deletion vector's
		// rows are gone from the table though the stats still count them.
		if n := f.NumRecords(); n >= 0 {
			st.Rows += n
		} else {
			st.RowsExact = false
		}
		if m := time.UnixMilli(f.ModificationTime).UTC(); m.After(st.LastCommit) {
			st.LastCommit = m
		}
	}
	return st
}

// PartitionLag is how far ingest is behind Kafka on one partition.
type PartitionLag struct {
	Partition     int32
	HighWatermark int64 // next offset Kafka will assign
	Ingested      int64 // next offset ingest will read
	Lag           int64
}

// KafkaLagFunc reports ingest's lag per partition, ordered by partition. The
// pipeline computes it (Bronze's exactly-once positions against the broker's
// watermarks); the page only shows it.
type KafkaLagFunc func(ctx context.Context) ([]PartitionLag, error)

// humanBytes formats a size for the table list.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// lagCache keeps the last lag for a second: every open lake page polls,
// and asking Kafka is a network round trip with a client set up each time.
type lagCache struct {
	mu  sync.Mutex
	at  time.Time
	lag []PartitionLag
	err error
}

func (c *lagCache) get(ctx context.Context, fetch KafkaLagFunc) ([]PartitionLag, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.at) >= time.Second {
		c.lag, c.err = fetch(ctx)
		c.at = time.Now()
	}
	return c.lag, c.err
}
