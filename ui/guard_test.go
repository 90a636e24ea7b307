package ui

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
)

func plainGet(t *testing.T, site *testSite, path string, mod func(*http.Request)) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", site.ts.URL+path, nil)
	if mod != nil {
		mod(req)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

// The page's static files hold no data: they load without the token (a
// browser cannot send a header when it opens an address), and set no
// cookie.
func TestStaticFilesLoadWithoutTheToken(t *testing.T) {
	site := newSite(t, Options{})
	for path, want := range map[string]string{"/": "text/html", "/index.html": "", "/app.js": "javascript", "/app.css": "text/css"} {
		res := plainGet(t, site, path, nil)
		if res.StatusCode != http.StatusOK && !(path == "/index.html" && res.StatusCode == http.StatusMovedPermanently) {
			t.Errorf("GET %s without the token = %d, want 200", path, res.StatusCode)
		}
		if ct := res.Header.Get("Content-Type"); !strings.Contains(ct, want) {
			t.Errorf("GET %s: Content-Type %q, want %q", path, ct, want)
		}
		if c := res.Header.Values("Set-Cookie"); len(c) > 0 {
			t.Errorf("GET %s sets a cookie: %q", path, c)
		}
	}
}

// Everything but the static files needs the token in its header: not in
// a cookie (a browser sends a host's cookies to every port of that host,
// so another server on 127.0.0.1 could collect it), not in the URL.
func TestAPINeedsTheTokenHeader(t *testing.T) {
	site := newSite(t, Options{})
	tok := site.s.Token()
	refused := map[string]func(*http.Request){
		"no token":               nil,
		"a wrong token":          func(r *http.Request) { r.Header.Set(TokenHeader, strings.Repeat("0", len(tok))) },
		"the token cut short":    func(r *http.Request) { r.Header.Set(TokenHeader, tok[:len(tok)-1]) },
		"the token and more":     func(r *http.Request) { r.Header.Set(TokenHeader, tok+"0") },
		"an empty token":         func(r *http.Request) { r.Header.Set(TokenHeader, "") },
		"the old cookie":         func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "sbimport_ui", Value: tok}) },
		"the token in the query": func(r *http.Request) { r.URL.RawQuery = "token=" + tok },
		"the token in another header": func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer "+tok)
		},
	}
	paths := []string{"/api/state", "/api/fields", "/api/events", "/api/output", "/api/results", "/api/nothing", "/favicon.ico", "/static/app.js"}
	for what, mod := range refused {
		for _, path := range paths {
			if res := plainGet(t, site, path, mod); res.StatusCode != http.StatusForbidden {
				t.Errorf("GET %s with %s = %d, want 403", path, what, res.StatusCode)
			}
		}
		req, _ := http.NewRequest("POST", site.ts.URL+"/api/format", strings.NewReader(`{}`))
		req.Header.Set("Origin", site.ts.URL)
		if mod != nil {
			mod(req)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("POST /api/format from the page's Origin with %s = %d, want 403", what, res.StatusCode)
		}
	}
	// Only reading the static files needs no token.
	req, _ := http.NewRequest("POST", site.ts.URL+"/", strings.NewReader(`{}`))
	req.Header.Set("Origin", site.ts.URL)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("POST / without the token = %d, want 403", res.StatusCode)
	}
	ok := func(r *http.Request) { r.Header.Set(TokenHeader, tok) }
	for path, want := range map[string]int{"/api/state": http.StatusOK, "/api/fields": http.StatusOK, "/api/events": http.StatusNotFound, "/api/output": http.StatusConflict} {
		if res := plainGet(t, site, path, ok); res.StatusCode != want {
			t.Errorf("GET %s with the token header = %d, want %d", path, res.StatusCode, want)
		}
	}
}

// The address sbimport ui prints carries the token in its fragment,
// which a browser sends to no server: what reaches the server is the bare
// page, with no cookie and no redirect.
func TestThePrintedAddressKeepsTheTokenInItsFragment(t *testing.T) {
	site := newSite(t, Options{})
	want := "http://" + site.s.host + "/#token=" + site.s.Token()
	if site.s.URL() != want {
		t.Fatalf("URL() = %q, want %q", site.s.URL(), want)
	}
	u, err := url.Parse(site.s.URL())
	if err != nil || u.RawQuery != "" || u.Fragment != "token="+site.s.Token() {
		t.Fatalf("URL() = %q (%v): the token must be the fragment, nothing in the query", site.s.URL(), err)
	}
	res := plainGet(t, site, site.s.URL()[len(site.ts.URL):], nil)
	if res.StatusCode != http.StatusOK || len(res.Header.Values("Set-Cookie")) > 0 {
		t.Fatalf("the printed address = %d, cookies %q; want the page, no cookie", res.StatusCode, res.Header.Values("Set-Cookie"))
	}
}

