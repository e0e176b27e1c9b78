package scheduler

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// attemptLog collects an attempt's log lines and stores them in PostgreSQL
// in batches (every flushEvery, or sooner once flushLines are pending), so a
// chatty task costs a few inserts rather than one per line, and the UI can
// follow a running attempt. Close flushes what is left before the attempt
// is reported finished.
type attemptLog struct {
	store         *Store
	runID, taskID string
	try           int
	onError       func(error)

	mu      sync.Mutex
	started bool // the flusher starts with the first line: silent tasks cost nothing
	next    int
	pending []LogLine
	kick    chan struct{}
	done    chan struct{}
	stopped chan struct{}
}

const (
	logFlushEvery = 250 * time.Millisecond
	logFlushLines = 200
)

func newAttemptLog(s *Store, runID, taskID string, try int, onError func(error)) *attemptLog {
	l := &attemptLog{store: s, runID: runID, taskID: taskID, try: try, onError: onError,
		kick: make(chan struct{}, 1), done: make(chan struct{}), stopped: make(chan struct{})}
	return l
}

// Handler returns a slog.Handler whose records become this attempt's
// lines: the message followed by its attributes in logfmt.
func (l *attemptLog) Handler() slog.Handler {
	return newLineHandler(l.add)
}

func (l *attemptLog) add(level slog.Level, t time.Time, msg string) {
	l.mu.Lock()
	l.next++
	l.pending = append(l.pending, LogLine{Line: l.next, Time: t.UTC(), Level: level.String(), Message: msg})
	full := len(l.pending) >= logFlushLines
	if !l.started {
		l.started = true
		go l.loop()
	}
	l.mu.Unlock()
	if full {
		select {
		case l.kick <- struct{}{}:
		default:
		}
	}
}

func (l *attemptLog) loop() {
	defer close(l.stopped)
	t := time.NewTicker(logFlushEvery)
	defer t.Stop()
	for {
		select {
		case <-l.done:
			l.flush()
			return
		case <-t.C:
		case <-l.kick:
		}
		l.flush()
	}
}

func (l *attemptLog) flush() {
	l.mu.Lock()
	batch := l.pending
	l.pending = nil
	l.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := l.store.appendLogs(ctx, l.runID, l.taskID, l.try, batch); err != nil && l.onError != nil {
		l.onError(err)
	}
}

// Close flushes the remaining lines and stops the flusher.
func (l *attemptLog) Close() {
	l.mu.Lock()
	started := l.started
	l.started = true // a line logged after Close is dropped, not flushed
	l.mu.Unlock()
	if started {
		close(l.done)
		<-l.stopped
	}
}

// lineHandler is a slog.Handler that renders each record as one line
// (message + logfmt attributes, via slog's own TextHandler so groups and
// WithAttrs behave as usual) and hands it to emit.
type lineHandler struct {
	inner slog.Handler
	sink  *lineSink
}

type lineSink struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	emit func(slog.Level, time.Time, string)
}

func (s *lineSink) Write(p []byte) (int, error) { return s.buf.Write(p) }

func newLineHandler(emit func(slog.Level, time.Time, string)) *lineHandler {
	sink := &lineSink{emit: emit}
	drop := func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 && (a.Key == slog.TimeKey || a.Key == slog.LevelKey || a.Key == slog.MessageKey) {
			return slog.Attr{}
		}
		return a
	}
	return &lineHandler{inner: slog.NewTextHandler(sink, &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: drop}), sink: sink}
}

func (h *lineHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *lineHandler) Handle(ctx context.Context, r slog.Record) error {
	h.sink.mu.Lock()
	defer h.sink.mu.Unlock()
	h.sink.buf.Reset()
	if err := h.inner.Handle(ctx, r); err != nil {
		return err
	}
	attrs := strings.TrimSpace(h.sink.buf.String())
	msg := r.Message
	if attrs != "" {
		msg += " " + attrs
	}
	t := r.Time
	if t.IsZero() {
		t = time.Now()
	}
	h.sink.emit(r.Level, t, msg)
	return nil
}

func (h *lineHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &lineHandler{inner: h.inner.WithAttrs(as), sink: h.sink}
}

func (h *lineHandler) WithGroup(name string) slog.Handler {
	return &lineHandler{inner: h.inner.WithGroup(name), sink: h.sink}
}
