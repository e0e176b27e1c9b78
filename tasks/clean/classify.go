package clean

import (
	"fmt"
	"time"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/record"
)

// bronzeRecord is the part of a Bronze row that clean uses.
type bronzeRecord struct {
	topic      string
	partition  int32
	offset     int64
	timestamp  time.Time
	value      []byte
	ingestedAt time.Time
	ingestDate time.Time
}

// bronzeColumns are the Bronze columns clean reads, in parseBronze's
// order: all but the key, which no rule looks at.
var bronzeColumns = []string{"topic", "kafka_partition", "kafka_offset", "kafka_timestamp", "value", "ingested_at", "ingest_date"}

// parseBronze reads a Bronze row of bronzeColumns; a row of the wrong shape
// is an error (the table is damaged), not a rejection, since it is not a
// Kafka record.
func parseBronze(r delta.Row) (bronzeRecord, error) {
	var b bronzeRecord
	if len(r) != len(bronzeColumns) {
		return b, fmt.Errorf("clean: bronze row has %d columns, want %d", len(r), len(bronzeColumns))
	}
	var ok [6]bool
	b.topic, ok[0] = r[0].(string)
	b.partition, ok[1] = r[1].(int32)
	b.offset, ok[2] = r[2].(int64)
	b.timestamp, ok[3] = r[3].(time.Time)
	b.value, _ = r[4].([]byte) // a null value (Kafka tombstone) is malformed_json
	b.ingestedAt, ok[4] = r[5].(time.Time)
	b.ingestDate, ok[5] = r[6].(time.Time)
	if ok != [6]bool{true, true, true, true, true, true} {
		return b, fmt.Errorf("clean: bronze row has a null or mistyped column: %v", r)
	}
	return b, nil
}

// candidate is a record that passed every rule so far; it may still lose to
// an earlier record of the same batch with the same transaction_id. Its
// Silver row is built at once, so the batch holds each accepted record in
// one form only: the row has its id, partition and offset, and the Bronze
// value is not kept (it is most of a record's bytes).
type candidate struct {
	row     delta.Row
	key     idKey // the id as the index will hold it
	dropped bool  // lost to an earlier duplicate: goes to rejected
}

func (c *candidate) partition() int32 { return c.row[lake.SilverKafkaPartition].(int32) }
func (c *candidate) offset() int64    { return c.row[lake.SilverKafkaOffset].(int64) }

// before orders records "by partition then offset" (DESIGN.md), which
// decides which of two in-batch duplicates is the original.
func (c *candidate) before(b bronzeRecord) bool {
	if p := c.partition(); p != b.partition {
		return p < b.partition
	}
	return c.offset() < b.offset
}

// position is a Bronze record's place in Kafka.
type position struct {
	partition int32
	offset    int64
}

// batch classifies the Bronze records of one clean run. Its rules see Silver
// only as committed before the batch (index), so the outcome depends on the
// batch's records alone, not on the order their files are read in: a retry
// after a crash classifies every record the same way.
type batch struct {
	index      *Index
	cutoff     time.Time // events before it are late; zero: nothing is late
	lateness   time.Duration
	rejectedAt time.Time

	pending  map[string]int // transaction id → position in accepted
	accepted []candidate
	rejected []delta.Row
	// displaced are accepted records that a record read later but earlier
	// by partition and offset made duplicates, with their reject detail.
	// Their Bronze rows (not kept) are read again to reject them.
	displaced map[position]string
	// silver, when set, streams the accepted rows to Silver as they come.
	silver *silverStream
}

// newBatch sizes its buffers for records, the batch's expected size, so
// that they never grow by copying.
func newBatch(index *Index, lateness time.Duration, now time.Time, records int) *batch {
	b := &batch{index: index, lateness: lateness, rejectedAt: now.UTC(),
		pending: make(map[string]int, records), accepted: make([]candidate, 0, records)}
	if !index.MaxEventTime.IsZero() {
		b.cutoff = index.MaxEventTime.Add(-lateness)
	}
	return b
}

// verdict is what a judge found out about a Bronze record: a rejection
// (reason set), or a candidate for Silver (its row and id key) that settle
// still checks against the records of the batch before it.
type verdict struct {
	src            bronzeRecord
	row            delta.Row
	key            idKey
	reason, detail string
}

