package web

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/finpipe/finpipe/delta"
)

// lakeTables are the tables the lake page lists, relative to the lake
// directory. The list is fixed: no request parameter ever becomes a path,
// so the page cannot be made to read outside the lake.
var lakeTables = []string{
	"bronze/transactions", "silver/transactions", "silver/rejected",
	"gold/daily_user_metrics", "gold/daily_user_ranking", "gold/daily_currency_summary",
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
		if ps, ok := f.ParsedStats(); ok {
			st.Rows += ps.NumRecords
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

// Watermarks are a topic's offsets per partition: High is the next offset
// Kafka will assign, Low the first one retention has kept.
type Watermarks struct {
	Low, High map[int32]int64
}

// WatermarksFunc asks the broker for the topic's watermarks.
type WatermarksFunc func(ctx context.Context) (Watermarks, error)

// kafkaLag compares Kafka's high watermarks with the offsets Bronze's txn
// actions record (appId "ingest-<topic>-<partition>", version = the last
// offset written): the exactly-once position, not Kafka's committed offsets.
// A partition Bronze has never read starts at its low watermark.
func (s *server) kafkaLag(ctx context.Context) ([]PartitionLag, error) {
	hw, err := s.hwCache.get(ctx, s.watermarks)
	if err != nil {
		return nil, err
	}
	txns := map[string]int64{}
	if t, err := s.openTable("bronze/transactions"); err == nil {
		if snap, err := t.Snapshot(ctx); err == nil {
			txns = snap.Txns()
		}
	}
	out := make([]PartitionLag, 0, len(hw.High))
	for p, high := range hw.High {
		pl := PartitionLag{Partition: p, HighWatermark: high, Ingested: hw.Low[p]}
		if v, ok := txns["ingest-"+s.topic+"-"+strconv.Itoa(int(p))]; ok {
			pl.Ingested = v + 1
		}
		pl.Lag = max(high-pl.Ingested, 0)
		out = append(out, pl)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Partition < out[j].Partition })
	return out, nil
}

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

// watermarkCache keeps the last answer of the broker for a second: every
// open lake page polls, and asking Kafka is a network round trip with a
// client set up each time.
type watermarkCache struct {
	mu  sync.Mutex
	at  time.Time
	hw  Watermarks
	err error
}

func (c *watermarkCache) get(ctx context.Context, fetch WatermarksFunc) (Watermarks, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.at) >= time.Second {
		c.hw, c.err = fetch(ctx)
		c.at = time.Now()
	}
	return c.hw, c.err
}
