package ui

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
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

func TestTokenIsNeededOnEveryRequest(t *testing.T) {
	site := newSite(t, Options{})
	for _, path := range []string{"/", "/app.js", "/api/state", "/api/fields", "/api/events", "/api/output"} {
		if res := plainGet(t, site, path, nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("GET %s without the cookie = %d, want 403", path, res.StatusCode)
		}
		res := plainGet(t, site, path, func(r *http.Request) { r.AddCookie(&http.Cookie{Name: cookieName, Value: strings.Repeat("0", 48)}) })
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("GET %s with a wrong cookie = %d, want 403", path, res.StatusCode)
		}
	}
	if res := plainGet(t, site, "/?token=wrong", nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("a wrong token = %d, want 403", res.StatusCode)
	}
	// The right token sets the cookie and leads to an address without it.
	res := plainGet(t, site, "/?token="+site.s.Token(), nil)
	if res.StatusCode != http.StatusSeeOther || strings.Contains(res.Header.Get("Location"), "token") {
		t.Fatalf("the token URL = %d to %q, want 303 to an address without the token", res.StatusCode, res.Header.Get("Location"))
	}
	var c *http.Cookie
	for _, k := range res.Cookies() {
		if k.Name == cookieName {
			c = k
		}
	}
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
		t.Fatalf("cookie = %+v, want an HttpOnly SameSite=Strict one", c)
	}
	if res := plainGet(t, site, "/api/state", func(r *http.Request) { r.AddCookie(c) }); res.StatusCode != http.StatusOK {
		t.Errorf("GET /api/state with the cookie = %d", res.StatusCode)
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
	if res := plainGet(t, site, "/", nil); res.Header.Get("Content-Security-Policy") == "" {
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
	if err != nil || !strings.HasPrefix(u, "http://127.0.0.1:") || !strings.Contains(u, "/?token="+s.Token()) {
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
