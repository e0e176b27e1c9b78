package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// row is one line of the suite's table. lost and dups are counts of
// records (transactions, runs or task attempts, as the scenario says) and
// must be 0; problems lists every check that failed.
type row struct {
	scenario string
	load     string
	faults   string
	inputs   string
	lost     int64
	dups     int64
	problems []string
	took     time.Duration
}

func (r *row) fail(format string, args ...any) {
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

func (r row) ok() bool { return len(r.problems) == 0 && r.lost == 0 && r.dups == 0 }

func (r row) result() string {
	if r.ok() {
		return "pass"
	}
	if len(r.problems) == 0 {
		return "FAIL"
	}
	return "FAIL: " + strings.Join(r.problems, "; ")
}

// table prints rows as Markdown as they come, so a long run shows progress
// and the output pastes into a README as is.
type table struct {
	w    io.Writer
	rows []row
}

func newTable(w io.Writer) *table {
	fmt.Fprintln(w, "| scenario | load held | faults injected | bad inputs tried | records lost | duplicates | result |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- | --- |")
	return &table{w: w}
}

func (t *table) add(r row) {
	t.rows = append(t.rows, r)
	cell := func(s string) string {
		if s == "" {
			return "–"
		}
		return strings.ReplaceAll(s, "|", "/")
	}
	fmt.Fprintf(t.w, "| %s | %s | %s | %s | %d | %d | %s (%s) |\n", cell(r.scenario), cell(r.load), cell(r.faults),
		cell(r.inputs), r.lost, r.dups, cell(r.result()), r.took.Round(time.Second))
}

func (t *table) failed() bool {
	for _, r := range t.rows {
		if !r.ok() {
			return true
		}
	}
	return len(t.rows) == 0
}

func (t *table) summary() {
	bad := 0
	for _, r := range t.rows {
		if !r.ok() {
			bad++
		}
	}
	fmt.Fprintf(t.w, "\n%d rows, %d failed\n", len(t.rows), bad)
}
