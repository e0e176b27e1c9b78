package clean

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/finpipe/finpipe/tasks/record"
)

var t0 = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// fixture is a lake whose Bronze the test fills by hand, one commit per
// call of ingest, as the ingest task would.
type fixture struct {
	t    *testing.T
	lake *lake.Lake
	next map[int32]int64 // next offset per partition
}

func newFixture(t *testing.T) *fixture {
	l, err := lake.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, lake: l, next: map[int32]int64{}}
}

// restart opens the lake afresh, as a restarted process does: no Follower
// state, no cached snapshots.
func (f *fixture) restart() {
	f.t.Helper()
	l, err := lake.Open(f.lake.Dir)
	if err != nil {
		f.t.Fatal(err)
	}
	f.lake = l
}

// msg is one Kafka record to put in Bronze.
type msg struct {
	partition int32
	value     string
}

func (f *fixture) ingest(msgs ...msg) {
	f.t.Helper()
	f.ingestStamped(nil, msgs...)
}

// ingestStamped is ingest with the Kafka timestamp of message i given by
// stamp(i) (nil: t0), as a producer with its own clock sets it; the ingest
// time is always t0.
func (f *fixture) ingestStamped(stamp func(i int) time.Time, msgs ...msg) {
	f.t.Helper()
	rows := make([]delta.Row, len(msgs))
	for i, m := range msgs {
		off := f.next[m.partition]
		f.next[m.partition]++
		ts := t0
		if stamp != nil {
			ts = stamp(i)
		}
		rows[i] = lake.BronzeRow("transactions", m.partition, off, ts, nil, []byte(m.value), t0)
	}
	if _, err := f.lake.Bronze.Append(context.Background(), rows, delta.CommitOptions{}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) run(opts Options) Result {
	f.t.Helper()
	res, err := Run(context.Background(), f.lake, opts)
	if err != nil {
		f.t.Fatal(err)
	}
	return res
}

// rows reads a table's current rows.
func (f *fixture) rows(t *delta.Table) []delta.Row {
	f.t.Helper()
	return testenv.TableRows(f.t, t)
}

// where maps (partition, offset) of each Bronze record to "silver" or its
// rejection reason, failing the test when a record is in both or neither.
func (f *fixture) where() map[[2]int64]string {
	f.t.Helper()
	out := map[[2]int64]string{}
	put := func(p int32, o int64, v string) {
		k := [2]int64{int64(p), o}
		if prev, dup := out[k]; dup {
			f.t.Errorf("record %v is in %s and in %s", k, prev, v)
		}
		out[k] = v
	}
	for _, r := range f.rows(f.lake.Silver) {
		put(r[lake.SilverKafkaPartition].(int32), r[lake.SilverKafkaOffset].(int64), "silver")
	}
	for _, r := range f.rows(f.lake.Rejected) {
		put(r[lake.RejectedKafkaPartition].(int32), r[lake.RejectedKafkaOffset].(int64), r[lake.RejectedReason].(string))
	}
	for _, r := range f.rows(f.lake.Bronze) {
		k := [2]int64{int64(r[lake.BronzeKafkaPartition].(int32)), r[lake.BronzeKafkaOffset].(int64)}
		if _, ok := out[k]; !ok {
			f.t.Errorf("bronze record %v is in neither silver nor rejected", k)
		}
	}
	return out
}

func tx(id string, eventTime time.Time) string {
	return fmt.Sprintf(`{"transaction_id":%q,"user_id":"u1","amount":"12.50","currency":"eur","event_time":%q}`,
		id, eventTime.Format(time.RFC3339))
}

func TestEveryReasonCodeLandsInRejected(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.ingest(msg{0, tx("seed", t0)}) // sets the watermark to t0
	f.run(Options{})
	bad := map[record.Reason]string{
		record.ReasonMalformedJSON:     `{"transaction_id":`,
		record.ReasonMissingField:      `{"transaction_id":"a","user_id":"u","amount":1,"currency":"EUR"}`,
		record.ReasonInvalidField:      `{"transaction_id":"a b","user_id":"u","amount":1,"currency":"EUR","event_time":"2026-03-10T12:00:00Z"}`,
		record.ReasonInvalidAmount:     `{"transaction_id":"a","user_id":"u","amount":1.001,"currency":"EUR","event_time":"2026-03-10T12:00:00Z"}`,
		record.ReasonNonPositiveAmount: `{"transaction_id":"a","user_id":"u","amount":-3,"currency":"EUR","event_time":"2026-03-10T12:00:00Z"}`,
		record.ReasonUnknownCurrency:   `{"transaction_id":"a","user_id":"u","amount":1,"currency":"XXY","event_time":"2026-03-10T12:00:00Z"}`,
		record.ReasonInvalidEventTime:  `{"transaction_id":"a","user_id":"u","amount":1,"currency":"EUR","event_time":"yesterday"}`,
		record.ReasonFutureEventTime:   tx("future", t0.Add(time.Hour)),
		record.ReasonLateEvent:         tx("late", t0.Add(-49*time.Hour)),
		record.ReasonDuplicate:         tx("seed", t0),
	}
	var msgs []msg
	var order []record.Reason
	for _, reason := range record.Reasons() {
		msgs = append(msgs, msg{1, bad[reason]})
		order = append(order, reason)
	}
	msgs = append(msgs, msg{1, tx("ok", t0.Add(-47*time.Hour))}) // late-ish but within 48 h
	f.ingest(msgs...)
	res := f.run(Options{})
	if res.Records != len(msgs) || res.Accepted != 1 || res.Rejected != len(order) {
		t.Fatalf("result %+v", res)
	}
	// The index holds "seed" and "ok": within 48 h of the newest, both kept.
	if res.IndexIDs != 2 || res.IndexDays < 2 {
		t.Fatalf("index of %d ids over %d dates after the batch, want 2 ids over 2 or 3 dates", res.IndexIDs, res.IndexDays)
	}
	got := f.where()
	for i, reason := range order {
		if g := got[[2]int64{1, int64(i)}]; g != string(reason) {
			t.Errorf("record for %s landed as %q", reason, g)
		}
	}
	if g := got[[2]int64{1, int64(len(order))}]; g != "silver" {
		t.Errorf("record within the allowed lateness landed as %q", g)
	}
	// The rejected row keeps the bytes as received and a detail.
	for _, r := range f.rows(f.lake.Rejected) {
		off := r[lake.RejectedKafkaOffset].(int64)
		if string(r[lake.RejectedValue].([]byte)) != msgs[off].value {
			t.Errorf("rejected value at offset %d = %q", off, r[lake.RejectedValue])
		}
		if d, _ := r[lake.RejectedDetail].(string); d == "" {
			t.Errorf("rejected row at offset %d has no detail", off)
		}
	}
}

func TestDuplicatesInBatchKeepTheFirstByPartitionThenOffset(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// Two ingest commits; the later commit holds the earlier partition, so
	// reading order and "partition then offset" order disagree.
	f.ingest(msg{2, tx("x", t0)}, msg{2, tx("y", t0)})
	f.ingest(msg{0, tx("x", t0)}, msg{0, tx("x", t0)})
	f.run(Options{})
	got := f.where()
	want := map[[2]int64]string{{0, 0}: "silver", {0, 1}: "duplicate", {2, 0}: "duplicate", {2, 1}: "silver"}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%v: got %q, want %q", k, got[k], w)
		}
	}
	// The displaced record is quarantined like any other: its bytes as
	// received, and a detail naming the original.
	for _, r := range f.rows(f.lake.Rejected) {
		if r[lake.RejectedKafkaPartition].(int32) != 2 {
			continue
		}
		if v := string(r[lake.RejectedValue].([]byte)); v != tx("x", t0) {
			t.Errorf("rejected value %q, want %q", v, tx("x", t0))
		}
		if d := r[lake.RejectedDetail].(string); !strings.Contains(d, "partition 0 offset 0") {
			t.Errorf("detail %q does not name the original at partition 0 offset 0", d)
		}
	}
}

