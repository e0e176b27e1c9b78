package pgembed

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
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
}

// Server is a running embedded PostgreSQL.
type Server struct {
	dir      string
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
// the database accepts connections.
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
	dir, err := filepath.Abs(o.DataDir)
	if err != nil {
		return nil, err
	}
	bin, err := findBinDir(o.BinDir)
	if errors.Is(err, errNoLocalBinaries) {
		return startDownloaded(ctx, dir, o)
	}
	if err != nil {
		return nil, err
	}
	acct, err := serverAccount()
	if err != nil {
		return nil, err
	}
	// Parents stay searchable so the unprivileged account can reach the
	// cluster; the cluster itself is private, as initdb requires.
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, fmt.Errorf("pgembed: %w", err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !os.IsExist(err) {
		return nil, fmt.Errorf("pgembed: %w", err)
	}
	if err := acct.own(dir); err != nil {
		return nil, err
	}
	if err := acct.checkReachable(dir); err != nil {
		return nil, err
	}
	password, err := initCluster(ctx, bin, dir, acct)
	if err != nil {
		return nil, err
	}
	port, err := choosePort(dir, o.Port)
	if err != nil {
		return nil, err
	}
	s := &Server{dir: dir, exited: make(chan struct{})}
	if err := s.launch(bin, port, o.Durable, acct); err != nil {
		return nil, err
	}
	base := (&url.URL{Scheme: "postgres", User: url.UserPassword(superUser, password),
		Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), RawQuery: "sslmode=disable"})
	if err := s.waitReady(ctx, base, o.StartTimeout); err != nil {
		_ = s.Stop()
		return nil, err
	}
	if err := ensureDatabase(ctx, base, o.Database); err != nil {
		_ = s.Stop()
		return nil, err
	}
	base.Path = "/" + o.Database
	s.url = base.String()
	_ = os.WriteFile(filepath.Join(dir, urlFile), []byte(s.url), 0o600)
	return s, nil
}

// URL is a postgres:// connection string for the server's database.
func (s *Server) URL() string { return s.url }

// Stop shuts the server down (fast shutdown: open sessions are ended) and
// waits for it to exit.
func (s *Server) Stop() error {
	if s.fallback != nil {
		return s.fallback()
	}
	_ = os.Remove(filepath.Join(s.dir, urlFile))
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
	u, err := os.ReadFile(filepath.Join(dir, urlFile))
	if err != nil {
		return "", false
	}
	pidLine, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		return "", false
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(pidLine), "\n", 2)[0]))
	if pid <= 0 || syscall.Kill(pid, 0) != nil {
		return "", false
	}
	return string(u), true
}

func initCluster(ctx context.Context, bin, dir string, acct account) (string, error) {
	pwPath := filepath.Join(dir, passwordFile)
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); err == nil {
		pw, err := os.ReadFile(pwPath)
		if err != nil {
			return "", fmt.Errorf("pgembed: cluster in %s has no %s: %w", dir, passwordFile, err)
		}
		return strings.TrimSpace(string(pw)), nil
	}
	raw := make([]byte, 16)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	password := hex.EncodeToString(raw)
	// initdb wants an empty directory, so the password file waits outside.
	tmp, err := os.CreateTemp(filepath.Dir(dir), ".pgpw-*")
	if err != nil {
		return "", fmt.Errorf("pgembed: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, _ = tmp.WriteString(password + "\n")
	_ = tmp.Close()
	if err := acct.own(tmp.Name()); err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "initdb"), "-D", dir, "-U", superUser,
		"--pwfile", tmp.Name(), "--auth", "scram-sha-256", "-E", "UTF8", "--locale", "C", "--no-sync")
	cmd.SysProcAttr = acct.sysProcAttr()
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("pgembed: initdb failed: %v\n%s", err, out)
	}
	if err := os.WriteFile(pwPath, []byte(password+"\n"), 0o600); err != nil {
		return "", err
	}
	return password, acct.own(pwPath)
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
	_ = os.WriteFile(filepath.Join(dir, portFile), []byte(strconv.Itoa(p)), 0o600)
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
	args := []string{"-D", s.dir, "-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
		"-c", "max_connections=200"}
	if !durable {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	logf, err := os.OpenFile(filepath.Join(s.dir, logFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("pgembed: %w", err)
	}
	s.cmd = exec.Command(filepath.Join(bin, "postgres"), args...)
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	s.cmd.SysProcAttr = acct.sysProcAttr()
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
	b, _ := os.ReadFile(filepath.Join(s.dir, logFile))
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
