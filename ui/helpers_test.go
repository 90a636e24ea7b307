package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sbimport/sbimport/sandbox"
)

// testSite is a Server behind httptest, with a client that sends what
// the page sends: the token header, and its Origin on writes.
type testSite struct {
	t      *testing.T
	s      *Server
	ts     *httptest.Server
	c      *http.Client
	origin string
	token  string         // sent in TokenHeader; "" = none
	seen   []seenResponse // every response, for the secret scans
}

type seenResponse struct {
	what   string
	header http.Header
	body   []byte
}

func newSite(t *testing.T, opts Options) *testSite {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	s.SetHost(ts.Listener.Addr().String())
	site := &testSite{t: t, s: s, ts: ts, c: &http.Client{Timeout: 60 * time.Second}, origin: ts.URL, token: s.Token()}
	t.Cleanup(func() { ts.Close(); s.Close() })
	return site
}

// do sends a request as the page would (Origin set on writes) and keeps
// the response.
func (site *testSite) do(method, path string, body io.Reader, contentType string) *http.Response {
	site.t.Helper()
	req, err := http.NewRequest(method, site.ts.URL+path, body)
	if err != nil {
		site.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if method != "GET" {
		req.Header.Set("Origin", site.origin)
	}
	if site.token != "" {
		req.Header.Set(TokenHeader, site.token)
	}
	res, err := site.c.Do(req)
	if err != nil {
		site.t.Fatalf("%s %s: %v", method, path, err)
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		site.t.Fatalf("%s %s: reading the body: %v", method, path, err)
	}
	res.Body = io.NopCloser(bytes.NewReader(b))
	site.seen = append(site.seen, seenResponse{what: method + " " + path, header: res.Header.Clone(), body: b})
	return res
}

// json sends v and decodes the answer into out, failing unless the status
// is want.
func (site *testSite) json(method, path string, v any, want int, out any) {
	site.t.Helper()
	var body io.Reader
	if v != nil {
		b, _ := json.Marshal(v)
		body = bytes.NewReader(b)
	}
	res := site.do(method, path, body, "application/json")
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		site.t.Fatalf("%s %s = %d, want %d: %s", method, path, res.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			site.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
}

func (site *testSite) upload(path, name string, data []byte) *http.Response {
	site.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	return site.do("POST", path, &buf, mw.FormDataContentType())
}

// kunderCSV is a semicolon CSV with Swedish headers: n customers, row 3
// with a broken e-mail, and the last row a duplicate of the first.
func kunderCSV(n int) []byte {
	var b strings.Builder
	b.WriteString("Förnamn;Efternamn;E-post;Mobil;Företag\n")
	for i := 1; i <= n; i++ {
		email := fmt.Sprintf("kund%d@exempel.se", i)
		if i == 2 {
			email = "kund2(at)exempel.se"
		}
		fmt.Fprintf(&b, "Åsa%d;Öberg;%s;070-123 45 %02d;Älvbolaget %d AB\n", i, email, i%100, i)
	}
	fmt.Fprintf(&b, "Åsa1;Öberg;kund1@exempel.se;070-123 45 01;Älvbolaget 1 AB\n")
	return []byte(b.String())
}

// quoteDraft is the mapping a person builds for kunderCSV in the page.
func quoteDraft() map[string]any {
	return map[string]any{"draft": map[string]any{
		"endpoint": "quote", "key": "E-post",
		"fields": map[string]any{
			"quote_profile_id": map[string]string{"value": "115"}, "send_type": map[string]string{"value": "email"},
			"signable": map[string]string{"value": "true"}, "workflows_enabled": map[string]string{"value": "false"},
			"allow_customer_document_upload": map[string]string{"value": "false"},
			"customer_name":                  map[string]string{"combine": "{Förnamn} {Efternamn}"},
			"customer_email":                 map[string]string{"column": "E-post"},
			"customer_phone":                 map[string]string{"column": "Mobil"},
			"customer_company":               map[string]string{"column": "Företag"},
		},
	}}
}

func with(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// waitDone follows the event stream until the run is done; the stream
// itself is kept among the responses.
func (site *testSite) waitDone() progress {
	site.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		res := site.do("GET", "/api/events", nil, "")
		b, _ := io.ReadAll(res.Body)
		if i := bytes.LastIndex(b, []byte("event: done\ndata: ")); i >= 0 {
			var p progress
			line := b[i+len("event: done\ndata: "):]
			if err := json.Unmarshal(bytes.TrimSpace(line), &p); err != nil {
				site.t.Fatalf("done event: %v: %s", err, line)
			}
			return p
		}
	}
	site.t.Fatal("the run did not finish within 2 minutes")
	return progress{}
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// productionSandbox is a sandbox standing in for SalesByte's production
// server, on loopback; it is closed when the test ends.
func productionSandbox(t *testing.T, opts sandbox.Options) (*sandbox.Server, string) {
	t.Helper()
	box, err := sandbox.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	url, err := box.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { box.Close() })
	return box, url
}
