package config

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestRedactDatabaseURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres://finpipe:s3cret@db:5432/finpipe?sslmode=disable", "postgres://finpipe:xxxxx@db:5432/finpipe?sslmode=disable"},
		{"postgres://finpipe@db/finpipe", "postgres://finpipe@db/finpipe"},
		{"postgresql://db/finpipe?password=s3cret&user=u", "postgresql://db/finpipe?password=xxxxx&user=u"},
		{"host=db user=finpipe password=s3cret dbname=finpipe", "host=db user=finpipe password=xxxxx dbname=finpipe"},
		{"host=db password='s3 cret' dbname=x", "host=db password=xxxxx dbname=x"},
		{"s3cret-without-form", "xxxxx"},
	}
	for _, tt := range tests {
		if got := RedactDatabaseURL(tt.in); got != tt.want {
			t.Errorf("RedactDatabaseURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestSecretsNeverPrinted checks every way a Settings can reach a terminal or
// a log: the config table, %v, slog, and an error message.
func TestSecretsNeverPrinted(t *testing.T) {
	clearEnv(t)
	t.Setenv("FINPIPE_API_TOKEN", "tok-s3cret-0123456789")
	t.Setenv("DATABASE_URL", "postgres://u:pw-s3cret@db/finpipe")
	s, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("start", "config", s)
	for name, out := range map[string]string{
		"Redacted": s.Redacted(),
		"%v":       fmt.Sprintf("%v", s),
		"slog":     logged.String(),
	} {
		if strings.Contains(out, "s3cret") {
			t.Errorf("%s leaks a secret:\n%s", name, out)
		}
		if !strings.Contains(out, "postgres://u:xxxxx@db/finpipe") {
			t.Errorf("%s should keep the non-secret parts of DATABASE_URL:\n%s", name, out)
		}
	}
	t.Setenv("FINPIPE_API_TOKEN", "bad s3cret")
	if _, err := FromEnv(); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error for a bad token must not echo it: %v", err)
	}
}

func TestRedactedListsEverySettingWithSource(t *testing.T) {
	clearEnv(t)
	t.Setenv("FINPIPE_WORKERS", "8")
	s, err := parse(t, []string{"--env", "prod"})
	if err != nil {
		t.Fatal(err)
	}
	out := s.Redacted()
	for _, k := range Keys() {
		if !strings.Contains(out, k.Env()) || !strings.Contains(out, k.Flag()) {
			t.Errorf("table lacks %s / %s", k.Env(), k.Flag())
		}
	}
	for _, line := range []string{"FINPIPE_WORKERS", "ENV "} {
		i := strings.Index(out, line)
		row, _, _ := strings.Cut(out[i:], "\n")
		want := map[string]string{"FINPIPE_WORKERS": "env", "ENV ": "flag"}[line]
		if !strings.HasSuffix(row, want) {
			t.Errorf("row %q should end with source %q", row, want)
		}
	}
}
