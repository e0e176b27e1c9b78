package clean

import (
	"github.com/finpipe/finpipe/delta"
)

// silverStream hands the batch's accepted rows to a streaming append of
// Silver as settle accepts them, in file order, chunkRows at a time: their
// Parquet encoding then overlaps the judging of the rest of the batch
// instead of following it. Nothing is committed before the batch is
// judged and silver/rejected committed (see Run).
//
// A row once handed in cannot be taken back, so a candidate that a
// later-read record displaces (the same transaction id on two partitions,
// rare) breaks the stream: Run then aborts it and writes Silver in one
// go, as it did before streaming.
type silverStream struct {
	app    *delta.Appender
	chunk  []delta.Row
	seq    int   // chunks handed in; each is its own stream, spread over the lanes
	err    error // the append's failure, reported by Run
	broken bool  // a row handed in was displaced
}

func newSilverStream(app *delta.Appender) *silverStream {
	return &silverStream{app: app, chunk: make([]delta.Row, 0, chunkRows)}
}

// add hands r on, a chunk at a time.
func (s *silverStream) add(r delta.Row) {
	if s.broken || s.err != nil {
		return
	}
	s.chunk = append(s.chunk, r)
	if len(s.chunk) == chunkRows {
		s.flush()
	}
}

// flush hands on the rows not yet handed in.
func (s *silverStream) flush() {
	if s.broken || s.err != nil || len(s.chunk) == 0 {
		return
	}
	s.err = s.app.Write(s.seq, s.chunk)
	s.seq++
	clear(s.chunk)
	s.chunk = s.chunk[:0]
}

// usable reports whether the stream holds exactly the batch's Silver rows
// once flushed: neither failed nor broken.
func (s *silverStream) usable() bool { return !s.broken && s.err == nil }
