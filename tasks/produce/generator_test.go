package produce

import (
	"bytes"
	"testing"
	"time"

	"github.com/finpipe/finpipe/tasks/record"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func testOptions() Options {
	return Options{Seed: 7, BadRatio: 0.2, DuplicateRatio: 0.1, LateRatio: 0.1, Clock: func() time.Time { return testNow }}
}

func TestGeneratorIsDeterministic(t *testing.T) {
	t.Parallel()
	a, b := NewGenerator(testOptions()), NewGenerator(testOptions())
	for i := 0; i < 2000; i++ {
		ma, mb := a.Next(), b.Next()
		if !bytes.Equal(ma.Value, mb.Value) || !bytes.Equal(ma.Key, mb.Key) || ma.Kind != mb.Kind {
			t.Fatalf("message %d differs:\n%s\n%s", i, ma.Value, mb.Value)
		}
	}
	other := testOptions()
	other.Seed = 8
	if bytes.Equal(NewGenerator(other).Next().Value, NewGenerator(testOptions()).Next().Value) {
		t.Fatal("different seeds gave the same first message")
	}
}

// TestGeneratedMessagesMeetTheirIntent checks every message against the
// validator: bad ones fail with the intended reason, the others pass, late
// ones are within or beyond the allowed lateness (about half each),
// duplicates repeat an earlier transaction.
func TestGeneratedMessagesMeetTheirIntent(t *testing.T) {
	t.Parallel()
	g := NewGenerator(testOptions())
	const n = 20_000
	kinds := map[Kind]int{}
	reasons := map[record.Reason]int{}
	seen := map[string]bool{}
	var lateWithin, lateBeyond int
	for i := 0; i < n; i++ {
		m := g.Next()
		kinds[m.Kind]++
		tx, rej := record.Validate(m.Value, testNow)
		if m.Kind == KindBad {
			reasons[m.Reason]++
			if rej == nil || rej.Reason != m.Reason {
				t.Fatalf("bad message meant as %s got %v: %s", m.Reason, rej, m.Value)
			}
			continue
		}
		if rej != nil {
			t.Fatalf("%s message rejected: %v: %s", m.Kind, rej, m.Value)
		}
		if string(m.Key) != tx.UserID {
			t.Fatalf("key %q, user %q", m.Key, tx.UserID)
		}
		age := testNow.Sub(tx.EventTime)
		switch m.Kind {
		case KindLate:
			switch {
			case age >= minLateAge && age <= maxWithinAge:
				lateWithin++
			case age >= minBeyondAge && age <= maxLateAge:
				lateBeyond++
			default:
				t.Fatalf("late event %v old: neither well within nor well beyond the allowed lateness", age)
			}
			// What clean makes of it with the watermark at the clock.
			if late := record.CheckLate(tx.EventTime, testNow, record.DefaultAllowedLateness); late != (age >= minBeyondAge) {
				t.Fatalf("late event %v old: CheckLate says %v", age, late)
			}
		case KindDuplicate:
			if !seen[tx.TransactionID] {
				t.Fatalf("duplicate of an unseen transaction %s", tx.TransactionID)
			}
		case KindValid:
			if age < 0 || age > 30*time.Second {
				t.Fatalf("fresh event %v old", age)
			}
			if seen[tx.TransactionID] {
				t.Fatalf("valid transaction id %s repeated", tx.TransactionID)
			}
		}
		seen[tx.TransactionID] = true
	}
	// Half the late events are accepted, half rejected: a demo shows both.
	if late := lateWithin + lateBeyond; lateWithin < late*2/5 || lateBeyond < late*2/5 {
		t.Errorf("late events: %d within the allowed lateness, %d beyond it; want about half each", lateWithin, lateBeyond)
	}
	for kind, want := range map[Kind]float64{KindBad: 0.2, KindDuplicate: 0.1, KindLate: 0.1, KindValid: 0.6} {
		if got := float64(kinds[kind]) / n; got < want-0.02 || got > want+0.02 {
			t.Errorf("%s share %.3f, want about %.2f", kind, got, want)
		}
	}
	for _, r := range record.StatelessReasons() {
		if reasons[r] < kinds[KindBad]/len(record.StatelessReasons())-1 {
			t.Errorf("reason %s only %d times of %d bad", r, reasons[r], kinds[KindBad])
		}
	}
}

func TestGeneratorSkew(t *testing.T) {
	t.Parallel()
	g := NewGenerator(Options{Seed: 1, Clock: func() time.Time { return testNow }})
	users, currencies := map[string]int{}, map[string]int{}
	for i := 0; i < 10_000; i++ {
		tx := g.Next().Tx
		users[tx.UserID]++
		currencies[tx.Currency]++
	}
	top := 0
	for _, c := range users {
		top = max(top, c)
	}
	if top < 50 || len(users) < 1000 {
		t.Errorf("users not skewed: top user %d tx, %d users", top, len(users))
	}
	if currencies["USD"] < currencies["ZAR"]*3 || len(currencies) < 5 {
		t.Errorf("currencies not skewed: %v", currencies)
	}
}

func TestOptionsValidate(t *testing.T) {
	t.Parallel()
	for _, o := range []Options{
		{Count: -1}, {Rate: -5}, {BadRatio: 1.5}, {LateRatio: -0.1},
		{BadRatio: 0.5, DuplicateRatio: 0.4, LateRatio: 0.2},
	} {
		if o.Validate() == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	if err := (Options{Count: 10, BadRatio: 0.5, DuplicateRatio: 0.5}).Validate(); err != nil {
		t.Error(err)
	}
}
