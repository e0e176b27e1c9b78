package deploy_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/finpipe/finpipe/internal/config"
)

// built is the finpipe binary, compiled once for all tests of the package.
var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// buildFinPipe compiles cmd/finpipe into a temporary directory.
func buildFinPipe(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the finpipe binary; skipped with -short")
	}
	root := repoRoot(t)
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "finpipe-deploy-"); built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "finpipe")
		cmd := exec.Command("go", "build", "-o", built.bin, "./cmd/finpipe")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build ./cmd/finpipe: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin
}

// TestBinaryListsEveryVariable: `finpipe config` is where an operator looks
// a variable up, so it must show each one internal/config reads.
func TestBinaryListsEveryVariable(t *testing.T) {
	out := finpipe(t, buildFinPipe(t), "config")
	for _, name := range config.EnvNames() {
		if !regexp.MustCompile(`(?m)^` + name + `\s`).MatchString(out) {
			t.Errorf("`finpipe config` does not list %s:\n%s", name, out)
		}
	}
}

// finpipe runs the binary with a scratch data dir and returns its combined
// output. A command that ignores -h and starts working is stopped by the
// timeout; its output is still searched.
func finpipe(t *testing.T, bin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(withoutVars(os.Environ(), setOf(config.EnvNames())), "FINPIPE_DATA_DIR="+t.TempDir())
	cmd.WaitDelay = 2 * time.Second
	out, _ := cmd.CombinedOutput() // -h exits non-zero with some parsers
	return string(out)
}

// commandNames parses `finpipe help`: "  name   summary" lines.
func commandNames(help string) map[string]bool {
	names := map[string]bool{}
	for _, line := range strings.Split(help, "\n") {
		if strings.HasPrefix(line, "  ") {
			if f := strings.Fields(line); len(f) > 0 {
				names[f[0]] = true
			}
		}
	}
	return names
}

// TestComposeCommandsExistInBinary checks every `command:` of a FinPipe
// service against the binary: the subcommand is registered, a sub-word such
// as "up" appears in the subcommand's help, and each --flag is in its -h.
// A service whose health check probes the metrics port (:9090) must run a
// command that binds --metrics-addr, or it would never become healthy.
func TestComposeCommandsExistInBinary(t *testing.T) {
	bin := buildFinPipe(t)
	known := commandNames(finpipe(t, bin, "help"))
	f := loadCompose(t)
	var missing []string
	for _, name := range sortedServices(f) {
		s := f.Services[name]
		if !s.isFinPipe() || len(s.Command) == 0 {
			continue
		}
		path, flags := splitCommand(s.Command)
		if !known[path[0]] {
			missing = append(missing, fmt.Sprintf("service %s: subcommand %q is not in `finpipe help`", name, path[0]))
			continue
		}
		if len(path) > 1 {
			top := finpipe(t, bin, path[0], "-h")
			for _, word := range path[1:] {
				if !regexp.MustCompile(`\b` + regexp.QuoteMeta(word) + `\b`).MatchString(top) {
					missing = append(missing, fmt.Sprintf("service %s: `finpipe %s -h` does not mention %q", name, path[0], word))
				}
			}
		}
		// A health check on the metrics port needs a command that serves it.
		if s.Healthcheck != nil && strings.Contains(strings.Join(s.Healthcheck.Test, " "), ":9090/") {
			flags = append(flags, "metrics-addr")
		}
		if len(flags) == 0 {
			continue
		}
		help := finpipe(t, bin, append(path, "-h")...)
		for _, f := range flags {
			if !regexp.MustCompile(`(?m)^\s*--?` + regexp.QuoteMeta(f) + `\b`).MatchString(help) {
				missing = append(missing, fmt.Sprintf("service %s: `finpipe %s -h` does not list --%s", name, strings.Join(path, " "), f))
			}
		}
	}
	for _, m := range missing {
		t.Error(m)
	}
}

// splitCommand separates the subcommand words from the flag names.
func splitCommand(cmd []string) (path, flags []string) {
	for i, w := range cmd {
		if strings.HasPrefix(w, "-") {
			for _, f := range cmd[i:] {
				if strings.HasPrefix(f, "-") {
					name, _, _ := strings.Cut(strings.TrimLeft(f, "-"), "=")
					flags = append(flags, name)
				}
			}
			return path, flags
		}
		path = append(path, w)
	}
	return path, nil
}

// TestDeploymentVariablesAreSettings: every variable a FinPipe container
// receives (compose environment, Dockerfile ENV) and every FINPIPE_* name in
// the deployment files is a setting internal/config reads, so a typo cannot
// silently fall back to a default.
func TestDeploymentVariablesAreSettings(t *testing.T) {
	known := setOf(config.EnvNames())
	// The S3 lake's credentials: the AWS SDK's standard variables, which
	// FinPipe reads through it (README: the lake on S3).
	for _, v := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
		known[v] = true
	}
	f := loadCompose(t)
	for _, name := range sortedServices(f) {
		if !f.Services[name].isFinPipe() {
			continue
		}
		for v := range f.Services[name].Environment {
			if !known[v] {
				t.Errorf("service %s sets %s, which finpipe does not read (see `finpipe config`)", name, v)
			}
		}
	}
	for v := range dockerfileEnv(readRoot(t, "Dockerfile")) {
		if !known[v] {
			t.Errorf("Dockerfile sets ENV %s, which finpipe does not read", v)
		}
	}
	prefixed := regexp.MustCompile(`\bFINPIPE_[A-Z0-9_]+`)
	for _, file := range []string{"docker-compose.yml", ".env.example", "Dockerfile"} {
		for _, v := range prefixed.FindAllString(readRoot(t, file), -1) {
			if !known[v] {
				t.Errorf("%s mentions %s, which is not a FinPipe setting", file, v)
			}
		}
	}
}

// dockerfileEnv collects the names of ENV instructions, including the
// continued NAME=value lines of a multi-line ENV.
func dockerfileEnv(text string) map[string]bool {
	names := map[string]bool{}
	joined := strings.ReplaceAll(text, "\\\n", " ")
	for _, line := range strings.Split(joined, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || !strings.EqualFold(f[0], "ENV") {
			continue
		}
		for _, kv := range f[1:] {
			if k, _, ok := strings.Cut(kv, "="); ok {
				names[k] = true
			}
		}
	}
	return names
}

func setOf(list []string) map[string]bool {
	m := map[string]bool{}
	for _, s := range list {
		m[s] = true
	}
	return m
}

func sortedServices(f composeFile) []string {
	names := make([]string, 0, len(f.Services))
	for n := range f.Services {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
