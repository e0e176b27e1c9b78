package web

import "net/http"

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
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	if !s.sessions.loginNonceValid(r, r.PostFormValue("login_csrf")) {
		http.Error(w, "invalid or missing CSRF token; reload the login page", http.StatusForbidden)
		return
	}
	next := safeNext(r.PostFormValue("next"))
	if !tokensEqual(r.PostFormValue("token"), s.token) {
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
