package produce

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/finpipe/finpipe/tasks/record"
)

// Produce sends opts.Count generated transactions to topic, keyed by
// user_id, and returns once every one is acknowledged by the cluster
// (acks=all). The topic must exist (kafka.EnsureTopic).
func Produce(ctx context.Context, brokers, topic string, opts Options) (Stats, error) {
	if err := opts.Validate(); err != nil {
		return Stats{}, err
	}
	s, err := newSender(ctx, brokers, topic, opts, opts.Count)
	if err != nil {
		return Stats{}, err
	}
	g := NewGenerator(opts)
	var st Stats
	var sendErr error
	for i := 0; i < opts.Count && sendErr == nil; i++ {
		m := g.Next()
		st.count(m)
		sendErr = s.send(ctx, m.Key, m.Value)
	}
	st.Sent, st.Bytes, st.Elapsed, err = s.close(ctx)
	if sendErr != nil {
		err = sendErr
	}
	return st, err
}

// maxLine bounds one line of a file; Kafka's default message limit is 1 MB.
const maxLine = 16 << 20

// ProduceFile sends each line of the file at path (without its line feed)
// as one message value, byte for byte, in order: empty lines too, so that a
// file of test cases reaches the pipeline exactly as written. The key is the
// line's user_id when it is a JSON object with a string user_id, else none.
// opts.Count > 0 stops after that many lines; opts.Rate and opts.Progress
// apply; the generator options are ignored.
func ProduceFile(ctx context.Context, brokers, topic, path string, opts Options) (Stats, error) {
	if err := opts.Validate(); err != nil {
		return Stats{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return Stats{}, err
	}
	defer f.Close()
	s, err := newSender(ctx, brokers, topic, opts, opts.Count)
	if err != nil {
		return Stats{}, err
	}
	var st Stats
	sendErr := eachLine(f, opts.Count, func(line []byte) error {
		var key []byte
		if id, ok := record.UserID(line); ok {
			key = []byte(id)
		}
		return s.send(ctx, key, line)
	})
	st.Sent, st.Bytes, st.Elapsed, err = s.close(ctx)
	if sendErr != nil {
		err = sendErr
	}
	return st, err
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