// judge applies the rules that need only the record and Silver as
// committed before the batch: every rule but the in-batch duplicate. It
// changes nothing of the batch, so that judges run on several goroutines
// at once, one each: a judge reuses its memory from record to record.
type judge struct {
	b    *batch
	dec  record.Decoder
	rows silverRows
}

// newJudge returns a judge for one goroutine.
func (b *batch) newJudge() func(bronzeRecord) verdict {
	j := &judge{b: b, rows: newSilverRows(chunkRows)}
	return j.judge
}

func (j *judge) judge(src bronzeRecord) verdict {
	b := j.b
	tx, rej := j.dec.Validate(src.value, record.Arrival{KafkaTimestamp: src.timestamp, IngestedAt: src.ingestedAt})
	if rej != nil {
		return verdict{src: src, reason: string(rej.Reason), detail: rej.Detail}
	}
	if !b.cutoff.IsZero() && record.CheckLate(tx.EventTime, b.index.MaxEventTime, b.lateness) {
		return verdict{src: src, reason: string(record.ReasonLateEvent), detail: fmt.Sprintf(
			"event_time %s is before the watermark %s (newest accepted event_time %s minus allowed lateness %s)",
			rfc3339(tx.EventTime), rfc3339(b.cutoff), rfc3339(b.index.MaxEventTime), b.lateness)}
	}
	key := keyOf(tx.TransactionID)
	if b.index.has(key) {
		return verdict{src: src, reason: string(record.ReasonDuplicate),
			detail: fmt.Sprintf("transaction_id %q was accepted in an earlier batch", tx.TransactionID)}
	}
	boxes := j.dec.Boxes()
	return verdict{src: src, row: j.rows.row(&tx, &boxes, src), key: key}
}

// settle records a verdict, in file order: a rejection as it is, a
// candidate unless an earlier record of the batch had its transaction id.
func (b *batch) settle(v verdict) {
	src := v.src
	if v.reason != "" {
		b.reject(src, v.reason, v.detail)
		return
	}
	// The key shares the row's id string: the map costs no copy of it.
	id := v.row[lake.SilverTransactionID].(string)
	if i, dup := b.pending[id]; dup {
		first := &b.accepted[i]
		if first.before(src) {
			b.reject(src, string(record.ReasonDuplicate), duplicateDetail(id, first.partition(), first.offset()))
			return
		}
		// This record precedes the one kept so far: it becomes the original.
		first.dropped = true
		if b.silver != nil {
			b.silver.broken = true // first's row may already be in a Silver file
		}
		if b.displaced == nil {
			b.displaced = map[position]string{}
		}
		b.displaced[position{first.partition(), first.offset()}] = duplicateDetail(id, src.partition, src.offset)
	}
	b.pending[id] = len(b.accepted)
	b.accepted = append(b.accepted, candidate{row: v.row, key: v.key})
	if b.silver != nil {
		b.silver.add(v.row)
	}
}

func duplicateDetail(id string, partition int32, offset int64) string {
	return fmt.Sprintf("transaction_id %q was first seen in this batch at partition %d offset %d", id, partition, offset)
}

func (b *batch) reject(src bronzeRecord, reason, detail string) {
	var value any
	if src.value != nil {
		value = src.value
	}
	b.rejected = append(b.rejected, delta.Row{
		reason, detail, value, src.topic, src.partition, src.offset, src.timestamp, b.rejectedAt, src.ingestDate,
	})
}

// silverRows returns the accepted records' Silver rows.
func (b *batch) silverRows() []delta.Row {
	rows := make([]delta.Row, 0, len(b.accepted))
	for i := range b.accepted {
		if c := &b.accepted[i]; !c.dropped {
			rows = append(rows, c.row)
		}
	}
	return rows
}

// commitToIndex adds the accepted records to the index once Silver has
// committed them.
func (b *batch) commitToIndex() {
	entries := make([]indexEntry, 0, len(b.accepted))
	for i := range b.accepted {
		if c := &b.accepted[i]; !c.dropped {
			et := c.row[lake.SilverEventTime].(time.Time)
			entries = append(entries, indexEntry{key: c.key, eventTime: et, day: dayOf(et)})
		}
	}
	b.index.addAll(entries)
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
