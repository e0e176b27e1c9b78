package main

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/scheduler"
)

// runCaptured is runOut with the arguments spread.
func runCaptured(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runOut(t, args)
}

// commandPaths lists every command as the arguments that name it: each
// top-level command, each group, and each group's subcommands.
func commandPaths() [][]string {
	var paths [][]string
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		paths = append(paths, []string{n})
		subs := make([]string, 0, len(commands[n].sub))
		for s := range commands[n].sub {
			subs = append(subs, s)
		}
		sort.Strings(subs)
		for _, s := range subs {
			paths = append(paths, []string{n, s})
		}
	}
	return paths
}

// aliases are commands that run another one, with its usage.
var aliases = map[string]string{"dags backfill": "backfill create"}

// TestEveryHelpOnStdoutExitsZero walks every command: --help (and -h) is an
// answer, on stdout with exit 0; a flag that does not exist is an error, on
// stderr with exit 2, followed by the command's own usage, never the flag
// package's raw "Usage of" text.
func TestEveryHelpOnStdoutExitsZero(t *testing.T) {
	t.Parallel()
	for _, args := range append([][]string{{"--help"}, {"-h"}, {"help"}}, commandPaths()...) {
		help := args
		if !isHelp(args[0]) {
			help = append(append([]string{}, args...), "--help")
		}
		code, out, errOut := runCaptured(t, help...)
		if code != 0 || !strings.HasPrefix(out, "usage: finpipe") || errOut != "" {
			t.Errorf("finpipe %s: exit %d, stdout %.60q, stderr %.200q", strings.Join(help, " "), code, out, errOut)
		}
		if isHelp(args[0]) || commands[args[0]].sub != nil && len(args) == 1 {
			continue // groups have no flags of their own
		}
		name := strings.Join(args, " ")
		if alias, ok := aliases[name]; ok {
			name = alias
		}
		bad := append(append([]string{}, args...), "--no-such-flag")
		code, out, errOut = runCaptured(t, bad...)
		if code != 2 || out != "" || !strings.Contains(errOut, "flag provided but not defined: -no-such-flag") ||
			!strings.Contains(errOut, "usage: finpipe "+name) || strings.Contains(errOut, "Usage of") {
			t.Errorf("finpipe %s: exit %d, stdout %.60q, stderr %.300q", strings.Join(bad, " "), code, out, errOut)
		}
	}
	if code, out, errOut := runCaptured(t); code != 2 || out != "" || !strings.HasPrefix(errOut, "usage: finpipe") {
		t.Errorf("finpipe without a command: exit %d, stdout %q, stderr %.60q", code, out, errOut)
	}
}

// TestCLIMessages checks the messages of bad input that a user meets first.
func TestCLIMessages(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgres://u:p@127.0.0.1:1/none") // never reached: the input is checked first
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"backfill", "create", "gold_daily", "--to", "2026-01-02"}, "--from is required"},
		{[]string{"backfill", "create", "gold_daily", "--from", "2026-01-02"}, "--to is required"},
		{[]string{"backfill", "create", "gold_daily", "--from", "yesterday", "--to", "2026-01-02"}, `--from: bad date "yesterday"`},
		{[]string{"backfill", "create", "gold_daily", "--from", "2026-01-01", "--to", "2026-01-02", "--conf", `{"dates": [1,}`},
			"--conf is not valid JSON: invalid character '}' looking for beginning of value (at byte 14)"},
		{[]string{"dags", "trigger", "gold_daily", "--conf", "{bad"}, "--conf is not valid JSON: invalid character 'b'"},
		{[]string{"dags", "trigger", "gold_daily", "--conf", "[1]"}, "--conf must be a JSON object"},
		{[]string{"tasks", "list", "nope"}, `unknown DAG "nope"`},
	} {
		code, _, errOut := runCaptured(t, c.args...)
		if code != 1 || !strings.Contains(errOut, c.want) {
			t.Errorf("finpipe %s: exit %d, stderr %q, want %q", strings.Join(c.args, " "), code, errOut, c.want)
		}
	}
}

// TestTasksListTakesADAG checks that `tasks list DAG` lists the DAG's tasks
// (as Airflow's does), without a database.
func TestTasksListTakesADAG(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	code, out, errOut := runCaptured(t, "tasks", "list", "finpipe_medallion", "--data-dir", t.TempDir())
	if code != 0 || !strings.Contains(out, "TASK") || !strings.Contains(out, "aggregate  clean ") {
		t.Fatalf("tasks list: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, _ = runCaptured(t, "tasks", "list", "example_etl", "--json", "--data-dir", t.TempDir())
	var tasks []struct {
		TaskID   string   `json:"task_id"`
		Upstream []string `json:"upstream"`
	}
	if err := json.Unmarshal([]byte(out), &tasks); code != 0 || err != nil || len(tasks) < 3 || tasks[0].TaskID != "extract" {
		t.Fatalf("tasks list --json: exit %d, %v, %q", code, err, out)
	}
}

// TestBackfillListAndRunsReadable checks `backfill list` (runs per state in
// words, not a Go map) and the --json of `dags runs` and `backfill list`.
func TestBackfillListAndRunsReadable(t *testing.T) {
	db := testenv.Postgres(t)
	t.Setenv("DATABASE_URL", db)
	store := migratedStoreWithDAGs(t, db)
	ctx := context.Background()
	if code, _, errOut := runCaptured(t, "backfill", "create", "gold_daily", "--from", "2026-01-01", "--to", "2026-01-03"); code != 0 {
		t.Fatalf("backfill create: exit %d: %s", code, errOut)
	}
	list, err := store.ListBackfills(ctx, "gold_daily")
	if err != nil || len(list) != 1 {
		t.Fatalf("backfills %v, %v", list, err)
	}
	code, out, _ := runCaptured(t, "backfill", "list")
	if code != 0 || strings.Contains(out, "map[") || !strings.Contains(out, "3 queued") {
		t.Fatalf("backfill list: exit %d:\n%s", code, out)
	}
	code, out, _ = runCaptured(t, "backfill", "list", "--json")
	var bfs []scheduler.Backfill
	if err := json.Unmarshal([]byte(out), &bfs); code != 0 || err != nil || len(bfs) != 1 || bfs[0].RunCounts["queued"] != 3 {
		t.Fatalf("backfill list --json: exit %d, %v: %s", code, err, out)
	}
	code, out, _ = runCaptured(t, "dags", "runs", "gold_daily", "--json")
	var runs []scheduler.DagRun
	if err := json.Unmarshal([]byte(out), &runs); code != 0 || err != nil || len(runs) != 3 {
		t.Fatalf("dags runs --json: exit %d, %v: %s", code, err, out)
	}
}

func TestFormatRunCounts(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   map[string]int
		want string
	}{
		{map[string]int{"failed": 1, "success": 6}, "6 success, 1 failed"},
		{map[string]int{"running": 2, "queued": 1, "success": 0}, "1 queued, 2 running"},
		{nil, "none"},
	} {
		if got := formatRunCounts(c.in); got != c.want {
			t.Errorf("formatRunCounts(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}
