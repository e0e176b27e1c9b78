package metrics

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"
)

// Server answers GET /metrics and GET /healthz on its own address, for the
// processes that have no web server (scheduler, worker) when
// FINPIPE_METRICS_ADDR is set; /healthz is what container health checks
// probe. It has the Start/Stop lifecycle of FinPipe's other services.
type Server struct {
	addr string
	srv  *http.Server

	mu   sync.Mutex
	ln   net.Listener
	done chan error
}

// NewServer returns a Server for addr ("host:port"; port 0 picks one) that
// serves m's series and what src measures.
func NewServer(addr string, m *Metrics, src Sources) *Server {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler(src))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	return &Server{addr: addr, srv: &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}}
}

// Start listens, so a taken port fails start-up, and serves in the
// background until Stop.
func (s *Server) Start(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		return errors.New("metrics: server already started")
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	s.ln, s.done = ln, done
	go func() { done <- s.srv.Serve(ln) }()
	return nil
}

// Addr is the address actually listened on (useful with port 0), or "" before
// Start.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Stop lets in-flight scrapes finish within ctx and closes the listener.
func (s *Server) Stop(ctx context.Context) error {
	s.mu.Lock()
	done := s.done
	s.done = nil // a second Stop is a no-op
	s.mu.Unlock()
	if done == nil {
		return nil
	}
	err := s.srv.Shutdown(ctx)
	if serveErr := <-done; !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return err
}

// Serve runs a Server on addr until ctx ends; nil after a clean shutdown.
func Serve(ctx context.Context, addr string, m *Metrics, src Sources) error {
	s := NewServer(addr, m, src)
	if err := s.Start(ctx); err != nil {
		return err
	}
	select {
	case err := <-s.done:
		return err
	case <-ctx.Done():
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.Stop(stopCtx)
}
