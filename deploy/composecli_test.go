package deploy_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// installHint is how CI (and a developer) gets the validator.
const installHint = "apt-get update && apt-get install -y docker-compose"

// composeCommand finds a Compose implementation that can validate files
// without a Docker engine: Debian's docker-compose, or the docker CLI's
// compose plugin.
func composeCommand(t *testing.T) []string {
	t.Helper()
	if p, err := exec.LookPath("docker-compose"); err == nil {
		return []string{p}
	}
	if p, err := exec.LookPath("docker"); err == nil {
		if exec.Command(p, "compose", "version").Run() == nil {
			return []string{p, "compose"}
		}
	}
	t.Skipf("neither docker-compose nor 'docker compose' is installed; install with: %s", installHint)
	return nil
}

// runCompose runs `compose -f docker-compose.yml --env-file envFile args...`
// with the compose variables removed from the environment, so only envFile
// supplies them, as on a fresh machine.
func runCompose(t *testing.T, envFile string, args ...string) (string, error) {
	t.Helper()
	bin := composeCommand(t)
	root := repoRoot(t)
	full := append(append([]string{}, bin[1:]...), "-f", filepath.Join(root, "docker-compose.yml"), "--env-file", envFile)
	full = append(full, args...)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin[0], full...)
	cmd.Dir = root
	cmd.Env = withoutVars(os.Environ(), envFileNames(readRoot(t, ".env.example")))
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func withoutVars(environ []string, drop map[string]bool) []string {
	var out []string
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if !drop[k] {
			out = append(out, kv)
		}
	}
	return out
}

// TestComposeConfigValidates is what an operator's `docker compose up` does
// first: parse, merge and interpolate the file with .env.example as .env.
func TestComposeConfigValidates(t *testing.T) {
	envFile := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(envFile, []byte(readRoot(t, ".env.example")), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := runCompose(t, envFile, "config", "-q"); err != nil {
		t.Fatalf("compose config -q: %v\n%s", err, out)
	}
	if out, err := runCompose(t, envFile, "--profile", "producer", "config", "-q"); err != nil {
		t.Fatalf("compose --profile producer config -q: %v\n%s", err, out)
	}
}

// TestComposeRefusesMissingSecrets: without a .env the stack must not start
// with empty passwords.
func TestComposeRefusesMissingSecrets(t *testing.T) {
	envFile := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(envFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runCompose(t, envFile, "config", "-q")
	if err == nil {
		t.Fatal("compose config accepted a missing POSTGRES_PASSWORD / FINPIPE_API_TOKEN")
	}
	if !strings.Contains(out, "POSTGRES_PASSWORD") && !strings.Contains(out, "FINPIPE_API_TOKEN") {
		t.Errorf("error should name the missing secret:\n%s", out)
	}
}
