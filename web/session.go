package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Sessions are signed cookies: the cookie holds an expiry and a random
// nonce, signed with a key derived from the API token, so any number of web
// processes sharing the token accept each other's cookies with no session
// table, and changing the token logs everybody out. Logging out revokes the
// cookie's nonce in the server's memory until the cookie would have expired,
// so a copied cookie is useless after logout on that web process (several
// web processes behind one address each keep their own list: log out where
// you logged in, or change the token to end every session).
const (
	sessionCookie = "finpipe_session"
	loginCookie   = "finpipe_login" // double-submit CSRF for the login form
	sessionTTL    = 12 * time.Hour
)

type session struct {
	nonce string
	exp   int64 // Unix seconds
}

type sessions struct {
	key    []byte
	now    func() time.Time
	secure func(*http.Request) bool // the request came over HTTPS: cookies get the Secure flag

	mu      sync.Mutex
	revoked map[string]int64 // nonce → expiry (Unix seconds) of logged-out sessions
}

func newSessions(token string, secure func(*http.Request) bool) *sessions {
	k := sha256.Sum256([]byte("finpipe-session-v1\x00" + token))
	if secure == nil {
		secure = func(r *http.Request) bool { return r.TLS != nil }
	}
	return &sessions{key: k[:], now: time.Now, secure: secure, revoked: map[string]int64{}}
}

func (s *sessions) sign(parts ...string) string {
	m := hmac.New(sha256.New, s.key)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func randomString() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b) // never fails on Linux; a short read would only weaken one nonce
	return base64.RawURLEncoding.EncodeToString(b)
}

// start sets a new session cookie on w.
func (s *sessions) start(w http.ResponseWriter, r *http.Request) {
	exp := strconv.FormatInt(s.now().Add(sessionTTL).Unix(), 10)
	nonce := randomString()
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: exp + "." + nonce + "." + s.sign("session", exp, nonce),
		Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secure(r),
		MaxAge: int(sessionTTL.Seconds()),
	})
}

// end revokes the request's session and clears its cookie.
func (s *sessions) end(w http.ResponseWriter, r *http.Request) {
	if sess, ok := s.read(r); ok {
		now := s.now().Unix()
		s.mu.Lock()
		for n, exp := range s.revoked { // drop entries whose cookies have expired anyway
			if exp < now {
				delete(s.revoked, n)
			}
		}
		s.revoked[sess.nonce] = sess.exp
		s.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secure(r)})
}

// read returns the request's session when its cookie is present, correctly
// signed and not expired.
func (s *sessions) read(r *http.Request) (session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return session{}, false
	}
	parts := strings.Split(c.Value, ".")
	if len(parts) != 3 || !hmac.Equal([]byte(parts[2]), []byte(s.sign("session", parts[0], parts[1]))) {
		return session{}, false
	}
	exp, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || s.now().Unix() > exp {
		return session{}, false
	}
	s.mu.Lock()
	_, revoked := s.revoked[parts[1]]
	s.mu.Unlock()
	if revoked {
		return session{}, false
	}
	return session{nonce: parts[1], exp: exp}, true
}

// csrfToken is the token a session's forms carry: bound to the session, so
// a token leaked from one session is useless in another.
func (s *sessions) csrfToken(sess session) string { return s.sign("csrf", sess.nonce) }

func (s *sessions) csrfValid(sess session, tok string) bool {
	return tok != "" && hmac.Equal([]byte(tok), []byte(s.csrfToken(sess)))
}

// loginNonce returns the login form's CSRF value, setting its cookie when
// missing. The form posts it back; a cross-site form cannot read the cookie.
func (s *sessions) loginNonce(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(loginCookie); err == nil && len(c.Value) >= 16 {
		return c.Value
	}
	v := randomString()
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: v, Path: "/login", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.secure(r)})
	return v
}

func (s *sessions) loginNonceValid(r *http.Request, posted string) bool {
	c, err := r.Cookie(loginCookie)
	return err == nil && posted != "" && hmac.Equal([]byte(c.Value), []byte(posted))
}

type sessionKey struct{}

func withSession(ctx context.Context, sess session) context.Context {
	return context.WithValue(ctx, sessionKey{}, sess)
}

// sessionFrom returns the logged-in session that requireLogin stored.
func sessionFrom(ctx context.Context) (session, bool) {
	sess, ok := ctx.Value(sessionKey{}).(session)
	return sess, ok
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
