package ui

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
)

const cookieName = "sbimport_ui"

// csp allows this origin's own files only: no inline script, no framing.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// guard checks every request: the Host (DNS rebinding), the token (from
// the first URL, then the cookie), and the Origin of every request that
// changes something (CSRF). Every answer carries the security headers.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		if !s.hostOK(r.Host) {
			http.Error(w, "Forbidden: this page answers only at "+s.host+".", http.StatusForbidden)
			return
		}
		if tok := r.URL.Query().Get("token"); tok != "" && r.Method == http.MethodGet {
			s.takeToken(w, r, tok)
			return
		}
		if !s.cookieOK(r) {
			http.Error(w, "Forbidden: open the address sbimport ui printed (it holds the access token).", http.StatusForbidden)
			return
		}
		if !safeMethod(r.Method) && !s.originOK(r) {
			http.Error(w, "Forbidden: this request did not come from the sbimport page.", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func safeMethod(m string) bool { return m == http.MethodGet || m == http.MethodHead }

// takeToken sets the cookie from the first URL and redirects to the same
// address without the token, so it is not left in the address bar or the
// history.
func (s *Server) takeToken(w http.ResponseWriter, r *http.Request, tok string) {
	if !s.tokenOK(tok) {
		http.Error(w, "Forbidden: this access token is not this run's; open the address sbimport ui printed last.", http.StatusForbidden)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: s.token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
	u := *r.URL
	q := u.Query()
	q.Del("token")
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
}

func (s *Server) tokenOK(tok string) bool {
	return subtle.ConstantTimeCompare([]byte(tok), []byte(s.token)) == 1
}

func (s *Server) cookieOK(r *http.Request) bool {
	c, err := r.Cookie(cookieName)
	return err == nil && s.tokenOK(c.Value)
}

// hostOK: the Host must be the address bound, by IP or as localhost.
func (s *Server) hostOK(host string) bool {
	if strings.EqualFold(host, s.host) {
		return true
	}
	if i := strings.LastIndex(s.host, ":"); i >= 0 {
		return strings.EqualFold(host, "localhost"+s.host[i:])
	}
	return false
}

// originOK: a request that changes something must come from this page.
func (s *Server) originOK(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return false
	}
	u, err := url.Parse(o)
	return err == nil && u.Scheme == "http" && s.hostOK(u.Host) && u.Path == ""
}
