package maintenance

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/tasks/lake"
)

// Compaction policy defaults. One micro-batch a second writes a file per
// touched partition per table each second: 3,600 files an hour in today's
// Bronze and Silver partitions. Every reader (clean, Gold, lake cat) pays
// per file opened, and every checkpoint carries each one; a daily pass lets
// a day's partition reach ~86,000 files first. At the defaults a partition
// is compacted once it holds 32 small files (about every half minute at
// one batch a second, every few minutes at the shipped rate) or 64 MiB of
// them, whichever comes first.
const (
	DefaultMinSmallFiles = 32
	DefaultMinSmallBytes = 64 << 20
)

// CompactionPolicy says when a partition is due for compaction. A file is
// small when it is below Delta's optimize target (delta.TargetFileBytes,
// 128 MB): those are what Optimize rewrites. A partition is due when it has
// at least two small files and either MinSmallFiles of them or
// MinSmallBytes in them.
type CompactionPolicy struct {
	MinSmallFiles int   // default DefaultMinSmallFiles
	MinSmallBytes int64 // default DefaultMinSmallBytes
}

func (p CompactionPolicy) withDefaults() CompactionPolicy {
	if p.MinSmallFiles <= 0 {
		p.MinSmallFiles = DefaultMinSmallFiles
	}
	if p.MinSmallBytes <= 0 {
		p.MinSmallBytes = DefaultMinSmallBytes
	}
	return p
}

// DuePartition is one partition the policy picked, and why.
type DuePartition struct {
	Values     map[string]string // partition column -> value
	SmallFiles int
	SmallBytes int64
}

// Due returns the partitions of snap that the policy says to compact,
// ordered by partition values. It looks only at the snapshot's file list
// (paths, sizes and partition values from the log): no data file is
// opened, so checking a table every minute costs a walk over its files in
// memory.
func (p CompactionPolicy) Due(snap *delta.Snapshot) []DuePartition {
	p = p.withDefaults()
	cols := snap.PartitionColumns()
	byKey := map[string]*DuePartition{}
	for _, f := range snap.Files() {
		if f.Size >= delta.TargetFileBytes {
			continue
		}
		k := partitionKey(cols, f.PartitionValues)
		d := byKey[k]
		if d == nil {
			d = &DuePartition{Values: f.PartitionValues}
			byKey[k] = d
		}
		d.SmallFiles++
		d.SmallBytes += f.Size
	}
	var out []DuePartition
	for _, k := range slices.Sorted(maps.Keys(byKey)) {
		d := byKey[k]
		if d.SmallFiles >= 2 && (d.SmallFiles >= p.MinSmallFiles || d.SmallBytes >= p.MinSmallBytes) {
			out = append(out, *d)
		}
	}
	return out
}

// partitionKey is a partition's values in column order, as one string.
func partitionKey(cols []string, values map[string]string) string {
	var b strings.Builder
	for _, c := range cols {
		b.WriteString(values[c])
		b.WriteByte(0)
	}
	return b.String()
}

// CompactedTable is what Compact did to one table that had due partitions.
type CompactedTable struct {
	Table string
	Due   []DuePartition
	delta.OptimizeResult
}

// Compact checks every table of the lake against the policy and optimizes
// just its due partitions, one OPTIMIZE commit per table that has any.
// Tables with nothing due are left alone: no data read, no commit. It does
// not care what triggered it (a frequent schedule today; a table's asset
// events once the engine has them), so running it too often costs only the
// check. Tables are reported only when they had due partitions.
func Compact(ctx context.Context, l *lake.Lake, p CompactionPolicy) ([]CompactedTable, error) {
	var out []CompactedTable
	for _, t := range l.Tables() {
		snap, err := t.Delta.Snapshot(ctx)
		if err != nil {
			return out, fmt.Errorf("compact %s: %w", t.Spec.Name, err)
		}
		due := p.Due(snap)
		if len(due) == 0 {
			continue
		}
		want := map[string]bool{}
		for _, d := range due {
			want[partitionKey(snap.PartitionColumns(), d.Values)] = true
		}
		cols := snap.PartitionColumns()
		res, err := t.Delta.Optimize(ctx, func(pv map[string]string) bool { return want[partitionKey(cols, pv)] })
		if err != nil {
			return out, fmt.Errorf("compact %s: %w", t.Spec.Name, err)
		}
		out = append(out, CompactedTable{Table: t.Spec.Name, Due: due, OptimizeResult: res})
	}
	return out, nil
}
