package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/finpipe/finpipe/internal/pgembed"
)

// suite is what every scenario shares: the settings, a work directory (one
// sub-directory per scenario, kept when a row fails so its logs can be
// read) and the finpipe binary under test.
type suite struct {
	s    settings
	work string
	root string // the repository (for go test and ci/kafka)
	bin  string // finpipe
	keep bool
}

func newSuite(ctx context.Context, s settings) (*suite, error) {
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	e := &suite{s: s, root: root, keep: s.workDir != ""}
	if s.workDir != "" {
		e.work, err = filepath.Abs(s.workDir)
		if err == nil {
			err = os.MkdirAll(e.work, 0o755)
		}
	} else {
		e.work, err = os.MkdirTemp("", "finpipe-reliability-")
	}
	if err != nil {
		return nil, err
	}
	// Embedded PostgreSQL runs as an unprivileged account when the suite
	// runs as root: it must reach the cluster directories.
	_ = os.Chmod(e.work, 0o755)
	e.bin = s.finpipe
	if e.bin == "" {
		e.bin = filepath.Join(e.work, "bin", "finpipe")
		build := exec.CommandContext(ctx, "go", "build", "-o", e.bin, "./cmd/finpipe")
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go build ./cmd/finpipe: %v\n%s", err, out)
		}
	}
	return e, nil
}

// cleanup removes the work directory unless a row failed or the user
// chose it.
func (e *suite) cleanup() {
	if e.keep {
		fmt.Printf("work directory kept: %s\n", e.work)
		return
	}
	_ = os.RemoveAll(e.work)
}

// dir returns (and creates) a scenario's own directory.
func (e *suite) dir(name string) string {
	d := filepath.Join(e.work, name)
	_ = os.MkdirAll(d, 0o755)
	return d
}

func repoRoot() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && strings.Contains(string(b), "module github.com/finpipe/finpipe") {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("run the suite from inside the FinPipe repository")
		}
		d = parent
	}
}

func numCPU() int { return runtime.NumCPU() }

// postgres is an embedded PostgreSQL that a scenario can stop and start
// again on the same directory and port (a database restart).
type postgres struct {
	dir string
	srv *pgembed.Server
	url string
}

func startPostgres(ctx context.Context, dir string) (*postgres, error) {
	p := &postgres{dir: dir}
	return p, p.start(ctx)
}

func (p *postgres) start(ctx context.Context) error {
	srv, err := pgembed.Start(ctx, pgembed.Options{DataDir: p.dir, Durable: true})
	if err != nil {
		return err
	}
	if p.url != "" && srv.URL() != p.url {
		_ = srv.Stop()
		return fmt.Errorf("postgres came back on another address (%s)", srv.URL())
	}
	p.srv, p.url = srv, srv.URL()
	return nil
}

func (p *postgres) stop() {
	if p.srv != nil {
		_ = p.srv.Stop()
		p.srv = nil
	}
}

// restart stops the server, leaves it down for pause, and starts it again.
func (p *postgres) restart(ctx context.Context, pause time.Duration) error {
	p.stop()
	sleep(ctx, pause)
	return p.start(ctx)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
