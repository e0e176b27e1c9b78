package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"
)

// DefaultAddr is where the UI and API listen unless told otherwise: the
// loopback interface, so a fresh install is not reachable from the network.
const DefaultAddr = "127.0.0.1:8080"

// HealthCheck is one dependency GET /api/v1/health reports on.
type HealthCheck struct {
	Name  string                          // e.g. "database", "broker"
	Check func(ctx context.Context) error // nil error = reachable
}

// Options configures the handler. Orchestrator and Token are required.
type Options struct {
	Orchestrator Orchestrator
	// Token is the API token (see LoadOrCreateToken); it also signs sessions.
	Token string
	// Health lists the checks of GET /api/v1/health (run in order, each with
	// a 3 s timeout). Typically the database, and the broker when configured.
	Health []HealthCheck
	// LakeDir is <data dir>/<env>/lake, read by the lake page; empty hides
	// the tables.
	LakeDir string
	// Lake names the tables the lake page lists and the Gold columns its
	// dashboard reads.
	Lake LakeLayout
	// KafkaLag, when set, adds the ingest lag per Kafka partition to the
	// lake page.
	KafkaLag KafkaLagFunc
	// GridRuns is how many of the latest runs the DAG page's grid shows
	// (default 25, at most 200).
	GridRuns int
	// PollInterval is how often open pages refresh their live parts
	// (default 2s).
	PollInterval time.Duration
	// LogPoll is how often a request waiting for an attempt's next log lines
	// looks for them (default 250ms): short, so a followed log feels live,
	// and cheap, one primary-key range scan.
	LogPoll time.Duration
	// Metrics, when set, is served on GET /metrics without authentication
	// (Prometheus scrapers; the default listen address is loopback).
	Metrics http.Handler
	// TrustedProxies are the TLS-terminating reverse proxies whose
	// X-Forwarded-Proto (Secure cookies) and X-Forwarded-For (the client
	// that failed logins count against) are believed; none by default.
	TrustedProxies []netip.Prefix
	// LoginThrottle limits failed logins per client (defaults: 5, then one
	// per 12 s).
	LoginThrottle LoginThrottle
	// Logger receives server-side failures (default slog.Default()).
	Logger *slog.Logger
}

// server holds the handlers' dependencies.
type server struct {
	orch     Orchestrator
	token    string
	sessions *sessions
	health   []HealthCheck
	lakeDir  string
	layout   LakeLayout
	kafkaLag KafkaLagFunc
	lagCache lagCache
	tables   sync.Map // lake table name → *delta.Table
	gridRuns int
	poll     time.Duration
	logPoll  time.Duration
	log      *slog.Logger
	pages    *pages
	metrics  http.Handler
	proxies  proxies
	throttle *loginThrottle

	openAPIOnce sync.Once // the encoded OpenAPI document, built on first request
	openAPIJSON []byte
	openAPIErr  error
}

// New returns the HTTP handler serving the API, the UI and static files.
// "finpipe standalone" mounts it; Server wraps it with a listener.
func New(opts Options) (http.Handler, error) {
	if opts.Orchestrator == nil {
		return nil, errors.New("web: Options.Orchestrator is required")
	}
	if len(opts.Token) < minTokenLen {
		return nil, fmt.Errorf("web: Options.Token must be at least %d characters", minTokenLen)
	}
	s := &server{
		orch: opts.Orchestrator, token: opts.Token, proxies: opts.TrustedProxies, throttle: newLoginThrottle(opts.LoginThrottle),
		health: opts.Health, lakeDir: opts.LakeDir, layout: opts.Lake, kafkaLag: opts.KafkaLag,
		gridRuns: opts.GridRuns, poll: opts.PollInterval, logPoll: opts.LogPoll, log: opts.Logger, metrics: opts.Metrics,
	}
	s.sessions = newSessions(opts.Token, s.proxies.secure)
	if s.gridRuns <= 0 {
		s.gridRuns = 25
	}
	s.gridRuns = min(s.gridRuns, 200)
	if s.poll <= 0 {
		s.poll = 2 * time.Second
	}
	if s.logPoll <= 0 {
		s.logPoll = defaultLogPoll
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	s.pages = p
	return s.routes(), nil
}

// Server is the handler on its own listener, with the Start/Stop lifecycle
// of FinPipe's other long-lived services.
type Server struct {
	srv *http.Server
	ln  net.Listener
	log *slog.Logger
}

// NewServer builds the handler; addr defaults to DefaultAddr.
func NewServer(addr string, opts Options) (*Server, error) {
	h, err := New(opts)
	if err != nil {
		return nil, err
	}
	if addr == "" {
		addr = DefaultAddr
	}
	return &Server{srv: &http.Server{
		Addr: addr, Handler: h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		// No WriteTimeout: the log endpoint may wait for new lines (bounded
		// by its own wait parameter).
	}, log: cmp.Or(opts.Logger, slog.Default())}, nil
}

// Start listens and serves in the background; it returns once the port is
// bound, so a bad address is reported here.
func (s *Server) Start(context.Context) error {
	ln, err := net.Listen("tcp", s.srv.Addr)
	if err != nil {
		return fmt.Errorf("web: listen %s: %w", s.srv.Addr, err)
	}
	s.ln = ln
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("web: serving stopped", "addr", ln.Addr().String(), "err", err)
		}
	}()
	return nil
}

// Addr is the bound address (useful with port 0); empty before Start.
func (s *Server) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Stop stops accepting connections and waits for requests in flight until
// ctx ends.
func (s *Server) Stop(ctx context.Context) error {
	if s.ln == nil {
		return nil
	}
	return s.srv.Shutdown(ctx)
}
