package produce

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/finpipe/finpipe/internal/kafka"
	"github.com/finpipe/finpipe/tasks/record"
)

// Produce sends opts.Count generated transactions to topic, keyed by
// user_id, and returns once every one is acknowledged by the cluster
// (acks=all). The topic must exist (kafka.EnsureTopic). With Count 0 it
// runs until ctx is done, then delivers what it queued and returns no error.
func Produce[C kafka.Cluster](ctx context.Context, brokers C, topic string, opts Options) (Stats, error) {
	if err := opts.Validate(); err != nil {
		return Stats{}, err
	}
	s, err := newSender(ctx, brokers, topic, opts)
	if err != nil {
		return Stats{}, err
	}
	s.follow(opts.Progress, opts.Count)
	var st Stats
	var sendErr error
	batches, release, stop := generate(opts)
	defer stop()
	for batch := range batches {
		for _, m := range batch {
			if sendErr = s.send(ctx, m.Key, m.Value); sendErr != nil {
				break
			}
			st.count(m)
		}
		if sendErr != nil {
			break
		}
		release(batch) // librdkafka copied the values
	}
	closeCtx := ctx
	if opts.Count == 0 { // cancellation is the normal end: still deliver the queue
		if ctx.Err() != nil && sendErr == ctx.Err() {
			sendErr = nil
		}
		// The drain's own deadline starts now, when sending has ended: a
		// producer that ran for hours still gets its full drain time.
		drain := opts.DrainTimeout
		if drain <= 0 {
			drain = DefaultDrainTimeout
		}
		var cancel context.CancelFunc
		closeCtx, cancel = context.WithTimeout(context.WithoutCancel(ctx), drain)
		defer cancel()
	}
	st.Sent, st.Bytes, st.Elapsed, err = s.close(closeCtx)
	if sendErr != nil {
		err = sendErr
	}
	return st, err
}

// generate runs the generator in its own goroutine, so that making
// messages and handing them to librdkafka use both cores; the order, and so
// the data for a seed, is the same as calling Next in a loop. stop ends it
// early; release hands a sent batch back for reuse.
func generate(opts Options) (batches <-chan []Message, release func([]Message), stop func()) {
	// At a limited rate, keep batches to ~50 ms of messages so that event
	// times stay close to the moment of sending.
	batchSize, ahead := 1024, 4
	if opts.Rate > 0 {
		batchSize, ahead = max(1, min(1024, int(opts.Rate/20))), 1
	}
	out := make(chan []Message, ahead)
	free := make(chan []Message, ahead+2) // batches the sender is done with
	done := make(chan struct{})
	go func() {
		defer close(out)
		g := NewGenerator(opts)
		unlimited := opts.Count == 0
		for left := opts.Count; unlimited || left > 0; {
			var batch []Message
			select {
			case batch = <-free:
			default:
				batch = make([]Message, batchSize)
			}
			if !unlimited {
				batch = batch[:min(left, batchSize)]
			}
			for i := range batch {
				batch[i] = g.Next()
			}
			left -= len(batch)
			select {
			case out <- batch:
			case <-done:
				return
			}
		}
	}()
	release = func(b []Message) {
		select {
		case free <- b[:cap(b)]:
		default:
		}
	}
	return out, release, sync.OnceFunc(func() { close(done) })
}

// maxLine bounds one line of a file; Kafka's default message limit is 1 MB.
const maxLine = 16 << 20

