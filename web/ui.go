package web

import (
	"net/http"
	"net/url"
)

// flashCookie carries a one-line message across the redirect that follows
// every form post (post/redirect/get). A cookie rather than a query
// parameter, so nobody can craft a link that shows a message of their own.
const flashCookie = "finpipe_flash"

// redirectWith sends the browser to target after a form post, with a
// message shown once on the next page; isErr styles it as an error.
func (s *server) redirectWith(w http.ResponseWriter, r *http.Request, target, msg string, isErr bool) {
	if msg != "" {
		kind := "i"
		if isErr {
			kind = "e"
		}
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(kind + msg), Path: "/",
			MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.sessions.secure(r)})
	}
	http.Redirect(w, r, safeNext(target), http.StatusSeeOther)
}

// takeFlash reads and clears the flash message (full page renders only).
func (s *server) takeFlash(w http.ResponseWriter, r *http.Request) (msg string, isErr bool) {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return "", false
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.sessions.secure(r)})
	v, err := url.QueryUnescape(c.Value)
	if err != nil || v == "" {
		return "", false
	}
	return v[1:], v[0] == 'e'
}

// actionDone finishes a UI form post: back to the form's "next" page (or
// fallback) with either the error's message or ok.
func (s *server) actionDone(w http.ResponseWriter, r *http.Request, fallback, ok string, err error) {
	target := r.PostFormValue("next")
	if target == "" {
		target = fallback
	}
	if err != nil {
		s.logIfInternal(r, err)
		_, _, msg := statusOf(err)
		s.redirectWith(w, r, target, msg, true)
		return
	}
	s.redirectWith(w, r, target, ok, false)
}

type errorPage struct{ Title, Message string }

// uiError renders a page for a failed GET: 404 for unknown ids, 400 for bad
// parameters, 500 (logged, without detail) otherwise.
func (s *server) uiError(w http.ResponseWriter, r *http.Request, err error) {
	s.logIfInternal(r, err)
	status, _, msg := statusOf(err)
	title := http.StatusText(status)
	s.render(w, r, status, "error", title, errorPage{Title: title, Message: msg})
}