// TestIndexHoldsIdsExactly: ids differing in one character or only in
// case are different transactions, whether or not they look like UUIDs.
func TestIndexHoldsIdsExactly(t *testing.T) {
	t.Parallel()
	x := NewIndex(0)
	ids := []string{"0f8fad5b-d9cb-469f-a165-70867728950e", "0f8fad5b-d9cb-469f-a165-70867728950f", "order-17"}
	for _, id := range ids {
		x.add(id, t0)
	}
	for _, id := range ids {
		if !x.Contains(id) {
			t.Errorf("%q not found", id)
		}
	}
	for _, id := range []string{"0F8FAD5B-D9CB-469F-A165-70867728950E", "0f8fad5b-d9cb-469f-a165-70867728950a",
		"0f8fad5bd9cb-469f-a165-70867728950e-", "order-18", ""} {
		if x.Contains(id) {
			t.Errorf("%q found, never added", id)
		}
	}
	if x.Len() != 3 {
		t.Errorf("Len = %d, want 3", x.Len())
	}
}

func TestDuplicatesAcrossBatchesAndRestarts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.ingest(msg{0, tx("a", t0)})
	f.run(Options{})
	f.ingest(msg{0, tx("a", t0)})
	f.run(Options{})
	// A fresh process has no cached index: it must rebuild it from Silver.
	f.restart()
	f.ingest(msg{0, tx("a", t0)}, msg{0, tx("b", t0)})
	f.run(Options{})
	got := f.where()
	for k, w := range map[[2]int64]string{{0, 0}: "silver", {0, 1}: "duplicate", {0, 2}: "duplicate", {0, 3}: "silver"} {
		if got[k] != w {
			t.Errorf("%v: got %q, want %q", k, got[k], w)
		}
	}
}

