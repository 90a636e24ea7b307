package ui

import (
	"net/http"
	"strings"
	"testing"
)

// A page on another origin must not get the browser to send the token
// header: a custom header needs a CORS preflight, which is refused, with
// no Access-Control-Allow-* header, even when it carries the token.
func TestPreflightFromAnotherOriginIsRefused(t *testing.T) {
	site := newSite(t, Options{})
	for _, withToken := range []bool{false, true} {
		for _, path := range []string{"/", "/api/state", "/api/send", "/api/events", "/api/output"} {
			req, _ := http.NewRequest(http.MethodOptions, site.ts.URL+path, nil)
			req.Header.Set("Origin", "http://evil.example")
			req.Header.Set("Access-Control-Request-Method", "POST")
			req.Header.Set("Access-Control-Request-Headers", strings.ToLower(TokenHeader)+",content-type")
			if withToken {
				req.Header.Set(TokenHeader, site.token)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode < 400 {
				t.Errorf("OPTIONS %s (token %v) = %d, want a refusal", path, withToken, res.StatusCode)
			}
			for k := range res.Header {
				if strings.HasPrefix(strings.ToLower(k), "access-control-") {
					t.Errorf("OPTIONS %s (token %v) answers %s: %q", path, withToken, k, res.Header.Values(k))
				}
			}
		}
	}
	// Nor does any ordinary answer open itself to other origins.
	site.origin = "http://evil.example"
	for _, path := range []string{"/", "/app.js", "/api/state", "/api/fields"} {
		res := site.do("GET", path, nil, "")
		for k := range res.Header {
			if strings.HasPrefix(strings.ToLower(k), "access-control-") {
				t.Errorf("GET %s answers %s: %q", path, k, res.Header.Values(k))
			}
		}
	}
}

// The token header given twice (however the second is got there) is
// refused, whichever copy is right: one request, one token.
func TestTokenHeaderGivenTwiceIsRefused(t *testing.T) {
	site := newSite(t, Options{})
	tok := site.s.Token()
	for what, vals := range map[string][]string{
		"right then wrong": {tok, "0"},
		"wrong then right": {"0", tok},
		"right twice":      {tok, tok},
		"empty then right": {"", tok},
	} {
		res := plainGet(t, site, "/api/state", func(r *http.Request) {
			for _, v := range vals {
				r.Header.Add(TokenHeader, v)
			}
		})
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("the token header %s = %d, want 403", what, res.StatusCode)
		}
	}
}

// No script of this origin can start a worker, a service worker above
// all (one would outlive the program and see the next start's address):
// the policy that governs workers (worker-src, else child-src, else
// script-src, else default-src) is 'none'. Other origins may neither
// open this page as a popup they can reach nor embed its answers.
func TestNoWorkersAndNoCrossOriginReach(t *testing.T) {
	site := newSite(t, Options{})
	for _, path := range []string{"/", "/app.js", "/api/state"} {
		res := site.do("GET", path, nil, "")
		dirs := map[string]string{}
		for _, d := range strings.Split(res.Header.Get("Content-Security-Policy"), ";") {
			name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
			if _, dup := dirs[name]; name != "" && !dup {
				dirs[name] = strings.TrimSpace(value)
			}
		}
		worker := ""
		for _, d := range []string{"worker-src", "child-src", "script-src", "default-src"} {
			if v, ok := dirs[d]; ok {
				worker = v
				break
			}
		}
		if worker != "'none'" {
			t.Errorf("GET %s: workers are governed by %q, want 'none'", path, worker)
		}
		if got := res.Header.Get("Cross-Origin-Opener-Policy"); got != "same-origin" {
			t.Errorf("GET %s: Cross-Origin-Opener-Policy = %q, want same-origin", path, got)
		}
		if got := res.Header.Get("Cross-Origin-Resource-Policy"); got != "same-origin" {
			t.Errorf("GET %s: Cross-Origin-Resource-Policy = %q, want same-origin", path, got)
		}
	}
}