// ProduceFile sends each line of the file at path (without its line feed)
// as one message value, byte for byte, in order: empty lines too, so that a
// file of test cases reaches the pipeline exactly as written. The key is the
// line's user_id when it is a JSON object with a string user_id, else none.
// opts.Count > 0 stops after that many lines, 0 sends every line; opts.Rate
// and opts.Progress apply (Progress starts once the size check has counted
// the lines); the generator options are ignored. Stats count
// lines as valid or bad by the stateless rules (see classify).
//
// The file is read twice. The first pass checks every line against the
// message size that the producer and the topic accept and refuses the whole
// file, naming the lines, before anything is sent: a file either goes to
// Kafka whole or not at all, so running it again after fixing it never
// duplicates the lines that came before a bad one.
func ProduceFile[C kafka.Cluster](ctx context.Context, brokers C, topic, path string, opts Options) (Stats, error) {
	if err := opts.Validate(); err != nil {
		return Stats{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return Stats{}, err
	}
	defer f.Close()
	s, err := newSender(ctx, brokers, topic, opts)
	if err != nil {
		return Stats{}, err
	}
	lines, err := checkSizes(ctx, s, brokers, topic, f, opts.Count)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		s.close(ctx) // nothing was queued
		return Stats{}, fmt.Errorf("%s: %w; nothing was sent", path, err)
	}
	s.follow(opts.Progress, lines)
	var st Stats
	sendErr := eachLine(f, opts.Count, func(line []byte) error {
		if err := s.send(ctx, lineKey(line), line); err != nil {
			return err
		}
		st.count(classify(line))
		return nil
	})
	st.Sent, st.Bytes, st.Elapsed, err = s.close(ctx)
	if sendErr != nil {
		err = sendErr
	}
	return st, err
}

// lineKey is a line's message key: its user_id, so that one user's lines
// keep their order in one partition, or none.
func lineKey(line []byte) []byte {
	if id, ok := record.UserID(line); ok {
		return []byte(id)
	}
	return nil
}

// maxNamed bounds the oversized lines an error names one by one.
const maxNamed = 5

// checkSizes reads the lines that ProduceFile will send and returns how
// many there are, or an error that names the lines too large for topic.
func checkSizes[C kafka.Cluster](ctx context.Context, s *sender, brokers C, topic string, r io.Reader, limit int) (int, error) {
	lim, err := limitOf(ctx, s.p, brokers, topic)
	if err != nil {
		return 0, err
	}
	var n int
	var over []string
	overCount := 0
	err = eachLine(r, limit, func(line []byte) error {
		n++
		if size := recordSize(lineKey(line), line); size > lim.bytes {
			if overCount++; overCount <= maxNamed {
				over = append(over, fmt.Sprintf("line %d (a %d-byte record)", n, size))
			}
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	if overCount > 0 {
		more := ""
		if overCount > maxNamed {
			more = fmt.Sprintf(" and %d more", overCount-maxNamed)
		}
		return n, fmt.Errorf("%d of %d lines are larger than a Kafka record may be, %s: %s%s",
			overCount, n, lim, strings.Join(over, ", "), more)
	}
	return n, nil
}

// classify judges a line by the stateless rules as of now, so that a file's
// stats say how many lines the pipeline will quarantine and why; duplicates
// and late events depend on the pipeline's state and count as valid here.
func classify(line []byte) Message {
	if _, rej := record.Validate(line, time.Now()); rej != nil {
		return Message{Kind: KindBad, Reason: rej.Reason}
	}
	return Message{Kind: KindValid}
}

// eachLine calls fn for each line of r, at most limit lines when limit > 0.
// The line's bytes are only valid during the call.
func eachLine(r io.Reader, limit int, fn func([]byte) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var long []byte
	for n := 0; limit <= 0 || n < limit; n++ {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull { // a line longer than the buffer
			long = append(long[:0], line...)
			for err == bufio.ErrBufferFull {
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
				if len(long) > maxLine {
					return fmt.Errorf("line %d is longer than %d bytes", n+1, maxLine)
				}
			}
			line = long
		}
		if err == io.EOF && len(line) == 0 {
			return nil // no partial last line
		}
		if err != nil && err != io.EOF {
			return err
		}
		if err := fn(bytes.TrimSuffix(line, []byte{'\n'})); err != nil {
			return err
		}
		if err == io.EOF {
			return nil
		}
	}
	return nil
}