func TestWatermarkIsFixedPerBatch(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// In one batch a new maximum does not make older records of the same
	// batch late (Spark's semantics).
	f.ingest(msg{0, tx("old", t0.Add(-100*time.Hour))}, msg{0, tx("new", t0)})
	f.run(Options{})
	// The next batch is judged against t0.
	f.ingest(msg{0, tx("late", t0.Add(-3*time.Hour))})
	f.run(Options{AllowedLateness: 2 * time.Hour})
	got := f.where()
	for k, w := range map[[2]int64]string{{0, 0}: "silver", {0, 1}: "silver", {0, 2}: "late_event"} {
		if got[k] != w {
			t.Errorf("%v: got %q, want %q", k, got[k], w)
		}
	}
}

func TestRerunAfterSuccessIsANoOp(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.ingest(msg{0, tx("a", t0)}, msg{0, "junk"})
	f.run(Options{})
	versions := func() [2]int64 {
		s, _ := f.lake.Silver.Snapshot(context.Background())
		r, _ := f.lake.Rejected.Snapshot(context.Background())
		return [2]int64{s.Version(), r.Version()}
	}
	before := versions()
	if res := f.run(Options{}); res.Records != 0 || res.BronzeFrom != res.BronzeTo {
		t.Fatalf("second run did work: %+v", res)
	}
	if after := versions(); after != before {
		t.Fatalf("second run committed: %v → %v", before, after)
	}
}

func TestBatchesAreBoundedByMaxRecords(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for i := 0; i < 3; i++ {
		f.ingest(msg{0, tx(fmt.Sprint("a", i), t0)}, msg{0, tx(fmt.Sprint("b", i), t0)})
	}
	if res := f.run(Options{MaxRecords: 3}); res.Records != 2 {
		t.Fatalf("first batch read %d records, want one commit of 2", res.Records)
	}
	if res := f.run(Options{MaxRecords: 4}); res.Records != 4 {
		t.Fatalf("second batch read %d records, want two commits", res.Records)
	}
	f.where()
}

func TestCrashBetweenRejectedAndSilverCommits(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.ingest(msg{0, tx("a", t0)})
	f.run(Options{})
	f.ingest(msg{0, tx("a", t0)}, msg{0, tx("b", t0)}, msg{1, tx("b", t0)}, msg{1, "{}"})
	crash := errors.New("simulated crash")
	_, err := Run(context.Background(), f.lake, Options{AfterRejected: func() error { return crash }})
	if !errors.Is(err, crash) {
		t.Fatalf("run: %v", err)
	}
	// Silver's rows were streamed into data files while the batch was
	// judged; the failed run deleted them with its aborted append.
	if extra := unreferencedFiles(t, f.lake.Silver); len(extra) > 0 {
		t.Errorf("the failed run left silver data files no commit references: %v", extra)
	}
	// A restarted process: no cache; more Bronze data arrived meanwhile.
	f.restart()
	f.ingest(msg{0, tx("c", t0)})
	res := f.run(Options{})
	if !res.Recovered || res.Rejected != 0 || res.Accepted != 1 {
		t.Fatalf("recovery run: %+v", res)
	}
	f.run(Options{}) // the batch that arrived after the crash
	got := f.where()
	want := map[[2]int64]string{
		{0, 0}: "silver", {0, 1}: "duplicate", {0, 2}: "silver", {0, 3}: "silver",
		{1, 0}: "duplicate", {1, 1}: "missing_field",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%v: got %q, want %q", k, got[k], w)
		}
	}
}

