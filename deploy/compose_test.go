package deploy_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// repoRoot is where docker-compose.yml, Dockerfile and .env.example live.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func readRoot(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// composeFile is the part of the Compose Specification these checks read.
type composeFile struct {
	Services map[string]service `yaml:"services"`
	Volumes  map[string]any     `yaml:"volumes"`
}

type service struct {
	Image       string               `yaml:"image"`
	Build       any                  `yaml:"build"`
	Command     words                `yaml:"command"`
	Environment env                  `yaml:"environment"`
	Volumes     []string             `yaml:"volumes"`
	Profiles    []string             `yaml:"profiles"`
	DependsOn   map[string]dependsOn `yaml:"depends_on"`
	Healthcheck *struct {
		Test words `yaml:"test"`
	} `yaml:"healthcheck"`
	Deploy struct {
		Replicas int `yaml:"replicas"`
	} `yaml:"deploy"`
}

type dependsOn struct {
	Condition string `yaml:"condition"`
}

// isFinPipe tells our own image apart from postgres and kafka.
func (s service) isFinPipe() bool {
	return s.Build != nil || strings.HasPrefix(s.Image, "finpipe")
}

// words accepts a command written as a YAML list or as one string.
type words []string

func (w *words) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*w = strings.Fields(n.Value)
		return nil
	}
	var list []string
	if err := n.Decode(&list); err != nil {
		return err
	}
	*w = list
	return nil
}

// env accepts environment as a map or as a list of NAME=value.
type env map[string]string

func (e *env) UnmarshalYAML(n *yaml.Node) error {
	*e = env{}
	if n.Kind == yaml.SequenceNode {
		var list []string
		if err := n.Decode(&list); err != nil {
			return err
		}
		for _, kv := range list {
			k, v, _ := strings.Cut(kv, "=")
			(*e)[k] = v
		}
		return nil
	}
	var m map[string]any
	if err := n.Decode(&m); err != nil {
		return err
	}
	for k, v := range m {
		(*e)[k] = fmt.Sprint(v)
	}
	return nil
}

func loadCompose(t *testing.T) composeFile {
	t.Helper()
	var f composeFile
	if err := yaml.Unmarshal([]byte(readRoot(t, "docker-compose.yml")), &f); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	return f
}

// TestComposeDescribesTheStack checks the shape issue 6 promises: the
// services, their start-up order, health checks, replicas and volumes.
func TestComposeDescribesTheStack(t *testing.T) {
	f := loadCompose(t)
	for _, name := range []string{"postgres", "kafka", "migrate", "scheduler", "worker", "web", "producer"} {
		if _, ok := f.Services[name]; !ok {
			t.Errorf("service %q missing", name)
		}
	}
	for _, v := range []string{"db", "broker", "lake"} {
		if _, ok := f.Volumes[v]; !ok {
			t.Errorf("named volume %q missing", v)
		}
	}
	if !strings.HasPrefix(f.Services["kafka"].Image, "apache/kafka:4.") {
		t.Errorf("kafka image = %q, want apache/kafka:4.x", f.Services["kafka"].Image)
	}
	if !strings.HasPrefix(f.Services["postgres"].Image, "postgres:16") {
		t.Errorf("postgres image = %q, want postgres:16", f.Services["postgres"].Image)
	}
	for _, name := range []string{"postgres", "kafka", "scheduler", "worker", "web"} {
		if f.Services[name].Healthcheck == nil {
			t.Errorf("%s has no healthcheck", name)
		}
	}
	if got := f.Services["worker"].Deploy.Replicas; got != 2 {
		t.Errorf("worker replicas = %d, want 2", got)
	}
	if p := f.Services["producer"].Profiles; len(p) != 1 || p[0] != "producer" {
		t.Errorf("producer profiles = %v, want [producer] so it only starts on request", p)
	}
	if got := f.Services["migrate"].DependsOn["postgres"].Condition; got != "service_healthy" {
		t.Errorf("migrate waits for postgres with %q, want service_healthy", got)
	}
	for _, name := range []string{"scheduler", "worker", "web"} {
		s := f.Services[name]
		if got := s.DependsOn["migrate"].Condition; got != "service_completed_successfully" {
			t.Errorf("%s waits for migrate with %q, want service_completed_successfully", name, got)
		}
		if got := s.DependsOn["kafka"].Condition; got != "service_healthy" {
			t.Errorf("%s waits for kafka with %q, want service_healthy", name, got)
		}
		if !contains(s.Volumes, "lake:/data") || s.Environment["FINPIPE_DATA_DIR"] != "/data" {
			t.Errorf("%s must mount the shared lake volume at /data and use it as FINPIPE_DATA_DIR", name)
		}
	}
}

// TestSecretsComeFromEnvFile: secrets are required interpolations, never
// literals, and .env.example names each one.
func TestSecretsComeFromEnvFile(t *testing.T) {
	compose := readRoot(t, "docker-compose.yml")
	example := envFileNames(readRoot(t, ".env.example"))
	for _, secret := range []string{"POSTGRES_PASSWORD", "FINPIPE_API_TOKEN"} {
		if !strings.Contains(compose, "${"+secret+":?") {
			t.Errorf("docker-compose.yml should require ${%s:?...} from .env", secret)
		}
	}
	required := regexp.MustCompile(`\$\{([A-Z0-9_]+):\?`)
	used := regexp.MustCompile(`\$\{([A-Z0-9_]+)`)
	for _, m := range required.FindAllStringSubmatch(compose, -1) {
		if !example[m[1]] {
			t.Errorf(".env.example lacks required variable %s", m[1])
		}
	}
	inCompose := map[string]bool{}
	for _, m := range used.FindAllStringSubmatch(compose, -1) {
		inCompose[m[1]] = true
	}
	for name := range example {
		if !inCompose[name] {
			t.Errorf(".env.example sets %s but docker-compose.yml never uses it", name)
		}
	}
	ignore := readRoot(t, ".dockerignore")
	if !strings.Contains(ignore, ".env") {
		t.Error(".dockerignore must keep .env out of the image")
	}
}

// envFileNames lists the variables an env file assigns.
func envFileNames(text string) map[string]bool {
	names := map[string]bool{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if k, _, ok := strings.Cut(line, "="); ok {
			names[strings.TrimSpace(k)] = true
		}
	}
	return names
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
