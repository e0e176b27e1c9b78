package medallion

import "sync"

// signal tells a downstream step that its upstream committed something, or
// has finished for good.
type signal struct {
	mu   sync.Mutex
	ch   chan struct{} // closed on the next notify or finish
	done bool
}

func newSignal() *signal { return &signal{ch: make(chan struct{})} }

func (s *signal) notify() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.done {
		close(s.ch)
		s.ch = make(chan struct{})
	}
}

func (s *signal) finish() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.done {
		s.done = true
		close(s.ch)
	}
}

// state returns the channel the next notify or finish closes, and whether
// the upstream has already finished. Taking it before looking for work and
// waiting on it after means no notification in between is missed.
func (s *signal) state() (<-chan struct{}, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ch, s.done
}
