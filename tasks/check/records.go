package check

import (
	"context"
	"fmt"
	"slices"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/tasks/ingest"
	"github.com/finpipe/finpipe/tasks/lake"
)

// maxListed caps the examples listed per kind of violation, so that a badly
// broken lake gives a readable report.
const maxListed = 10

// offsets are the Kafka offsets of one table, per partition, sorted.
type offsets map[int32][]int64

func (o offsets) sort() {
	for _, s := range o {
		slices.Sort(s)
	}
}

// scanOffsets reads the (partition, offset) of every row of a snapshot; s
// may be nil (no version yet). topics, when non-nil, collects each
// partition's latest offset per topic.
func scanOffsets(ctx context.Context, s *delta.Snapshot, cols []string) (offsets, map[string]map[int32]int64, int64, error) {
	out := offsets{}
	topics := map[string]map[int32]int64{}
	var n int64
	if s == nil {
		return out, topics, 0, nil
	}
	err := s.ScanColumns(ctx, cols, nil, func(r delta.Row) error {
		p, ok1 := r[0].(int32)
		o, ok2 := r[1].(int64)
		if !ok1 || !ok2 {
			return fmt.Errorf("row with a null kafka_partition or kafka_offset: %v", r)
		}
		out[p] = append(out[p], o)
		n++
		if len(r) > 2 {
			topic, _ := r[2].(string)
			if topics[topic] == nil {
				topics[topic] = map[int32]int64{}
			}
			if last, seen := topics[topic][p]; !seen || o > last {
				topics[topic][p] = o
			}
		}
		return nil
	})
	out.sort()
	return out, topics, n, err
}

var (
	bronzeCols = []string{"kafka_partition", "kafka_offset", "topic"}
	silverCols = []string{"kafka_partition", "kafka_offset"}
)

// checkRecords checks Bronze's offsets, and that the Bronze version clean
// consumed is split exactly between Silver and rejected.
func checkRecords(ctx context.Context, l *lake.Lake, r *Report) error {
	bronze, err := l.Bronze.Snapshot(ctx)
	if err != nil {
		return fmt.Errorf("check: read bronze: %w", err)
	}
	silver, err := l.Silver.Snapshot(ctx)
	if err != nil {
		return fmt.Errorf("check: read silver: %w", err)
	}
	rejected, err := l.Rejected.Snapshot(ctx)
	if err != nil {
		return fmt.Errorf("check: read rejected: %w", err)
	}
	all, topics, n, err := scanOffsets(ctx, bronze, bronzeCols)
	if err != nil {
		return fmt.Errorf("check: read bronze: %w", err)
	}
	r.Rows[lake.BronzeTransactions] = n
	checkUniqueGapFree(all, r)
	for topic, parts := range topics {
		for p, last := range parts {
			if v := txn(bronze, ingest.AppID(topic, p)); v != last {
				r.violation("bronze: %s/%d: last offset stored is %d but its txn %s records %d", topic, p, last, ingest.AppID(topic, p), v)
			}
		}
	}
	if len(topics) > 1 {
		r.note("bronze holds %d topics; silver has no topic column, so records are matched by partition and offset only", len(topics))
	}

	sTxn, rTxn := cleanTxn(silver), cleanTxn(rejected)
	if sTxn != rTxn {
		r.violation("clean was interrupted: silver consumed bronze version %d, rejected version %d (run clean to finish the batch)", sTxn, rTxn)
		return nil
	}
	consumed := all
	if sTxn != bronze.Version() {
		r.note("clean has consumed bronze up to version %d of %d", sTxn, bronze.Version())
		old, err := snapshotAt(ctx, l.Bronze, sTxn)
		if err != nil {
			return fmt.Errorf("check: read bronze version %d: %w", sTxn, err)
		}
		if consumed, _, _, err = scanOffsets(ctx, old, silverCols); err != nil {
			return fmt.Errorf("check: read bronze version %d: %w", sTxn, err)
		}
	}
	s, _, ns, err := scanOffsets(ctx, silver, silverCols)
	if err != nil {
		return fmt.Errorf("check: read silver: %w", err)
	}
	rj, _, nr, err := scanOffsets(ctx, rejected, silverCols)
	if err != nil {
		return fmt.Errorf("check: read rejected: %w", err)
	}
	r.Rows[lake.SilverTransactions], r.Rows[lake.SilverRejected] = ns, nr
	checkSplit(consumed, s, rj, r)
	return nil
}

// checkUniqueGapFree checks each partition's offsets from the first one
// stored (retention may have deleted earlier ones before the first ingest).
func checkUniqueGapFree(o offsets, r *Report) {
	listed := 0
	for _, p := range sortedPartitions(o) {
		offs := o[p]
		for i := 1; i < len(offs); i++ {
			prev, cur := offs[i-1], offs[i]
			if cur == prev+1 {
				continue
			}
			if listed++; listed > maxListed {
				continue
			}
			if cur == prev {
				r.violation("bronze: partition %d offset %d is stored more than once", p, cur)
			} else {
				r.violation("bronze: partition %d skips offsets %d to %d", p, prev+1, cur-1)
			}
		}
	}
	if listed > maxListed {
		r.violation("bronze: %d more duplicate or missing offsets not listed", listed-maxListed)
	}
}

// checkSplit checks that each consumed Bronze record is in exactly one of
// silver and rejected, and that they hold nothing else.
func checkSplit(bronze, silver, rejected offsets, r *Report) {
	listed := 0
	report := func(p int32, o int64, what string) {
		if listed++; listed <= maxListed {
			r.violation("partition %d offset %d: %s", p, o, what)
		}
	}
	parts := offsets{}
	for _, m := range []offsets{bronze, silver, rejected} {
		for p := range m {
			parts[p] = nil
		}
	}
	for _, p := range sortedPartitions(parts) {
		b, s, j := bronze[p], silver[p], rejected[p]
		for len(b)+len(s)+len(j) > 0 {
			o := min(head(b), head(s), head(j))
			var nb, ns, nj int
			b, nb = drop(b, o)
			s, ns = drop(s, o)
			j, nj = drop(j, o)
			switch {
			case nb == 0:
				report(p, o, fmt.Sprintf("in silver %d and rejected %d times but not in the bronze version consumed", ns, nj))
			case ns+nj == 0:
				report(p, o, "bronze record in neither silver nor rejected")
			case ns > 0 && nj > 0:
				report(p, o, "bronze record in both silver and rejected")
			case ns+nj > 1:
				report(p, o, fmt.Sprintf("bronze record stored %d times downstream", ns+nj))
			}
		}
	}
	if listed > maxListed {
		r.violation("%d more records not split exactly once between silver and rejected", listed-maxListed)
	}
}

// head is the smallest remaining offset, or the largest int64 when none.
func head(s []int64) int64 {
	if len(s) == 0 {
		return 1<<63 - 1
	}
	return s[0]
}

// drop removes the leading copies of o and says how many there were.
func drop(s []int64, o int64) ([]int64, int) {
	n := 0
	for n < len(s) && s[n] == o {
		n++
	}
	return s[n:], n
}

func sortedPartitions(o offsets) []int32 {
	ps := make([]int32, 0, len(o))
	for p := range o {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	return ps
}
