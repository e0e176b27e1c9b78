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
)

// fuzzers are the Go fuzz targets for the inputs FinPipe takes from
// outside: Kafka message values (the transaction parser and validator),
// Delta logs written by other engines, and REST request bodies.
var fuzzers = []struct{ pkg, name string }{
	{"./tasks/record", "FuzzValidate"},
	{"./tasks/clean", "FuzzDuplicateIndex"},
	{"./delta", "FuzzParseLog"},
	{"./web", "FuzzRequestDecoding"},
}

var fuzzExecs = regexp.MustCompile(`execs: (\d+)`)

// runFuzzers runs each fuzzer for RELIABILITY_FUZZTIME; a crasher fails
// the row (go test saves it under the package's testdata/fuzz).
func runFuzzers(ctx context.Context, e *suite) []row {
	r := row{scenario: "Go fuzzers (parser + validator, duplicate index, Delta log, REST decoding)",
		load: fmt.Sprintf("%s each", e.s.fuzzTime)}
	dir := e.dir("fuzz")
	var parts []string
	for _, f := range fuzzers {
		cmd := exec.CommandContext(ctx, "go", "test", f.pkg, "-run", "^$", "-fuzz", "^"+f.name+"$",
			"-fuzztime", e.s.fuzzTime.String(), "-parallel", "2")
		cmd.Dir = e.root
		out, err := cmd.CombinedOutput()
		logPath := filepath.Join(dir, f.name+".log")
		_ = os.WriteFile(logPath, out, 0o644)
		var execs int64
		for _, m := range fuzzExecs.FindAllStringSubmatch(string(out), -1) {
			if n, _ := strconv.ParseInt(m[1], 10, 64); n > execs {
				execs = n
			}
		}
		parts = append(parts, fmt.Sprintf("%s %s", f.name, human(execs)))
		if err != nil {
			r.fail("%s: %v (log %s)", f.name, err, logPath)
		}
	}
	r.inputs = strings.Join(parts, ", ") + " execs"
	return []row{r}
}

// human writes a count with a k or M suffix.
func human(n int64) string {
	switch {
	case n >= 10_000_000:
		return fmt.Sprintf("%.0fM", float64(n)/1e6)
	case n >= 1_000_000:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	case n >= 10_000:
		return fmt.Sprintf("%.0fk", float64(n)/1e3)
	default:
		return strconv.FormatInt(n, 10)
	}
}
