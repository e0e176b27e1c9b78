package pgembed

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/finpipe/finpipe/internal/dirlock"
)

// Options configures an embedded server. The zero value of every field but
// DataDir is a sensible default.
type Options struct {
	// DataDir is the cluster directory; created and initialised on first use
	// and reused afterwards, so data survives restarts.
	DataDir string
	// Port to listen on (127.0.0.1 only). 0 reuses the port of the previous
	// start when it is free, else picks a free one.
	Port int
	// BinDir forces a directory with initdb and postgres.
	BinDir string
	// Database is created when missing; default "finpipe".
	Database string
	// Durable=false turns off fsync and synchronous commit: for tests only,
	// where a crash of the machine loses nothing anyone needs.
	Durable bool
	// StartTimeout bounds the wait for the server to accept connections;
	// default 60s.
	StartTimeout time.Duration
	// StaleServerWait bounds the wait for a previous server on the same
	// cluster (left by a FinPipe that was killed) to exit before it is
	// stopped; default 10s.
	StaleServerWait time.Duration
	// ClusterRoot is where root keeps the cluster when the server account
	// cannot reach DataDir; default DefaultClusterRoot, then os.TempDir().
	ClusterRoot string
	// Logger receives what start-up waits for; nil discards.
	Logger *slog.Logger
}

// Server is a running embedded PostgreSQL.
type Server struct {
	layout
	lock     *dirlock.Lock
	url      string
	cmd      *exec.Cmd
	exited   chan struct{}
	fallback func() error // Stop of the downloaded-binaries fallback
}

const (
	superUser    = "finpipe"
	passwordFile = "finpipe_password"
	portFile     = "finpipe_port"
	urlFile      = "finpipe_url"
	logFile      = "server.log"
)

var errNoLocalBinaries = errors.New("pgembed: no local PostgreSQL binaries found")

