package scheduler

import (
	"time"
)

// heartbeatLoop proves the worker alive and cancels attempts it no longer
// holds (marked or cleared by hand, or reaped after a long pause).
func (w *Worker) heartbeatLoop() {
	t := time.NewTicker(w.opts.HeartbeatInterval)
	defer t.Stop()
	for {
		select {
		case <-w.ctx.Done():
			return
		case <-t.C:
		}
		asked := w.opts.Clock.Now()
		keys, err := w.store.drv.Heartbeat(w.ctx, w.opts.ID)
		if err != nil {
			if w.ctx.Err() == nil {
				w.log.Warn("heartbeat failed", "err", err)
			}
			continue
		}
		held := map[attemptKey]bool{}
		for _, k := range keys {
			held[attemptKey{k.RunID, k.TaskID, k.Try}] = true
		}
		w.mu.Lock()
		for k, a := range w.inflight {
			if !held[k] && a.since.Before(asked) {
				a.cancel(errLost)
			}
		}
		w.mu.Unlock()
	}
}
