package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// tokensEqual compares in constant time. Hashing first makes the comparison
// independent of the lengths too, so timing reveals nothing about the token.
func tokensEqual(a, b string) bool {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}

// requireAPIAuth guards /api/v1. A script sends "Authorization: Bearer
// <token>". The UI's own scripts may use the session cookie instead; then a
// state-changing request must also carry the X-CSRF-Token header, which a
// cross-site page cannot read or set.
func (s *server) requireAPIAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := r.Header.Get("Authorization"); h != "" {
			client := s.proxies.client(r)
			if wait := s.throttle.wait(client); wait > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(retryAfter(wait)))
				s.sendJSON(w, r, http.StatusTooManyRequests, apiError{errorBody{"too_many_requests",
					fmt.Sprintf("too many wrong tokens from your address: try again in %d s", retryAfter(wait))}})
				return
			}
			scheme, tok, _ := strings.Cut(h, " ")
			if !strings.EqualFold(scheme, "Bearer") || !tokensEqual(strings.TrimSpace(tok), s.token) {
				s.throttle.failed(client)
				w.Header().Set("WWW-Authenticate", `Bearer realm="finpipe", error="invalid_token"`)
				s.sendJSON(w, r, http.StatusUnauthorized, apiError{errorBody{"unauthorized", "invalid bearer token"}})
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		if sess, ok := s.sessions.read(r); ok {
			if isSafeMethod(r.Method) || s.sessions.csrfValid(sess, r.Header.Get("X-CSRF-Token")) {
				next.ServeHTTP(w, r)
				return
			}
			s.sendJSON(w, r, http.StatusForbidden, apiError{errorBody{"forbidden", "missing or invalid X-CSRF-Token header"}})
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="finpipe"`)
		s.sendJSON(w, r, http.StatusUnauthorized, apiError{errorBody{"unauthorized", "send 'Authorization: Bearer <token>' (the token is in FINPIPE_API_TOKEN or <data dir>/api_token)"}})
	})
}

// requireLogin guards the UI pages: without a valid session cookie a GET is
// redirected to the login form; every other method must carry the form's
// CSRF token (field "csrf") or gets 403.
func (s *server) requireLogin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, ok := s.sessions.read(r)
		if !ok {
			if isSafeMethod(r.Method) {
				http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			http.Error(w, "not logged in", http.StatusUnauthorized)
			return
		}
		if !isSafeMethod(r.Method) {
			if !parseForm(w, r) {
				return
			}
			if !s.sessions.csrfValid(sess, r.PostFormValue("csrf")) {
				http.Error(w, "invalid or missing CSRF token; reload the page and try again", http.StatusForbidden)
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(withSession(r.Context(), sess)))
	})
}

func isSafeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}
