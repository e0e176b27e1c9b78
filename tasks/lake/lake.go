// Package lake names the medallion tables of DESIGN.md "The lake" — their
// folders, Delta schemas, partition columns and column positions — and opens
// them all at once, so that every task and tool agrees on one layout. The
// lake location itself is config.Settings.LakeDir: <data dir>/<env>/lake,
// or FINPIPE_LAKE_URL (file:///…, s3://bucket/prefix, gs://… or azblob://…).
package lake

import (
	"fmt"
	"strings"

	"github.com/finpipe/finpipe/delta"
)

// Lake holds the six tables of one lake directory.
type Lake struct {
	Dir             string
	Bronze          *delta.Table
	Silver          *delta.Table
	Rejected        *delta.Table
	UserMetrics     *delta.Table
	UserRanking     *delta.Table
	CurrencySummary *delta.Table

	followers followers // state kept in step with the tables (follow.go)
}

// Open creates any missing table of the lake under dir (creation is
// idempotent, so concurrent tasks may all call it) and opens them all. An
// existing table with another schema is an error: writing rows of the wrong
// shape would corrupt it.
func Open(dir string) (*Lake, error) {
	return open(dir, func(path string, s Spec) (*delta.Table, error) {
		return delta.Create(path, s.Schema, s.PartitionColumns)
	})
}

// OpenExisting opens the tables without creating any, for tools that must
// only read (lake check): a missing table is an error.
func OpenExisting(dir string) (*Lake, error) {
	return open(dir, func(path string, _ Spec) (*delta.Table, error) { return delta.Open(path) })
}

func open(dir string, openTable func(path string, s Spec) (*delta.Table, error)) (*Lake, error) {
	l := &Lake{Dir: dir}
	dst := l.fields()
	for _, s := range Specs() {
		t, err := openTable(l.Path(s.Name), s)
		if err != nil {
			return nil, fmt.Errorf("lake: table %s: %w", s.Name, err)
		}
		*dst[s.Name] = t
	}
	return l, nil
}

// Path returns the folder of the named table (one of the table constants),
// or its URL when the lake is in an object store.
func (l *Lake) Path(name string) string {
	return delta.JoinLocation(l.Dir, strings.TrimPrefix(name, "/"))
}
