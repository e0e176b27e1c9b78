package main

import (
	"context"
	"sync"
	"time"

	"github.com/finpipe/finpipe/tasks/produce"
)

// chunkProducer writes generated transactions in chunks, each its own
// `finpipe produce` with its own seed, with a pause between chunks, until
// told to stop: the topic gets new data again and again, with quiet gaps,
// for as long as the faults take, and every chunk's set is known for the
// lake's accounting. A chunk always runs to its end (a cut chunk could not
// be regenerated).
type chunkProducer struct {
	stopCh chan struct{}
	done   chan struct{}
	mu     sync.Mutex
	sets   []produce.Options
	err    error
}

func produceChunks(ctx context.Context, e *suite, dir, brokers string, size, rate int, pause time.Duration, firstSeed int64) *chunkProducer {
	c := &chunkProducer{stopCh: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		for seed := firstSeed; ; seed++ {
			select {
			case <-c.stopCh:
				return
			case <-ctx.Done():
				return
			default:
			}
			opts := producedSet(e, seed)
			opts.Count = size
			if err := producer(e, dir, brokers, opts, rate).run(ctx); err != nil {
				c.mu.Lock()
				c.err = err
				c.mu.Unlock()
				return
			}
			c.mu.Lock()
			c.sets = append(c.sets, opts)
			c.mu.Unlock()
			sleep(ctx, pause)
		}
	}()
	return c
}

// stop lets the current chunk end and returns every chunk sent, and the
// error that ended the producer early, if any.
func (c *chunkProducer) stop() ([]produce.Options, error) {
	close(c.stopCh)
	<-c.done
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sets, c.err
}
