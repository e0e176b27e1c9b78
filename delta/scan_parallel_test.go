package delta

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/shopspring/decimal"
)

// openWatchStore counts the data files a scan opens and closes, and
// announces each open.
type openWatchStore struct {
	storage
	mu     sync.Mutex
	opens  int
	closes int
	opened chan string
}

func (w *openWatchStore) openFile(ctx context.Context, key string) (fileReader, error) {
	f, err := w.storage.openFile(ctx, key)
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	w.opens++
	w.mu.Unlock()
	select {
	case w.opened <- key:
	default:
	}
	return &watchedFile{fileReader: f, w: w}, nil
}

type watchedFile struct {
	fileReader
	w *openWatchStore
}

func (f *watchedFile) Close() error {
	f.w.mu.Lock()
	f.w.closes++
	f.w.mu.Unlock()
	return f.fileReader.Close()
}

var idSchema = Schema{Fields: []Field{
	{Name: "id", Type: "long", Nullable: false},
	{Name: "name", Type: "string", Nullable: true},
}}

// filesOfSizes makes an unpartitioned table with one file per size, ids
// counting up across them in commit order, and returns its snapshot read
// through an openWatchStore.
func filesOfSizes(t *testing.T, sizes ...int) (*Snapshot, *openWatchStore) {
	t.Helper()
	ctx := context.Background()
	tbl, err := Create(filepath.Join(t.TempDir(), "t"), idSchema, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := int64(0)
	for _, n := range sizes {
		rows := make([]Row, n)
		for i := range rows {
			var name any = fmt.Sprintf("n%d", id)
			if id%7 == 0 {
				name = nil
			}
			rows[i] = Row{id, name}
			id++
		}
		if _, err := tbl.Append(ctx, rows, CommitOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	snap, err := tbl.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	w := &openWatchStore{storage: snap.root, opened: make(chan string, 64)}
	return &Snapshot{root: w, version: snap.version, st: snap.st}, w
}

// TestScanKeepsFileOrder: a scan decodes files in parallel but returns
// their rows exactly as reading them one after another does, files in the
// order given and each file's rows in order (batches of several sizes,
// some spanning several decode batches).
func TestScanKeepsFileOrder(t *testing.T) {
	ctx := context.Background()
	snap, _ := filesOfSizes(t, 1500, 3, 700, 2*scanBatchRows+1, 1, 40)
	proj, err := snap.projection(nil)
	if err != nil {
		t.Fatal(err)
	}
	files := snap.Files()
	slices.Reverse(files) // not the commit order: the order given counts
	var want []Row
	for _, f := range files {
		if err := snap.scanFile(ctx, f, proj, func(r Row) error { want = append(want, r); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	var got []Row
	if err := snap.ScanFiles(ctx, files, nil, func(r Row) error { got = append(got, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || len(got) != 1500+3+700+2*scanBatchRows+1+1+40 {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i][0] != want[i][0] || got[i][1] != want[i][1] {
			t.Fatalf("row %d = %v, want %v", i, got[i], want[i])
		}
	}
}

// TestScanDecodesAheadOfCallback: while the caller's callback still holds
// the first row of the first file, the next file is already being read:
// decoding runs off the caller's goroutine. (A sequential scan never opens
// the second file here and the test fails after its wait.)
func TestScanDecodesAheadOfCallback(t *testing.T) {
	snap, w := filesOfSizes(t, 10, 10, 10)
	files := snap.Files()
	first := true
	err := snap.ScanFiles(context.Background(), files, nil, func(Row) error {
		if !first {
			return nil
		}
		first = false
		for {
			select {
			case key := <-w.opened:
				if key == files[1].Path {
					return nil
				}
			case <-time.After(30 * time.Second):
				return errors.New("the second file was not opened while the callback held the first file's first row")
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestScanStopsCleanly: an error from the callback, or the caller's
// context ending, stops the scan with that error, and by the time the
// scan returns every file it opened is closed (no decoder outlives it).
func TestScanStopsCleanly(t *testing.T) {
	stop := errors.New("enough")
	for name, tc := range map[string]struct {
		fail func(cancel context.CancelFunc) error
		want error
	}{
		"callback error": {func(context.CancelFunc) error { return stop }, stop},
		"context ended":  {func(cancel context.CancelFunc) error { cancel(); return nil }, context.Canceled},
	} {
		t.Run(name, func(t *testing.T) {
			snap, w := filesOfSizes(t, 3000, 3000, 3000, 3000, 3000)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			n := 0
			err := snap.Scan(ctx, nil, func(Row) error {
				n++
				if n == 3100 { // in the second file
					return tc.fail(cancel)
				}
				return nil
			})
			if !errors.Is(err, tc.want) {
				t.Fatalf("scan returned %v after %d rows, want %v", err, n, tc.want)
			}
			w.mu.Lock()
			defer w.mu.Unlock()
			if w.opens == 0 || w.opens != w.closes {
				t.Fatalf("%d files opened, %d closed when the scan returned", w.opens, w.closes)
			}
		})
	}
}

// TestSlabBoxesAreOrdinaryValues: values boxed from a slab compare, hash,
// switch and print as the same values boxed by Go.
func TestSlabBoxesAreOrdinaryValues(t *testing.T) {
	ts := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	check := func(got, want any) {
		t.Helper()
		if got != want || fmt.Sprintf("%T %v", got, got) != fmt.Sprintf("%T %v", want, want) {
			t.Errorf("boxed %T %v, want %T %v", got, got, want, want)
		}
		if m := map[any]bool{want: true}; !m[got] {
			t.Errorf("boxed %v does not find its map key", got)
		}
	}
	strs := newSlab[string]()
	for i := range 2*slabLen + 3 { // across slab allocations
		s := fmt.Sprint("value-", i)
		check(strs.box(s), s)
	}
	check(newSlab[int64]().box(int64(1)<<40), int64(1)<<40)
	check(newSlab[int32]().box(int32(-70000)), int32(-70000))
	check(newSlab[int16]().box(int16(3000)), int16(3000))
	check(newSlab[float64]().box(2.5), 2.5)
	check(newSlab[float32]().box(float32(1.25)), float32(1.25))
	check(newSlab[time.Time]().box(ts), ts)
	d := newSlab[decimal.Decimal]().box(decimal.New(12345, -2))
	if x, ok := d.(decimal.Decimal); !ok || !x.Equal(decimal.RequireFromString("123.45")) {
		t.Errorf("boxed decimal = %v", d)
	}
	b := newSlab[[]byte]().box([]byte("raw"))
	if x, ok := b.([]byte); !ok || string(x) != "raw" {
		t.Errorf("boxed bytes = %v", b)
	}
}

// TestInternedStringsManyDistinct: a string column with more distinct
// values than the cache holds, where the cache gives up, still decodes
// every value right, repeated ones included.
func TestInternedStringsManyDistinct(t *testing.T) {
	dec := internedStrings()
	for i := range 4*internedCap + 2*internedProbe {
		s := fmt.Sprint("id-", i)
		if i%3 == 0 {
			s = "USD"
		}
		got, err := dec(parquet.ByteArrayValue([]byte(s)))
		if err != nil || got != s {
			t.Fatalf("value %d decoded as %v, %v; want %q", i, got, err, s)
		}
	}
}

// TestWriteErrorNamesBufferedRow: rows are converted a batch at a time,
// so a bad value is found after later rows were given; the error still
// names the row that holds it, and nothing is committed.
func TestWriteErrorNamesBufferedRow(t *testing.T) {
	ctx := context.Background()
	tbl, err := Create(filepath.Join(t.TempDir(), "t"), idSchema, nil)
	if err != nil {
		t.Fatal(err)
	}
	rows := make([]Row, 3*batchRows)
	for i := range rows {
		rows[i] = Row{int64(i), "x"}
	}
	rows[batchRows+500] = Row{int64(1), 2.5}
	_, err = tbl.Append(ctx, rows, CommitOptions{})
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("row %d:", batchRows+500)) {
		t.Fatalf("error %v does not name row %d", err, batchRows+500)
	}
	if snap, _ := tbl.Snapshot(ctx); snap.Version() != 0 || len(snap.Files()) != 0 {
		t.Fatalf("a failed write changed the table: version %d, %d files", snap.Version(), len(snap.Files()))
	}
}