// Start initialises the cluster if needed, starts the server and waits until
// the database accepts connections. DataDir is locked for as long as the
// server runs: a second Start on it fails at once, naming the holder, and
// touches nothing of the first one's.
func Start(ctx context.Context, o Options) (*Server, error) {
	if o.DataDir == "" {
		return nil, errors.New("pgembed: DataDir is required")
	}
	if o.Database == "" {
		o.Database = "finpipe"
	}
	if o.StartTimeout == 0 {
		o.StartTimeout = 60 * time.Second
	}
	if o.StaleServerWait == 0 {
		o.StaleServerWait = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	dir, err := filepath.Abs(o.DataDir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, fmt.Errorf("pgembed: %w", err)
	}
	s := &Server{layout: layout{home: dir, cluster: dir}, exited: make(chan struct{})}
	if s.lock, err = dirlock.Acquire(s.lockPath()); err != nil {
		var held *dirlock.HeldError
		if errors.As(err, &held) {
			return nil, fmt.Errorf("pgembed: %s is in use by %s", dir, held.Holder())
		}
		return nil, fmt.Errorf("pgembed: %w", err)
	}
	started := false
	defer func() {
		if !started {
			s.lock.Release()
		}
	}()
	bin, err := findBinDir(o.BinDir)
	if errors.Is(err, errNoLocalBinaries) {
		err = s.startDownloaded(ctx, o)
		started = err == nil
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	acct, err := serverAccount()
	if err != nil {
		return nil, err
	}
	if err := s.prepare(ctx, acct, o); err != nil {
		return nil, err
	}
	password, err := initCluster(ctx, bin, s.layout, acct)
	if err != nil {
		return nil, err
	}
	port, err := choosePort(dir, o.Port)
	if err != nil {
		return nil, err
	}
	if err := s.launch(bin, port, o.Durable, acct); err != nil {
		return nil, err
	}
	base := (&url.URL{Scheme: "postgres", User: url.UserPassword(superUser, password),
		Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), RawQuery: "sslmode=disable"})
	if err := s.waitReady(ctx, base, o.StartTimeout); err != nil {
		_ = s.stopServer()
		return nil, err
	}
	if err := ensureDatabase(ctx, base, o.Database); err != nil {
		_ = s.stopServer()
		return nil, err
	}
	base.Path = "/" + o.Database
	s.url = base.String()
	_ = os.WriteFile(filepath.Join(dir, portFile), []byte(strconv.Itoa(port)), 0o600)
	_ = os.WriteFile(filepath.Join(dir, urlFile), []byte(s.url), 0o600)
	started = true
	return s, nil
}

// prepare settles where the cluster lives (see layout) and creates its
// directory, owned by the server account and private, as initdb requires.
// Parents that it creates stay searchable so the account can reach them.
func (s *Server) prepare(ctx context.Context, acct account, o Options) error {
	l, found, err := existingLayout(s.home)
	if err != nil {
		return err
	}
	if !found && acct.blockedAt(s.home) != "" {
		roots := []string{DefaultClusterRoot, filepath.Join(os.TempDir(), "finpipe-clusters")}
		if o.ClusterRoot != "" {
			roots = []string{o.ClusterRoot}
		}
		c, err := relocatedCluster(s.home, roots, acct)
		if err != nil {
			return err
		}
		// No record names c, so whatever is there belongs to an earlier
		// data dir of the same path that was deleted (`make reset`).
		if err := takeOver(ctx, c, o.StaleServerWait, o.Logger); err != nil {
			return err
		}
		if err := os.RemoveAll(c); err != nil {
			return fmt.Errorf("pgembed: clear the stale cluster %s: %w", c, err)
		}
		l = layout{home: s.home, cluster: c}
	}
	s.layout = l
	// Before anything below reads or hands over the cluster's files.
	if err := takeOver(ctx, l.cluster, o.StaleServerWait, o.Logger); err != nil {
		return err
	}
	if l.relocated() {
		// Home keeps the password: private to the user, like the folder it is in.
		if err := os.MkdirAll(l.home, 0o700); err != nil {
			return fmt.Errorf("pgembed: %w", err)
		}
		if err := os.WriteFile(filepath.Join(l.home, clusterFile), []byte(l.cluster+"\n"), 0o600); err != nil {
			return fmt.Errorf("pgembed: %w", err)
		}
		o.Logger.Info("the database account cannot reach the data dir; the cluster lives outside it",
			"data_dir", l.home, "cluster", l.cluster)
	}
	if err := os.Mkdir(l.cluster, 0o700); err != nil && !os.IsExist(err) {
		return fmt.Errorf("pgembed: %w", err)
	}
	if err := acct.own(l.cluster); err != nil {
		return err
	}
	return acct.checkReachable(l.cluster)
}

// URL is a postgres:// connection string for the server's database.
func (s *Server) URL() string { return s.url }

// Stop shuts the server down (fast shutdown: open sessions are ended),
// waits for it to exit and releases the data dir.
func (s *Server) Stop() error {
	var err error
	if s.fallback != nil {
		err = s.fallback()
	} else {
		_ = os.Remove(filepath.Join(s.home, urlFile))
		err = s.stopServer()
	}
	s.lock.Release()
	return err
}

func (s *Server) stopServer() error {
	if s.cmd == nil || s.cmd.Process == nil {
		return nil
	}
	_ = s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-s.exited:
		return nil
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Signal(syscall.SIGQUIT)
		<-s.exited
		return errors.New("pgembed: server did not stop within 30s; sent SIGQUIT")
	}
}

// Running returns the URL of an embedded server that another FinPipe process
// started on dataDir and that is still alive, so that commands such as
// `finpipe dags list` find the database of a running `finpipe standalone`.
func Running(dataDir string) (string, bool) {
	dir, _ := filepath.Abs(dataDir)
	l, found, err := existingLayout(dir)
	if err != nil || !found {
		return "", false
	}
	u, err := os.ReadFile(filepath.Join(dir, urlFile))
	if err != nil {
		return "", false
	}
	pid := postmasterPID(filepath.Join(l.cluster, "postmaster.pid"))
	if pid == 0 || !servesCluster(pid, l.cluster) {
		return "", false
	}
	return string(u), true
}

// Remove deletes the cluster of dataDir, wherever it lives, with dataDir
// and its lock file. Its server must have stopped.
func Remove(dataDir string) error {
	dir, err := filepath.Abs(dataDir)
	if err != nil {
		return err
	}
	l, _, err := existingLayout(dir)
	if err != nil {
		return err
	}
	lockErr := os.Remove(l.lockPath())
	if errors.Is(lockErr, os.ErrNotExist) {
		lockErr = nil
	}
	return errors.Join(os.RemoveAll(l.cluster), os.RemoveAll(l.home), lockErr)
}

