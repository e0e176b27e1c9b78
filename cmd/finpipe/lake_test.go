package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/internal/testenv"
	"github.com/finpipe/finpipe/tasks/lake"
	"github.com/shopspring/decimal"
)

func TestLakeCommands(t *testing.T) {
	t.Parallel()
	testLakeCommands(t, filepath.Join(t.TempDir(), "t"))
}

// TestLakeCommandsOnS3: the same commands on a table in an S3 bucket, named
// by its URL.
func TestLakeCommandsOnS3(t *testing.T) {
	testLakeCommands(t, delta.JoinLocation(testenv.S3(t), "lake/t"))
}

func testLakeCommands(t *testing.T, path string) {
	ctx := context.Background()
	tbl, err := delta.Create(path, delta.Schema{Fields: []delta.Field{
		{Name: "id", Type: "string", Nullable: false},
		{Name: "amount", Type: "decimal(18,2)", Nullable: true},
		{Name: "at", Type: "timestamp", Nullable: true},
		{Name: "raw", Type: "binary", Nullable: true},
		{Name: "day", Type: "date", Nullable: true},
	}}, []string{"day"})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 1, 2, 3, 4, 5, 6000, time.UTC)
	day := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	for i, id := range []string{"a", "b"} {
		row := delta.Row{id, decimal.RequireFromString("1.5"), at, []byte{byte(i)}, day}
		if _, err := tbl.Append(ctx, []delta.Row{row}, delta.CommitOptions{}); err != nil {
			t.Fatal(err)
		}
	}

	code, out, _ := runOut(t, []string{"lake", "cat", path, "--version", "1"})
	if code != 0 {
		t.Fatalf("lake cat exit %d", code)
	}
	want := `{"id":"a","amount":"1.50","at":"2024-01-02T03:04:05.000006Z","raw":"AA==","day":"2024-01-02"}` + "\n"
	if out != want {
		t.Fatalf("lake cat --version 1:\n got  %q\n want %q", out, want)
	}

	_, out, _ = runOut(t, []string{"lake", "history", "--json", path})
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("history has %d lines, want 3: %s", len(lines), out)
	}
	var newest struct {
		Version   int64  `json:"version"`
		Operation string `json:"operation"`
		RowsAdded int64  `json:"rowsAdded"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &newest); err != nil || newest.Version != 2 || newest.Operation != "WRITE" || newest.RowsAdded != 1 {
		t.Fatalf("history[0] = %+v, %v", newest, err)
	}

	_, out, _ = runOut(t, []string{"lake", "optimize", path})
	if !strings.Contains(out, "version 3") {
		t.Fatalf("optimize printed %q", out)
	}
	_, out, _ = runOut(t, []string{"lake", "vacuum", path, "--retain", "0s", "--dry-run"})
	if !strings.Contains(out, "would delete 2 files") {
		t.Fatalf("vacuum --dry-run printed %q", out)
	}
	if code := run(t, []string{"lake", "cat", filepath.Join(t.TempDir(), "none")}); code != 1 {
		t.Fatalf("lake cat of a missing table: exit %d, want 1", code)
	}
	if code := run(t, []string{"lake", "nope"}); code == 0 {
		t.Fatal("unknown lake command succeeded")
	}
}

// TestLakeCommandsTakeTableNames checks that the lake commands accept the
// table names the Lake page shows, in the lake of --data-dir and --env, and
// that a directory path still works.
func TestLakeCommandsTakeTableNames(t *testing.T) {
	dir := t.TempDir()
	lakeDir := filepath.Join(dir, "dev", "lake")
	if _, err := lake.Open(lakeDir); err != nil { // creates every table
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"lake", "history", lake.GoldDailyUserMetrics, "--data-dir", dir, "--json"},
		{"lake", "history", "--data-dir", dir, lake.BronzeTransactions},
		{"lake", "history", filepath.Join(lakeDir, "silver", "rejected")},
	} {
		code, out, errOut := runCaptured(t, args...)
		if code != 0 || !strings.Contains(out, `"version":0`) && !strings.Contains(out, "CREATE TABLE") {
			t.Errorf("finpipe %v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
	t.Setenv("FINPIPE_DATA_DIR", dir)
	if code, out, errOut := runCaptured(t, "lake", "cat", lake.GoldDailyCurrencySummary); code != 0 || out != "" {
		t.Errorf("lake cat of an empty table by name: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, _, errOut := runCaptured(t, "lake", "cat", lake.GoldDailyCurrencySummary, "--env", "prod")
	if want := filepath.Join(dir, "prod", "lake", "gold", "daily_currency_summary"); code != 1 || !strings.Contains(errOut, want) {
		t.Errorf("lake cat in a lake without tables: exit %d, stderr %q, want it to name %s", code, errOut, want)
	}
}
