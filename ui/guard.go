package ui

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
)

// TokenHeader carries the per-start token on every API request. The page
// reads the token from its address's fragment (never sent to a server)
// and keeps it in sessionStorage, which is scoped to this origin and port;
// no cookie is used, since a browser sends a host's cookies to every port
// of that host.
const TokenHeader = "X-Sbimport-Token"

// csp allows this origin's own files only: no inline script, no framing,
// and no worker of any kind (worker-src would otherwise fall back to
// script-src 'self'): a service worker would outlive the program and see
// the next start's address, token and all.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"worker-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// publicFiles are the page's static files: they hold no data, so they are
// served without the token (the page cannot send a header when the
// browser loads it). Everything else needs the token header.
var publicFiles = map[string]bool{"/": true, "/index.html": true, "/app.js": true, "/app.css": true}

// guard checks every request: the Host (DNS rebinding), the token header
// on everything but the static files, and the Origin of every request
// that changes something (CSRF). Every answer carries the security
// headers.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		if !s.hostOK(r.Host) {
			http.Error(w, "Forbidden: this page answers only at "+s.host+".", http.StatusForbidden)
			return
		}
		public := safeMethod(r.Method) && publicFiles[r.URL.Path]
		if !public && !s.tokenOK(r.Header.Values(TokenHeader)) {
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

// tokenOK: exactly one token header, and it is this start's token.
func (s *Server) tokenOK(vals []string) bool {
	return len(vals) == 1 && vals[0] != "" && subtle.ConstantTimeCompare([]byte(vals[0]), []byte(s.token)) == 1
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
