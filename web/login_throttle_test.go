package web

import (
	"net/netip"
	"testing"
	"time"
)

// The budget refills at one failure per Every; IPv6 clients share a /64.
func TestLoginThrottleRefills(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	lt := newLoginThrottle(LoginThrottle{Burst: 2, Every: 10 * time.Second})
	lt.now = func() time.Time { return now }
	a := netip.MustParseAddr("2001:db8::1")
	lt.failed(a)
	lt.failed(netip.MustParseAddr("2001:db8::2"))
	if w := lt.wait(a); w != 10*time.Second {
		t.Fatalf("after 2 failures in one /64: wait %s, want 10s", w)
	}
	if w := lt.wait(netip.MustParseAddr("2001:db8:1::1")); w != 0 {
		t.Fatalf("another /64 waits %s", w)
	}
	now = now.Add(4 * time.Second)
	if w := lt.wait(a); w != 6*time.Second || retryAfter(w) != 6 {
		t.Fatalf("4 s later: wait %s", w)
	}
	now = now.Add(6 * time.Second)
	if w := lt.wait(a); w != 0 {
		t.Fatalf("10 s later: wait %s", w)
	}
}
