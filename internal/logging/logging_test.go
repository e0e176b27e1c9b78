package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"strings"
	"testing"
)

func TestSetupFormats(t *testing.T) {
	tests := []struct {
		format   string
		wantJSON bool
	}{
		{"json", true},
		{"text", false},
		{"auto", true}, // a buffer is not a terminal
		{"", true},
		{"bogus", true},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		Setup(tt.format, "info", &b).Info("hello", "n", 1)
		isJSON := json.Valid(bytes.TrimSpace(b.Bytes()))
		if isJSON != tt.wantJSON {
			t.Errorf("format %q: JSON = %v, want %v; output %q", tt.format, isJSON, tt.wantJSON, b.String())
		}
		if !tt.wantJSON && !strings.Contains(b.String(), "msg=hello n=1") {
			t.Errorf("text output %q lacks msg=hello n=1", b.String())
		}
	}
}

func TestSetupLevel(t *testing.T) {
	tests := []struct {
		level     string
		wantDebug bool
		wantInfo  bool
	}{
		{"debug", true, true},
		{"info", false, true},
		{"WARN", false, false},
		{"nonsense", false, true}, // falls back to info
	}
	for _, tt := range tests {
		var b bytes.Buffer
		l := Setup("json", tt.level, &b)
		l.Debug("d")
		l.Info("i")
		if got := strings.Contains(b.String(), `"msg":"d"`); got != tt.wantDebug {
			t.Errorf("level %q: debug shown = %v", tt.level, got)
		}
		if got := strings.Contains(b.String(), `"msg":"i"`); got != tt.wantInfo {
			t.Errorf("level %q: info shown = %v", tt.level, got)
		}
	}
}

func TestIsTerminalFalseForFilesAndBuffers(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f) || IsTerminal(&bytes.Buffer{}) {
		t.Error("a regular file or a buffer is not a terminal")
	}
}

// TestAttemptLinesCarryContext checks what operators grep for: every line a
// task body logs through its context names the dag, run, task and try.
func TestAttemptLinesCarryContext(t *testing.T) {
	var b bytes.Buffer
	base := Setup("json", "info", &b)
	ctx := WithLogger(context.Background(), ForAttempt(base, "finpipe_medallion", "scheduled__2026-01-02T03:04:00Z", "clean", 2))
	FromContext(ctx).Info("batch done", "rows", 10)
	var line map[string]any
	if err := json.Unmarshal(b.Bytes(), &line); err != nil {
		t.Fatalf("not JSON: %q", b.String())
	}
	want := map[string]any{"dag": "finpipe_medallion", "run": "scheduled__2026-01-02T03:04:00Z", "task": "clean", "try": 2.0, "rows": 10.0}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("%s = %v, want %v", k, line[k], v)
		}
	}
}

func TestFromContextDefaults(t *testing.T) {
	if FromContext(context.Background()) != slog.Default() {
		t.Error("a context without a logger should give slog.Default()")
	}
}
