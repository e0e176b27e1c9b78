package delta

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// Appender is a streaming Append: rows are handed in chunks while the
// caller is still producing them (reading Kafka, judging Bronze), encoded
// into data files on lanes of their own as they arrive, and committed in
// one commit at the end, exactly as Append would commit them. Until Commit
// nothing is visible: a reader sees the table as before, and Abort (or a
// failed Commit) deletes the files written, best effort; what a crash
// leaves behind is an orphan that vacuum deletes, as for a failed Append.
//
// Memory stays bounded whatever the rows handed in: each lane queues at
// most appendQueue chunks, and Write waits while its lane's queue is full.
//
// Write may be called from several goroutines at once; Commit and Abort
// must not run at the same time as a Write.
type Appender struct {
	t      *Table
	snap   *Snapshot
	l      *layout
	ctx    context.Context // the lanes': cancelled by Abort or a lane's error
	cancel context.CancelCauseFunc
	lanes  []*appendLane
	handed atomic.Int64 // rows handed in so far
	free   chan []Row   // used chunk slices, for reuse
	// mu serialises the end (Commit, Abort) against Writes in flight, so
	// that no Write sends on a lane the end has closed.
	mu     sync.RWMutex
	closed bool
}

// AppenderOptions tune an Appender. The zero value uses the defaults.
type AppenderOptions struct {
	// Lanes is how many lanes encode at once, each into files of its own
	// (default GOMAXPROCS). A caller whose streams are few and uneven (a
	// few Kafka partitions) may ask for one lane per stream.
	Lanes int
}

// appendQueue is how many chunks may wait for one lane: enough that a
// lane always has its next chunk ready, few enough to bound memory.
const appendQueue = 2

// appendLane writes the chunks of its streams through one multiWriter.
type appendLane struct {
	in   chan appendChunk
	done chan struct{}
	adds []AddFile // when done, without err
	err  error     // when done
}

// appendChunk is one Write's rows; at is the index of its first row among
// all rows handed in, for errors.
type appendChunk struct {
	rows []Row
	at   int
}

// NewAppender starts a streaming append to the table as it is now; the
// commit, like Append's, is a blind append that a concurrent one does not
// make fail. The context bounds the writing of the files; Commit takes
// its own.
func (t *Table) NewAppender(ctx context.Context, opts AppenderOptions) (*Appender, error) {
	snap, err := t.writeSnapshot(ctx)
	if err != nil {
		return nil, err
	}
	n := opts.Lanes
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	actx, cancel := context.WithCancelCause(ctx)
	a := &Appender{t: t, snap: snap, l: snap.st.lay, ctx: actx, cancel: cancel,
		lanes: make([]*appendLane, n), free: make(chan []Row, n*(appendQueue+1))}
	for i := range a.lanes {
		lane := &appendLane{in: make(chan appendChunk, appendQueue), done: make(chan struct{})}
		a.lanes[i] = lane
		go a.run(i, lane)
	}
	return a, nil
}