func TestALongBacklogIsReadAcrossLogWindows(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for i := 0; i < 70; i++ { // more commits than nextBatch reads at once
		f.ingest(msg{0, tx(fmt.Sprint("t", i), t0)})
	}
	if res := f.run(Options{}); res.Records != 70 || res.Behind {
		t.Fatalf("one run over 70 commits: %+v", res)
	}
	if res := f.run(Options{MaxRecords: 1}); res.Records != 0 {
		t.Fatalf("second run: %+v", res)
	}
	f.where()
}

// TestOneSkewedProducerDoesNotMoveTheWatermark: a record stamped 72 h ahead
// by its producer (Kafka timestamp and event_time agree) in the middle of a
// batch is future_event_time by the ingest time, so the watermark stays
// with the correct records and none of the next batch is late.
func TestOneSkewedProducerDoesNotMoveTheWatermark(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	skewed := t0.Add(72 * time.Hour)
	var msgs []msg
	for i := 0; i < 101; i++ {
		id, et := fmt.Sprint("good-", i), t0.Add(-time.Minute)
		if i == 50 {
			id, et = "skewed", skewed
		}
		msgs = append(msgs, msg{0, tx(id, et)})
	}
	f.ingestStamped(func(i int) time.Time {
		if i == 50 {
			return skewed
		}
		return t0
	}, msgs...)
	f.run(Options{})
	var next []msg
	for i := 0; i < 100; i++ {
		next = append(next, msg{1, tx(fmt.Sprint("next-", i), t0)})
	}
	f.ingest(next...)
	f.run(Options{})
	got := f.where()
	for k, where := range got {
		want := "silver"
		if k == [2]int64{0, 50} {
			want = "future_event_time"
		}
		if where != want {
			t.Errorf("record %v landed as %q, want %q", k, where, want)
		}
	}
	for _, r := range f.rows(f.lake.Rejected) {
		if d := r[lake.RejectedDetail].(string); !strings.Contains(d, "ingest time") {
			t.Errorf("detail %q does not name the ingest time", d)
		}
	}
}

// TestDuplicatesWithinTheWindowAreCaughtAfterOldDatesAreDropped: the index
// forgets the dates the watermark has passed. A re-send of a transaction of
// such a date is late_event (never accepted twice); one within the window
// is a duplicate, also after a restart rebuilds the index from Silver.
func TestDuplicatesWithinTheWindowAreCaughtAfterOldDatesAreDropped(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	old, recent := t0.Add(-96*time.Hour), t0.Add(-10*time.Hour)
	f.ingest(msg{0, tx("old", old)}, msg{0, tx("recent", recent)})
	f.run(Options{})
	f.ingest(msg{0, tx("now", t0)}) // the watermark passes old's date
	f.run(Options{})
	f.ingest(msg{0, tx("old", old)}, msg{0, tx("recent", recent)})
	f.run(Options{})
	f.restart()
	f.ingest(msg{0, tx("recent", recent)})
	f.run(Options{})
	got := f.where()
	for k, w := range map[[2]int64]string{{0, 0}: "silver", {0, 1}: "silver", {0, 2}: "silver",
		{0, 3}: "late_event", {0, 4}: "duplicate", {0, 5}: "duplicate"} {
		if got[k] != w {
			t.Errorf("%v: got %q, want %q", k, got[k], w)
		}
	}
	folder, unlock, err := f.lake.Follow("clean-index-48h0m0s", f.lake.Silver, nil).At(context.Background(), f.lake.Silver, mustSnapshot(t, f.lake.Silver))
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	if x := folder.(*Index); x.Contains("old") || !x.Contains("recent") || x.Days() != 1 {
		t.Errorf("index holds old %v, recent %v, %d dates; want recent and now, of one date", x.Contains("old"), x.Contains("recent"), x.Days())
	}
}

func mustSnapshot(t *testing.T, tbl *delta.Table) *delta.Snapshot {
	t.Helper()
	s, err := tbl.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// unreferencedFiles lists the data files under tbl's directory that its
// latest snapshot does not reference.
func unreferencedFiles(t *testing.T, tbl *delta.Table) []string {
	t.Helper()
	snap, err := tbl.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	live := map[string]bool{}
	for _, f := range snap.Files() {
		live[filepath.FromSlash(f.Path)] = true
	}
	var extra []string
	err = filepath.WalkDir(tbl.Path(), func(p string, d fs.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(p, ".parquet") || strings.Contains(p, "_delta_log") {
			return err
		}
		if rel, _ := filepath.Rel(tbl.Path(), p); !live[rel] {
			extra = append(extra, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return extra
}
