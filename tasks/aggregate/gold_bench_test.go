package aggregate

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/finpipe/finpipe/delta"
	"github.com/finpipe/finpipe/tasks/money"
)

// foldedDay is a Builder holding one day of the pipeline benchmark's shape:
// users × currencies groups, each of a few rows.
func foldedDay(b *testing.B, users, rows int) *Builder {
	b.Helper()
	bl := NewBuilder()
	rng := rand.New(rand.NewPCG(1, 2))
	currencies := []string{"EUR", "USD", "GBP", "JPY", "CHF", "SEK"}
	for i := range rows {
		r := delta.Row{fmt.Sprintf("user-%05d", rng.IntN(users)), currencies[i%len(currencies)],
			money.FromCents(rng.Int64N(1_000_000)), day0}
		if err := bl.Fold(r); err != nil {
			b.Fatal(err)
		}
	}
	return bl
}

// BenchmarkGold is one refresh of a day with 10,000 users in 6 currencies
// (about 60,000 groups), the benchmark's Gold after a million transactions.
func BenchmarkGold(b *testing.B) {
	bl := foldedDay(b, 10_000, 1_000_000)
	b.ResetTimer()
	b.ReportAllocs()
	for range b.N {
		g := bl.Gold(nil)
		if len(g.Metrics) == 0 {
			b.Fatal("no rows")
		}
	}
}
