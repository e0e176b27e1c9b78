package web

import (
	"net/http"
	"net/netip"
	"strings"
)

// proxies are the reverse proxies whose X-Forwarded-* headers the server
// believes (Options.TrustedProxies). Anyone can send those headers, so they
// count only when the connection itself comes from one of these addresses.
type proxies []netip.Prefix

func (p proxies) contains(a netip.Addr) bool {
	a = a.Unmap()
	for _, pr := range p {
		if pr.Contains(a) {
			return true
		}
	}
	return false
}

// peer is the address of the connection's other end.
func peer(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

// secure reports whether the browser reached us over HTTPS: directly, or
// through a trusted TLS-terminating proxy that says so in
// X-Forwarded-Proto. Cookies then carry the Secure flag.
func (p proxies) secure(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	if !p.contains(peer(r)) {
		return false
	}
	proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	return strings.EqualFold(strings.TrimSpace(proto), "https")
}

// client is the address failed logins are counted against: the peer, or,
// when the peer is a trusted proxy, the nearest address in X-Forwarded-For
// that is not one (each proxy appends the address it saw; entries further
// left were written by the client and could be anything).
func (p proxies) client(r *http.Request) netip.Addr {
	a := peer(r)
	if !p.contains(a) {
		return a
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		h, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return a // a malformed hop: count against the proxy rather than trust what is left of it
		}
		if a = h.Unmap(); !p.contains(a) {
			return a
		}
	}
	return a
}
