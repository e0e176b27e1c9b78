package main

import (
	"strings"
	"testing"
)

// TestUnknownDAGAndTaskIDs: a mistyped id is answered with the valid ones
// and exit 1, before anything else is tried (here: with no database
// configured, which would otherwise be the complaint).
func TestUnknownDAGAndTaskIDs(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"dags", "trigger", "finpipe_medalion", "--data-dir", dir}, `unknown DAG "finpipe_medalion" (known: example_etl, finpipe_medallion, gold_daily,`},
		{[]string{"tasks", "test", "nope", "extract", "--data-dir", dir}, `unknown DAG "nope" (known: example_etl,`},
		{[]string{"tasks", "test", "example_etl", "nope", "--data-dir", dir}, `unknown task "nope" in DAG "example_etl" (known: extract, validate,`},
	} {
		code, _, stderr := runOut(t, c.args)
		if code != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("finpipe %v: exit %d, stderr %q; want exit 1 and %q", c.args, code, stderr, c.want)
		}
	}
}

// The terminal says what a DAG runs on, assets included: a DAG scheduled on
// data is not "manual".
func TestScheduleText(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		schedule string
		assets   []string
		want     string
	}{
		{"", nil, "manual"},
		{"@hourly", nil, "@hourly"},
		{"", []string{"transactions"}, "assets: transactions"},
		{"@daily", []string{"a", "b"}, "@daily or assets: a, b"},
	} {
		if got := scheduleText(c.schedule, c.assets, "manual"); got != c.want {
			t.Errorf("scheduleText(%q, %q) = %q, want %q", c.schedule, c.assets, got, c.want)
		}
	}
}
