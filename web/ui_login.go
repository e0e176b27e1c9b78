package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

type loginPage struct{ Nonce, Next string }

// GET /login
func (s *server) uiLoginForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.sessions.read(r); ok {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "login", "Log in",
		loginPage{Nonce: s.sessions.loginNonce(w, r), Next: safeNext(r.URL.Query().Get("next"))})
}

// POST /login: the API token in exchange for a session cookie.
func (s *server) uiLogin(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	if !s.sessions.loginNonceValid(r, r.PostFormValue("login_csrf")) {
		http.Error(w, "invalid or missing CSRF token; reload the login page", http.StatusForbidden)
		return
	}
	client := s.proxies.client(r)
	if wait := s.throttle.wait(client); wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter(wait)))
		s.render(w, r, http.StatusTooManyRequests, "error", "Too many failed logins", errorPage{Title: "Too many failed logins",
			Message: fmt.Sprintf("Too many wrong tokens from your address: try again in %d s.", retryAfter(wait))})
		return
	}
	next := safeNext(r.PostFormValue("next"))
	if !tokensEqual(r.PostFormValue("token"), s.token) {
		s.throttle.failed(client)
		s.redirectWith(w, r, "/login?next="+urlQueryEscape(next), "Wrong token.", true)
		return
	}
	s.sessions.start(w, r)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// POST /logout
func (s *server) uiLogout(w http.ResponseWriter, r *http.Request) {
	s.sessions.end(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// parseForm reads a form post of at most maxBodyBytes. A larger one is 413
// (it used to surface as a missing CSRF token, since the token was never
// read); a malformed one is 400. It reports whether to go on.
func parseForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	err := r.ParseForm()
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		http.Error(w, "the form is larger than 1 MiB", http.StatusRequestEntityTooLarge)
		return false
	case err != nil:
		http.Error(w, "bad form", http.StatusBadRequest)
		return false
	}
	return true
}