// Write hands rows to the appender; the slice may be reused once Write
// returns, but the rows' values must not change until Commit or Abort
// returns. Rows handed in under one stream are committed in the order
// handed in, and the commit's files, read in order, give them in that
// order: a stream's chunks go to one lane, lanes' files are committed in
// lane order, and a stream only ever moves to a later lane (see laneOf).
// Calls for one stream must therefore come one after the other; calls for
// different streams may come at once.
//
// A row that does not fit the schema fails the append: Write (or Commit)
// returns the error, naming the row by its index among all rows handed in.
func (a *Appender) Write(stream int, rows []Row) error {
	if len(rows) == 0 {
		return nil
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.closed {
		return errors.New("delta: appender already committed or aborted")
	}
	at := int(a.handed.Add(int64(len(rows)))) - len(rows)
	var c []Row
	select {
	case c = <-a.free:
	default:
	}
	c = append(c[:0], rows...)
	select {
	case a.lanes[a.laneOf(stream, at)].in <- appendChunk{rows: c, at: at}:
		return nil
	case <-a.ctx.Done():
		return a.failure()
	}
}

// laneOf is the lane that stream's rows from the at-th on go to. The first
// laneMinRows rows all go to lane 0, as a small one-shot Append writes one
// file per partition; later ones spread over the lanes by stream. A
// stream's lane never decreases, so its rows keep their order in the
// files.
func (a *Appender) laneOf(stream, at int) int {
	if at < laneMinRows {
		return 0
	}
	return int(uint(stream) % uint(len(a.lanes)))
}

// failure is the error that stopped the lanes.
func (a *Appender) failure() error {
	if err := context.Cause(a.ctx); err != nil {
		return err
	}
	return errors.New("delta: appender stopped")
}

// run is lane i's goroutine: it writes the chunks it is given until its
// queue closes, then finishes its files (or, once the append failed,
// deletes them).
func (a *Appender) run(i int, lane *appendLane) {
	defer close(lane.done)
	mw := newMultiWriter(a.ctx, a.t.root, a.l)
	failed := false
	fail := func(err error) {
		failed = true
		lane.err = err
		a.cancel(err)
		mw.abort()
	}
	for c := range lane.in {
		if !failed {
			if err := recovered(i, func() error { return a.writeChunk(mw, c) }); err != nil {
				fail(err)
			}
		}
		clear(c.rows) // the caller's rows are not kept past their chunk
		select {
		case a.free <- c.rows[:0]:
		default:
		}
	}
	if failed {
		return
	}
	if err := context.Cause(a.ctx); err != nil {
		lane.err = err
		mw.abort()
		return
	}
	if lane.err = recovered(i, func() (err error) { lane.adds, err = mw.finish(); return err }); lane.err != nil {
		mw.abort() // after a panic; a failed finish has already aborted
		lane.adds = nil
		a.cancel(lane.err)
	}
}

// recovered runs fn of lane i. A lane's panic (a bug) must not end the
// process from a goroutine the caller cannot recover: it becomes the
// append's error.
func recovered(i int, fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("delta: append lane %d panicked: %v\n%s", i, p, debug.Stack())
		}
	}()
	return fn()
}

// writeChunk writes one chunk through a lane's multiWriter.
func (a *Appender) writeChunk(mw *multiWriter, c appendChunk) error {
	if err := a.ctx.Err(); err != nil {
		return context.Cause(a.ctx)
	}
	for k, r := range c.rows {
		if err := mw.write(r, c.at+k); err != nil {
			return fmt.Errorf("delta: %w", err)
		}
	}
	return nil
}

// end closes the lanes once no Write is in flight and waits for them; it
// returns the files they wrote in lane order, or the first error (every
// file deleted then). It runs once: a second call returns an error.
func (a *Appender) end() ([]AddFile, error) {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil, errors.New("delta: appender already committed or aborted")
	}
	a.closed = true
	for _, lane := range a.lanes {
		close(lane.in)
	}
	a.mu.Unlock()
	var all []AddFile
	var errs []error
	for _, lane := range a.lanes {
		<-lane.done
		all = append(all, lane.adds...)
		if lane.err != nil {
			errs = append(errs, lane.err)
		}
	}
	if len(errs) > 0 {
		removeDataFiles(a.t.root, all) // the lanes that finished; the others cleaned up after themselves
		return nil, a.failure()
	}
	return all, nil
}

// Commit finishes the files and commits them, with opts.Txns, in one
// commit, as Append does (an append of no rows commits only the txns). On
// error nothing is committed and the files are deleted, unless the store
// failed so that the commit may have landed.
func (a *Appender) Commit(ctx context.Context, opts CommitOptions) (int64, error) {
	adds, err := a.end()
	a.cancel(nil)
	if err != nil {
		return 0, err
	}
	return a.t.commitOrClean(ctx, a.snap, appendPlan(a.l, adds, opts))
}

// Abort stops the append: nothing is committed and the files written so
// far are deleted. After Commit it does nothing, so a caller may defer it.
func (a *Appender) Abort() {
	a.cancel(errors.New("delta: append aborted"))
	_, _ = a.end()
}
