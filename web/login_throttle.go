package web

import (
	"math"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// LoginThrottle limits failed logins (a wrong token on the login form or
// in an API bearer header) per client address: Burst failures at once,
// then one more every Every. While a client is over it, every login
// attempt from it, right or wrong, is answered 429 with Retry-After, so
// that guessing cannot go on at full speed and a correct guess is not
// told apart. Zero fields take the defaults: 5 and 12 s (300 tries an
// hour, against tokens of at least 16 random characters).
type LoginThrottle struct {
	Burst int
	Every time.Duration
}

// maxThrottled bounds the table: past it, clients whose budget has refilled
// are forgotten (they would start afresh anyway).
const maxThrottled = 10000

// loginThrottle is the server's table of failure budgets, one token bucket
// (x/time/rate) per client; IPv6 clients are grouped by /64, the block one
// host usually holds.
type loginThrottle struct {
	mu    sync.Mutex
	by    map[netip.Addr]*rate.Limiter
	burst int
	every time.Duration
	now   func() time.Time
}

func newLoginThrottle(o LoginThrottle) *loginThrottle {
	t := &loginThrottle{by: map[netip.Addr]*rate.Limiter{}, burst: o.Burst, every: o.Every, now: time.Now}
	if t.burst <= 0 {
		t.burst = 5
	}
	if t.every <= 0 {
		t.every = 12 * time.Second
	}
	return t
}

func throttleKey(a netip.Addr) netip.Addr {
	if a.Is6() {
		if p, err := a.Prefix(64); err == nil {
			return p.Addr()
		}
	}
	return a
}

// wait is how long the client must wait before its next attempt; 0 when it
// may try now.
func (t *loginThrottle) wait(a netip.Addr) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	lim := t.by[throttleKey(a)]
	if lim == nil {
		return 0
	}
	tokens := lim.TokensAt(t.now())
	if tokens >= 1 {
		return 0
	}
	return time.Duration(math.Ceil((1 - tokens) * float64(t.every)))
}

// failed spends one of the client's failures.
func (t *loginThrottle) failed(a netip.Addr) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now, k := t.now(), throttleKey(a)
	lim := t.by[k]
	if lim == nil {
		if len(t.by) >= maxThrottled {
			for key, l := range t.by {
				if l.TokensAt(now) >= float64(t.burst) {
					delete(t.by, key)
				}
			}
		}
		lim = rate.NewLimiter(rate.Every(t.every), t.burst)
		t.by[k] = lim
	}
	lim.AllowN(now, 1)
}

// retryAfter is a Retry-After value: whole seconds, at least 1.
func retryAfter(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}
