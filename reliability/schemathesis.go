package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// schemathesis explores the served OpenAPI document with a valid token:
// generated requests, valid and invalid, must never get a 5xx, and every
// response must match the document (status code, content type, schema).
// It installs Schemathesis into reliability/.venv on first use.
func schemathesis(ctx context.Context, e *suite, w *webEnv, dir string) (r row) {
	r = row{scenario: "Schemathesis against /api/v1/openapi.json", load: "finpipe web + PostgreSQL"}
	start := time.Now()
	defer func() { r.took = time.Since(start) }()
	st, err := schemathesisBinary(ctx, e)
	if err != nil {
		r.fail("%v", err)
		return r
	}
	logPath := filepath.Join(dir, "schemathesis.log")
	cmd := exec.CommandContext(ctx, st, "run", w.base+"/api/v1/openapi.json",
		"--header", "Authorization: Bearer "+w.token,
		"--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
		"--max-examples", strconv.Itoa(e.s.stExamples), "--max-time", strconv.Itoa(int(e.s.stTime.Seconds())),
		"--request-timeout", "30", "--workers", "2", "--seed", "7", "--no-shrink",
		"--report", "junit", "--report-dir", filepath.Join(dir, "schemathesis-report"))
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "SCHEMATHESIS_TELEMETRY=false")
	out, runErr := cmd.CombinedOutput()
	_ = os.WriteFile(logPath, out, 0o644)
	text := string(out)
	n := schemathesisCases(text)
	r.inputs = fmt.Sprintf("%d generated requests (≤%d per operation, valid token)", n, e.s.stExamples)
	if runErr != nil {
		r.fail("schemathesis: %v, %s (log %s)", runErr, schemathesisFailures(text), logPath)
	}
	if n == 0 && runErr == nil {
		r.fail("schemathesis ran no test case (log %s)", logPath)
	}
	return r
}

// schemathesisBinary returns reliability/.venv/bin/schemathesis, creating
// the virtual environment when it is missing.
func schemathesisBinary(ctx context.Context, e *suite) (string, error) {
	venv := filepath.Join(e.root, "reliability", ".venv")
	st := filepath.Join(venv, "bin", "schemathesis")
	if _, err := os.Stat(st); err == nil {
		return st, nil
	}
	for _, args := range [][]string{{"python3", "-m", "venv", venv}, {filepath.Join(venv, "bin", "pip"), "install", "-q", "schemathesis"}} {
		if out, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput(); err != nil {
			return "", fmt.Errorf("install schemathesis (%s): %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return st, nil
}

var (
	stCases    = regexp.MustCompile(`(?m)Test cases:\s*([\d,]+) generated`)
	stFailures = regexp.MustCompile(`(?m)^\s*(?:[-•]\s*)?(Server error|Undocumented HTTP status code|Undocumented Content-Type|Response violates schema|API rejected schema-compliant request|[A-Z][A-Za-z -]+ error)\b.*$`)
)

func schemathesisCases(out string) int {
	m := stCases.FindStringSubmatch(out)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
	return n
}

// schemathesisFailures names the distinct kinds of failure reported.
func schemathesisFailures(out string) string {
	seen := map[string]bool{}
	var kinds []string
	for _, m := range stFailures.FindAllStringSubmatch(out, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			kinds = append(kinds, m[1])
		}
	}
	if len(kinds) == 0 {
		return "see the log"
	}
	return strings.Join(kinds, ", ")
}
