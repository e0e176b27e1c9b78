package lake

import "github.com/finpipe/finpipe/delta"

// fields maps each table name to its field of l, the one place that pairs
// the table constants with the struct.
func (l *Lake) fields() map[string]**delta.Table {
	return map[string]**delta.Table{
		BronzeTransactions: &l.Bronze, SilverTransactions: &l.Silver, SilverRejected: &l.Rejected,
		GoldDailyUserMetrics: &l.UserMetrics, GoldDailyUserRanking: &l.UserRanking,
		GoldDailyCurrencySummary: &l.CurrencySummary,
	}
}

// Table pairs an open table with its Spec.
type Table struct {
	Spec  Spec
	Delta *delta.Table
}

// Tables returns every table of the lake in Specs order (upstream first),
// for work that treats all tables alike, such as maintenance.
func (l *Lake) Tables() []Table {
	f := l.fields()
	specs := Specs()
	out := make([]Table, len(specs))
	for i, s := range specs {
		out[i] = Table{Spec: s, Delta: *f[s.Name]}
	}
	return out
}

// Observe installs f on every table of l (see delta.Table.Observe); nil
// removes it.
func (l *Lake) Observe(f delta.CommitObserver) {
	for _, t := range l.Tables() {
		t.Delta.Observe(f)
	}
}
