package produce

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/shopspring/decimal"

	"github.com/finpipe/finpipe/tasks/record"
)

// Message is one generated Kafka message.
type Message struct {
	Key, Value []byte
	Kind       Kind
	// Reason is the rule a KindBad message breaks (the first one that
	// record.Validate reports), "" for other kinds.
	Reason record.Reason
	// Tx is the transaction a valid, duplicate or late message carries.
	Tx record.Transaction
}

// Generator makes a reproducible stream of messages. It is not safe for
// concurrent use.
type Generator struct {
	opts     Options
	rng      *rand.Rand
	users    *rand.Zipf
	merchant *rand.Zipf
	country  *rand.Zipf
	// recent are valid transactions that duplicates re-send.
	recent   []record.Transaction
	recentAt int
	badSeq   int
	userIDs  []string
	// slab is where message values are encoded, so that a value costs no
	// allocation of its own; a full slab is left to the messages using it.
	slab []byte
}

const recentSize = 1024

// NewGenerator returns a generator for opts (which it does not validate;
// call opts.Validate first).
func NewGenerator(opts Options) *Generator {
	if opts.Users <= 0 {
		opts.Users = 10_000
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Wall == nil {
		opts.Wall = opts.Clock
	}
	rng := rand.New(rand.NewPCG(uint64(opts.Seed), 0x5eed_f1a9_0000_0001))
	return &Generator{
		opts:     opts,
		rng:      rng,
		users:    rand.NewZipf(rng, 1.1, 10, uint64(opts.Users-1)),
		merchant: rand.NewZipf(rng, 1.3, 2, uint64(len(merchants)-1)),
		country:  rand.NewZipf(rng, 1.5, 1, uint64(len(countries)-1)),
	}
}

// Next returns the next message.
func (g *Generator) Next() Message {
	u := g.rng.Float64()
	o := g.opts
	switch {
	case u < o.BadRatio:
		return g.bad()
	case u < o.BadRatio+o.DuplicateRatio && len(g.recent) > 0:
		tx := g.recent[g.rng.IntN(len(g.recent))]
		return Message{Key: []byte(tx.UserID), Value: g.encode(tx), Kind: KindDuplicate, Tx: tx}
	case u >= o.BadRatio+o.DuplicateRatio && u < o.BadRatio+o.DuplicateRatio+o.LateRatio:
		tx := g.transaction(g.opts.Clock().Add(-g.lateAge()))
		return Message{Key: []byte(tx.UserID), Value: g.encode(tx), Kind: KindLate, Tx: tx}
	}
	// Event times trail the clock by up to 30 s, as if in transit.
	tx := g.transaction(g.opts.Clock().Add(-time.Duration(g.rng.Int64N(int64(30 * time.Second)))))
	g.remember(tx)
	return Message{Key: []byte(tx.UserID), Value: g.encode(tx), Kind: KindValid, Tx: tx}
}

// The ages of late events, relative to the default allowed lateness (48 h)
// that clean judges them by: half arrive within it, from minutes to almost
// two days late (a card terminal that was offline), and are accepted into
// past dates of Silver and Gold; half arrive beyond it, up to 10 days late,
// and are rejected as late_event. So a demo shows both outcomes, and Gold
// has recent days besides today. The margins of 4 h keep each half on its
// side of the line when the watermark trails the clock (a backlog).
const (
	lateMargin   = 4 * time.Hour
	minLateAge   = 5 * time.Minute
	maxWithinAge = record.DefaultAllowedLateness - lateMargin
	minBeyondAge = record.DefaultAllowedLateness + lateMargin
	maxLateAge   = 10 * 24 * time.Hour
)

// lateAge draws how late a late event is: within or beyond the allowed
// lateness with equal odds, uniform in each range.
func (g *Generator) lateAge() time.Duration {
	lo, hi := minLateAge, maxWithinAge
	if g.rng.IntN(2) == 1 {
		lo, hi = minBeyondAge, maxLateAge
	}
	return lo + time.Duration(g.rng.Int64N(int64(hi-lo)))
}

// encode returns tx's JSON in the slab, capped so appends cannot spill over.
func (g *Generator) encode(tx record.Transaction) []byte {
	if cap(g.slab)-len(g.slab) < 512 {
		g.slab = make([]byte, 0, 64<<10)
	}
	start := len(g.slab)
	g.slab = tx.AppendJSON(g.slab)
	return g.slab[start:len(g.slab):len(g.slab)]
}

func (g *Generator) remember(tx record.Transaction) {
	if len(g.recent) < recentSize {
		g.recent = append(g.recent, tx)
		return
	}
	g.recent[g.recentAt] = tx
	g.recentAt = (g.recentAt + 1) % recentSize
}

// transaction makes a valid transaction at eventTime.
func (g *Generator) transaction(eventTime time.Time) record.Transaction {
	m := merchants[g.merchant.Uint64()]
	c := countries[g.country.Uint64()]
	return record.Transaction{
		TransactionID: g.uuid(),
		UserID:        g.user(g.users.Uint64()),
		Amount:        g.amount(m.typical*c.scale, zeroDecimalCurrencies[c.currency]),
		Currency:      c.currency,
		Merchant:      m.name,
		Category:      m.category,
		Country:       c.code,
		PaymentMethod: paymentMethods[g.rng.IntN(len(paymentMethods))],
		Status:        g.status(),
		EventTime:     eventTime.UTC().Truncate(time.Millisecond),
	}
}

// amount draws from a log-normal around typical, in whole cents (or whole
// units), at least the smallest unit and at most record.MaxAmount. The float
// only shapes the random draw; the amount is exact cents from there on.
func (g *Generator) amount(typical float64, whole bool) decimal.Decimal {
	v := typical * math.Exp(g.rng.NormFloat64()*0.6-0.18)
	if whole {
		return decimal.New(int64(max(1, math.Round(v))), 0)
	}
	cents := int64(max(1, math.Round(v*100)))
	return decimal.New(min(cents, 100_000_000_000), -2)
}

func (g *Generator) status() string {
	u := g.rng.Float64()
	for _, s := range statusWeights {
		if u < s.upTo {
			return s.status
		}
	}
	return record.StatusApproved
}

// uuid returns a random (version 4 layout) UUID from the seeded source.
func (g *Generator) uuid() string {
	const hexDigits = "0123456789abcdef"
	hi, lo := g.rng.Uint64(), g.rng.Uint64()
	hi = hi&^0xf000 | 0x4000         // version 4
	lo = lo&^(0xc<<60) | (0x8 << 60) // RFC 4122 variant
	var b [36]byte
	j := 0
	for i := 0; i < 32; i++ {
		if i == 8 || i == 12 || i == 16 || i == 20 {
			b[j] = '-'
			j++
		}
		word, shift := hi, 60-4*i
		if i >= 16 {
			word, shift = lo, 60-4*(i-16)
		}
		b[j] = hexDigits[(word>>shift)&0xf]
		j++
	}
	return string(b[:])
}

// user returns the id of user n, formatting each id once.
func (g *Generator) user(n uint64) string {
	if g.userIDs == nil {
		g.userIDs = make([]string, g.opts.Users)
	}
	if g.userIDs[n] == "" {
		g.userIDs[n] = fmt.Sprintf("user_%05d", n)
	}
	return g.userIDs[n]
}