func TestHostMustBeTheBoundAddress(t *testing.T) {
	site := newSite(t, Options{})
	for _, host := range []string{"evil.example", "evil.example:" + site.ts.URL[strings.LastIndex(site.ts.URL, ":")+1:], "127.0.0.1:1"} {
		req, _ := http.NewRequest("GET", site.ts.URL+"/api/state", nil)
		req.Host = host
		res, err := site.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("Host %q = %d, want 403 (DNS rebinding)", host, res.StatusCode)
		}
	}
}

func TestWritesNeedThisPagesOrigin(t *testing.T) {
	site := newSite(t, Options{})
	for _, origin := range []string{"http://evil.example", "", "null", "https://" + site.s.host} {
		site.origin = origin
		res := site.do("POST", "/api/format", strings.NewReader(`{}`), "application/json")
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("POST with Origin %q = %d, want 403 (CSRF)", origin, res.StatusCode)
		}
	}
	site.origin = site.ts.URL
	if res := site.do("POST", "/api/format", strings.NewReader(`{}`), "application/json"); res.StatusCode != http.StatusConflict {
		t.Errorf("POST from the page with no sheet = %d, want 409", res.StatusCode)
	}
}

func TestSecurityHeadersOnEveryAnswer(t *testing.T) {
	site := newSite(t, Options{})
	for _, path := range []string{"/", "/app.js", "/app.css", "/api/state"} {
		res := site.do("GET", path, nil, "")
		csp := res.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("GET %s: CSP = %q", path, csp)
		}
		if res.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("GET %s: X-Frame-Options = %q", path, res.Header.Get("X-Frame-Options"))
		}
	}
	// Forbidden answers carry them too.
	if res := plainGet(t, site, "/api/state", nil); res.StatusCode != http.StatusForbidden || res.Header.Get("Content-Security-Policy") == "" {
		t.Error("a 403 has no CSP")
	}
	// The page itself has no inline script.
	b, _ := io.ReadAll(site.do("GET", "/", nil, "").Body)
	if regexp.MustCompile(`<script>|<script [^>]*>[^<]|\son[a-z]+=`).Match(b) {
		t.Errorf("index.html has inline script")
	}
}

func TestUploadOverTheLimitIs413WithAClearMessage(t *testing.T) {
	site := newSite(t, Options{MaxUpload: 1 << 20})
	big := make([]byte, 2<<20)
	res := site.upload("/api/sheet", "stor.csv", big)
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "larger than 1 MB") {
		t.Fatalf("upload over the limit = %d %s, want 413 naming the limit", res.StatusCode, b)
	}
	if res := site.upload("/api/sheet", "kunder.csv", kunderCSV(3)); res.StatusCode != http.StatusOK {
		t.Fatalf("a small upload = %d", res.StatusCode)
	}
}

func TestPrivateFolderRemovedAtClose(t *testing.T) {
	site := newSite(t, Options{})
	if res := site.upload("/api/sheet", "kunder.csv", kunderCSV(3)); res.StatusCode != http.StatusOK {
		t.Fatalf("upload = %d", res.StatusCode)
	}
	dir := site.s.Dir()
	st, err := os.Stat(dir)
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("private folder %v, %v; want mode 0700", st, err)
	}
	site.s.Close()
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("after Close the folder is still there: %v", err)
	}
}

func TestStartRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "example.com:0", "[::]:0"} {
		s, err := New(Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Start(addr); !errors.Is(err, ErrNotLoopback) {
			t.Errorf("Start(%q) = %v, want ErrNotLoopback", addr, err)
		}
		s.Close()
	}
	s, _ := New(Options{})
	defer s.Close()
	u, err := s.Start("127.0.0.1:0")
	if err != nil || !strings.HasPrefix(u, "http://127.0.0.1:") || !strings.HasSuffix(u, "/#token="+s.Token()) || strings.Contains(u, "?") {
		t.Fatalf("Start(127.0.0.1:0) = %q, %v", u, err)
	}
}

func TestUploadedNamesStayInTheirFolder(t *testing.T) {
	for in, want := range map[string]string{
		"../../etc/passwd":      "passwd",
		`C:\Users\Åsa\kund.csv`: "kund.csv",
		"..":                    "upload",
		"":                      "upload",
		"Kunder\x00\n.csv":      "Kunder.csv",
		"Kunder våren.xlsx":     "Kunder våren.xlsx",
	} {
		if got := cleanName(in); got != want {
			t.Errorf("cleanName(%q) = %q, want %q", in, got, want)
		}
	}
	site := newSite(t, Options{})
	var info sheetInfo
	res := site.upload("/api/sheet", "../../../kunder.csv", kunderCSV(2))
	if err := json.NewDecoder(res.Body).Decode(&info); err != nil || info.Name != "kunder.csv" {
		t.Fatalf("upload = %+v, %v", info, err)
	}
	if !strings.HasPrefix(site.s.st.sheet.path, site.s.Dir()+string(os.PathSeparator)) {
		t.Fatalf("stored at %s, outside %s", site.s.st.sheet.path, site.s.Dir())
	}
}