// initCluster runs initdb when the cluster has none yet and returns the
// superuser's password, which lives in home.
func initCluster(ctx context.Context, bin string, l layout, acct account) (string, error) {
	pwPath := filepath.Join(l.home, passwordFile)
	if fileExists(filepath.Join(l.cluster, "PG_VERSION")) {
		pw, err := os.ReadFile(pwPath)
		if err != nil {
			return "", fmt.Errorf("pgembed: cluster in %s has no %s: %w", l.cluster, passwordFile, err)
		}
		return strings.TrimSpace(string(pw)), nil
	}
	if l.relocated() {
		// Ours alone: what an initdb that was killed left there goes.
		if err := emptyDir(l.cluster); err != nil {
			return "", err
		}
	}
	raw := make([]byte, 16)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	password := hex.EncodeToString(raw)
	// initdb wants an empty directory, so the password file waits outside.
	tmp, err := os.CreateTemp(filepath.Dir(l.cluster), ".pgpw-*")
	if err != nil {
		return "", fmt.Errorf("pgembed: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, _ = tmp.WriteString(password + "\n")
	_ = tmp.Close()
	if err := acct.own(tmp.Name()); err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "initdb"), "-D", l.cluster, "-U", superUser,
		"--pwfile", tmp.Name(), "--auth", "scram-sha-256", "-E", "UTF8", "--locale", "C", "--no-sync")
	cmd.SysProcAttr = acct.sysProcAttr()
	cmd.Dir = "/" // the account may not enter the current directory
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("pgembed: initdb failed: %v\n%s", err, out)
	}
	if err := os.WriteFile(pwPath, []byte(password+"\n"), 0o600); err != nil {
		return "", err
	}
	if l.relocated() {
		return password, nil // the password stays the user's; the server never reads it
	}
	return password, acct.own(pwPath)
}

// emptyDir removes what dir holds, keeping dir (its owner and mode).
func emptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("pgembed: %w", err)
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return fmt.Errorf("pgembed: %w", err)
		}
	}
	return nil
}

func choosePort(dir string, want int) (int, error) {
	if want != 0 {
		return want, nil
	}
	if b, err := os.ReadFile(filepath.Join(dir, portFile)); err == nil {
		if p, _ := strconv.Atoi(strings.TrimSpace(string(b))); p > 0 && portFree(p) {
			return p, nil
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgembed: find a free port: %w", err)
	}
	p := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	return p, nil
}

func portFree(p int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
	if err != nil {
		return false
	}
	_ = l.Close()
	return true
}

func (s *Server) launch(bin string, port int, durable bool, acct account) error {
	args := []string{"-D", s.cluster, "-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
		"-c", "max_connections=200"}
	if !durable {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	logf, err := os.OpenFile(filepath.Join(s.home, logFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("pgembed: %w", err)
	}
	s.cmd = exec.Command(filepath.Join(bin, "postgres"), args...)
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	s.cmd.SysProcAttr = acct.sysProcAttr()
	s.cmd.Dir = "/"
	if err := s.cmd.Start(); err != nil {
		_ = logf.Close()
		return fmt.Errorf("pgembed: start postgres: %w", err)
	}
	go func() {
		_ = s.cmd.Wait()
		_ = logf.Close()
		close(s.exited)
	}()
	return nil
}

func (s *Server) waitReady(ctx context.Context, base *url.URL, timeout time.Duration) error {
	probe := *base
	probe.Path = "/postgres"
	deadline := time.Now().Add(timeout)
	for {
		c, err := pgx.Connect(ctx, probe.String())
		if err == nil {
			return c.Close(ctx)
		}
		select {
		case <-s.exited:
			return fmt.Errorf("pgembed: postgres exited during start-up; last log lines:\n%s", s.logTail())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("pgembed: postgres not ready after %s: %v", timeout, err)
		}
	}
}

func (s *Server) logTail() string {
	b, _ := os.ReadFile(filepath.Join(s.home, logFile))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 10 {
		lines = lines[len(lines)-10:]
	}
	return strings.Join(lines, "\n")
}

func ensureDatabase(ctx context.Context, base *url.URL, name string) error {
	admin := *base
	admin.Path = "/postgres"
	c, err := pgx.Connect(ctx, admin.String())
	if err != nil {
		return fmt.Errorf("pgembed: %w", err)
	}
	defer c.Close(ctx)
	var exists bool
	if err := c.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("pgembed: %w", err)
	}
	if exists {
		return nil
	}
	_, err = c.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var dup interface{ SQLState() string }
	if errors.As(err, &dup) && dup.SQLState() == "42P04" { // created concurrently
		return nil
	}
	return err
}
