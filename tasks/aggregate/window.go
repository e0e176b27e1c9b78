package aggregate

// A Builder that a long-running worker keeps in step with Silver would
// otherwise hold every (day, user, currency) ever seen: about 30,000
// groups a day at a million transactions, a gigabyte a year. Silver only
// changes near its newest date (older events are late_event), so the
// follower keeps a window of recent days; a date outside it (a backfill of
// an old day) is computed from its Silver partition instead.

// DefaultWindowDays is how many days before the newest event date the
// follower's totals keep.
const DefaultWindowDays = 14

// NewWindowedBuilder returns a Builder that keeps only event dates at most
// days before the newest one folded.
func NewWindowedBuilder(days int) *Builder {
	b := NewBuilder()
	b.window = int64(days)
	return b
}

// floor is the oldest day the Builder holds completely.
func (b *Builder) floor() int64 { return b.newest - b.window }

// admit tracks the newest day and says whether a row of day is kept,
// evicting the days that fell out of the window.
func (b *Builder) admit(day int64) bool {
	if b.window <= 0 {
		return true
	}
	if !b.seen || day > b.newest {
		b.newest, b.seen = day, true
		for k := range b.users {
			if k.day < b.floor() {
				delete(b.users, k)
			}
		}
	}
	return day >= b.floor()
}

// Covers reports whether the Builder holds every row of day: a windowed
// Builder drops days older than its window for good.
func (b *Builder) Covers(day int64) bool {
	return b.window <= 0 || !b.seen || day >= b.floor()
}
