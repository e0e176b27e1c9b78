package testenv

import (
	"context"
	"testing"

	"github.com/finpipe/finpipe/delta"
)

// TableRows reads every row of a table's latest snapshot, failing the test
// on any error: what a test compares its expectations against.
func TableRows(t testing.TB, tbl *delta.Table) []delta.Row {
	t.Helper()
	s, err := tbl.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.Rows(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
