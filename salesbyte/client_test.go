package salesbyte

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const testUUID = "7f3c2a9e-1b4d-4e8f-9a6b-0c5d7e8f9a1b"

func newTestClient(t *testing.T, url string, hc *http.Client) *Client {
	t.Helper()
	c, err := NewClient(url, NewSecret(testUUID+"\n"), hc)
	if err != nil {
		t.Fatalf("NewClient(%q): %v", url, err)
	}
	return c
}

// recorder is a server that remembers each request's body and headers.
type recorder struct {
	mu      sync.Mutex
	bodies  []map[string]any
	headers []http.Header
	paths   []string
	methods []string
}

func (r *recorder) record(req *http.Request) map[string]any {
	raw, _ := io.ReadAll(req.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bodies = append(r.bodies, m)
	r.headers = append(r.headers, req.Header.Clone())
	r.paths = append(r.paths, req.URL.Path)
	r.methods = append(r.methods, req.Method)
	return m
}

// snapshot returns what was recorded so far, under the lock.
func (r *recorder) snapshot() (bodies []map[string]any, headers []http.Header, paths, methods []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]map[string]any(nil), r.bodies...), append([]http.Header(nil), r.headers...),
		append([]string(nil), r.paths...), append([]string(nil), r.methods...)
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.bodies)
}

func serve(t *testing.T, h func(w http.ResponseWriter, r *http.Request, body map[string]any)) (*httptest.Server, *recorder) {
	t.Helper()
	rec := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h(w, r, rec.record(r))
	}))
	t.Cleanup(srv.Close)
	return srv, rec
}

func TestCreateSuccessShapes(t *testing.T) {
	links := `{"edit":"https://app.salesbyte.se/offerter/123/redigera","customer_view":"https://app.salesbyte.se/view/abc123","customer_verificate":"https://app.salesbyte.se/signed/abc123","customer_project_approval":"https://app.salesbyte.se/view/abc123?project_approval=1"}`
	tests := []struct {
		name   string
		status int
		ctype  string
		body   string
		want   Created
	}{
		{"json 201", 201, "application/json", `{"id":123,"links":` + links + `}`, Created{ID: 123, Status: 201, Links: Links{
			Edit: "https://app.salesbyte.se/offerter/123/redigera", CustomerView: "https://app.salesbyte.se/view/abc123",
			CustomerVerificate: "https://app.salesbyte.se/signed/abc123", ProjectApproval: "https://app.salesbyte.se/view/abc123?project_approval=1"}}},
		{"json 200 links", 200, "application/json", `{"id": 9, "links": {"customer_view": "https://x.se/view/k9"}}`, Created{ID: 9, Status: 200, Links: Links{CustomerView: "https://x.se/view/k9"}}},
		{"id as text", 200, "application/json", `{"id":"77"}`, Created{ID: 77, Status: 200}},
		{"plain text", 200, "text/plain", "Quote created", Created{Status: 200, Body: "Quote created"}},
		{"empty 204", 204, "", "", Created{Status: 204}},
		{"json without id", 202, "application/json", `{"status":"queued"}`, Created{Status: 202, Body: `{"status":"queued"}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request, _ map[string]any) {
				if tt.ctype != "" {
					w.Header().Set("Content-Type", tt.ctype)
				}
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			})
			got, err := newTestClient(t, srv.URL, nil).Create(context.Background(), Template, validTemplate())
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v; want %+v", got, tt.want)
			}
		})
	}
}

func TestCreateRequest(t *testing.T) {
	srv, rec := serve(t, func(w http.ResponseWriter, r *http.Request, _ map[string]any) {
		w.WriteHeader(201)
		_, _ = io.WriteString(w, `{"id":1}`)
	})
	body := validQuote()
	c := newTestClient(t, srv.URL+"/", nil)
	for _, e := range Endpoints {
		if _, err := c.Create(context.Background(), e, body); err != nil {
			t.Fatalf("Create(%s): %v", e, err)
		}
	}
	if _, ok := body["uuid"]; ok {
		t.Error("Create added uuid to the caller's map")
	}
	bodies, headers, paths, methods := rec.snapshot()
	wantPaths := []string{"/integrations/create_brandawareness", "/integrations/create_quote", "/integrations/create_quote/template"}
	for i, h := range headers {
		if methods[i] != http.MethodPost || paths[i] != wantPaths[i] {
			t.Errorf("request %d: %s %s; want POST %s", i, methods[i], paths[i], wantPaths[i])
		}
		if h.Get("Content-Type") != "application/json" || h.Get("Accept") != "application/json" {
			t.Errorf("request %d: Content-Type %q Accept %q; want application/json both", i, h.Get("Content-Type"), h.Get("Accept"))
		}
		if h.Get("User-Agent") != "sbimport/"+Version {
			t.Errorf("request %d: User-Agent %q", i, h.Get("User-Agent"))
		}
		if h.Get("Idempotency-Key") != "" || h.Get("X-Idempotency-Key") != "" {
			t.Errorf("request %d carries an idempotency key header: net/http would replay the POST", i)
		}
		if h.Get("Authorization") != "" {
			t.Errorf("request %d carries an Authorization header", i)
		}
		if bodies[i]["uuid"] != testUUID {
			t.Errorf("request %d body uuid = %v; want the trimmed uuid", i, bodies[i]["uuid"])
		}
		if bodies[i]["customer_name"] != "Support" || bodies[i]["quote_profile_id"] != 115.0 {
			t.Errorf("request %d body lost fields: %v", i, bodies[i])
		}
	}
}

func TestCreateNeverLeaksUUID(t *testing.T) {
	echo := func(status int, laravel bool) func(w http.ResponseWriter, r *http.Request, body map[string]any) {
		return func(w http.ResponseWriter, r *http.Request, body map[string]any) {
			raw, _ := json.Marshal(body)
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Location", "https://evil.example/"+testUUID)
			w.WriteHeader(status)
			if laravel {
				_ = json.NewEncoder(w).Encode(map[string]any{
					"message": "Bad request for " + testUUID,
					"errors":  map[string][]string{"uuid": {"uuid " + testUUID + " is odd"}, testUUID: {"echo: " + string(raw)}},
				})
				return
			}
			_, _ = fmt.Fprintf(w, "got uuid=%s; %s", body["uuid"], raw)
		}
	}
	tests := []struct {
		name    string
		status  int
		laravel bool
	}{
		{"422 laravel echo", 422, true},
		{"422 raw echo", 422, false},
		{"500 raw echo", 500, false},
		{"500 laravel echo", 500, true},
		{"302 redirect with uuid", 302, false},
		{"404", 404, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, rec := serve(t, echo(tt.status, tt.laravel))
			_, err := newTestClient(t, srv.URL, nil).Create(context.Background(), Quote, validQuote())
			if err == nil {
				t.Fatal("Create succeeded; want an error")
			}
			if bodies, _, _, _ := rec.snapshot(); bodies[0]["uuid"] != testUUID {
				t.Fatalf("the server did not get the uuid: %v", bodies[0])
			}
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not *Error", err)
			}
			assertNoUUID(t, err, se)
			if !strings.Contains(err.Error(), "[redacted]") && tt.status != 404 {
				t.Errorf("Error() = %q; want the echoed uuid shown as [redacted]", err.Error())
			}
		})
	}
	t.Run("uuid across the truncation point", func(t *testing.T) {
		srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request, body map[string]any) {
			w.WriteHeader(500)
			_, _ = fmt.Fprintf(w, "%s%s", strings.Repeat("x", maxBodyText-5), body["uuid"])
		})
		_, err := newTestClient(t, srv.URL, nil).Create(context.Background(), Quote, validQuote())
		if strings.Contains(err.Error(), testUUID[:5]) {
			t.Errorf("a piece of the uuid leaked: %q", err.Error()[len(err.Error())-30:])
		}
	})
	t.Run("200 text echo", func(t *testing.T) {
		srv, _ := serve(t, echo(200, false))
		got, err := newTestClient(t, srv.URL, nil).Create(context.Background(), Quote, validQuote())
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(fmt.Sprintf("%+v", got), testUUID) || !strings.Contains(got.Body, "[redacted]") {
			t.Errorf("Created leaks or lost the scrub: %+v", got)
		}
	})
}

func assertNoUUID(t *testing.T, err error, se *Error) {
	t.Helper()
	texts := []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", se), se.Message, se.FieldsText()}
	for k, v := range se.Fields {
		texts = append(texts, k, strings.Join(v, " "))
	}
	for e := error(se); e != nil; e = errors.Unwrap(e) {
		texts = append(texts, e.Error())
	}
	for _, s := range texts {
		if strings.Contains(s, testUUID) {
			t.Errorf("the uuid leaked into %q", s)
		}
	}
}

func TestCreateRejected422(t *testing.T) {
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request, _ map[string]any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(422)
		_, _ = io.WriteString(w, `{"message":"The customer email must be a valid email address.","errors":{"customer_email":["must be a valid email address"]}}`)
	})
	_, err := newTestClient(t, srv.URL, nil).Create(context.Background(), Quote, validQuote())
	var se *Error
	if !errors.As(err, &se) {
		t.Fatalf("got %v; want *Error", err)
	}
	want := "HTTP 422: the customer email must be a valid email address (customer_email: must be a valid email address)"
	if se.Outcome != Rejected || se.Status != 422 || err.Error() != want {
		t.Errorf("got %v %d %q; want rejected 422 %q", se.Outcome, se.Status, err.Error(), want)
	}
	if got := se.Fields["customer_email"]; len(got) != 1 || got[0] != "must be a valid email address" {
		t.Errorf("Fields = %v", se.Fields)
	}
}

func TestCreateStatusHints(t *testing.T) {
	for status, want := range map[int]string{404: "uuid or the template is unknown", 401: "uuid was refused", 403: "uuid was refused"} {
		srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request, _ map[string]any) { w.WriteHeader(status) })
		_, err := newTestClient(t, srv.URL, nil).Create(context.Background(), Template, validTemplate())
		var se *Error
		if !errors.As(err, &se) || se.Outcome != Rejected || !strings.Contains(err.Error(), want) {
			t.Errorf("status %d: got %v; want rejected mentioning %q", status, err, want)
		}
	}
	// A quote mapping has no template: its 404 hint does not send the user
	// looking for one.
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request, _ map[string]any) { w.WriteHeader(404) })
	_, err := newTestClient(t, srv.URL, nil).Create(context.Background(), Quote, validQuote())
	if err == nil || !strings.Contains(err.Error(), "uuid is unknown") || strings.Contains(err.Error(), "template") {
		t.Errorf("quote 404: %v; want the uuid named and no template", err)
	}
}

func TestCreateDoesNotFollowRedirect(t *testing.T) {
	var gets atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			gets.Add(1)
			_, _ = io.WriteString(w, `{"id":5}`)
			return
		}
		http.Redirect(w, r, "/somewhere", http.StatusFound)
	}))
	defer srv.Close()
	_, err := newTestClient(t, srv.URL, nil).Create(context.Background(), Quote, validQuote())
	var se *Error
	if !errors.As(err, &se) || se.Outcome != Ambiguous || se.Status != 302 {
		t.Fatalf("got %v; want an ambiguous 302", err)
	}
	if gets.Load() != 0 {
		t.Errorf("the redirect was followed with %d GET(s)", gets.Load())
	}
}

func TestCreateSlowDown(t *testing.T) {
	date := time.Now().Add(2 * time.Minute).UTC().Format(http.TimeFormat)
	for _, tt := range []struct {
		status     int
		retryAfter string
		min, max   time.Duration
	}{
		{429, "3", 3 * time.Second, 3 * time.Second},
		{429, date, 60 * time.Second, 2 * time.Minute},
		{503, "", 0, 0},
	} {
		srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request, _ map[string]any) {
			if tt.retryAfter != "" {
				w.Header().Set("Retry-After", tt.retryAfter)
			}
			w.WriteHeader(tt.status)
		})
		_, err := newTestClient(t, srv.URL, nil).Create(context.Background(), Quote, validQuote())
		var se *Error
		if !errors.As(err, &se) || se.Outcome != Retry || !se.SlowDown() || !se.Temporary() {
			t.Fatalf("%d: got %v; want a retryable slow-down", tt.status, err)
		}
		if se.RetryAfter < tt.min || se.RetryAfter > tt.max {
			t.Errorf("%d Retry-After %q: got %v; want within [%v, %v]", tt.status, tt.retryAfter, se.RetryAfter, tt.min, tt.max)
		}
	}
}

func TestCreateAmbiguous5xx(t *testing.T) {
	for _, status := range []int{500, 502, 504} {
		srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request, _ map[string]any) { w.WriteHeader(status) })
		_, err := newTestClient(t, srv.URL, nil).Create(context.Background(), Quote, validQuote())
		var se *Error
		if !errors.As(err, &se) || se.Outcome != Ambiguous || se.Status != status {
			t.Errorf("%d: got %v; want ambiguous", status, err)
		}
	}
}

func outcomeOf(t *testing.T, err error) *Error {
	t.Helper()
	var se *Error
	if !errors.As(err, &se) {
		t.Fatalf("got %v (%T); want *Error", err, err)
	}
	assertNoUUID(t, err, se)
	return se
}

func TestCreateConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = newTestClient(t, "http://"+addr, nil).Create(context.Background(), Quote, validQuote())
	se := outcomeOf(t, err)
	if se.Outcome != Retry || se.Status != 0 {
		t.Errorf("got %v (%v); want retry", se.Outcome, err)
	}
}

func TestCreateDNSFailure(t *testing.T) {
	dnsErr := &net.DNSError{Err: "no such host", Name: "app.salesbyte.invalid", IsNotFound: true}
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: network, Err: dnsErr}
	}}}
	_, err := newTestClient(t, "https://app.salesbyte.invalid", hc).Create(context.Background(), Quote, validQuote())
	se := outcomeOf(t, err)
	var got *net.DNSError
	if se.Outcome != Retry || !errors.As(err, &got) {
		t.Errorf("got %v (%v); want retry wrapping a DNS error", se.Outcome, err)
	}
}

func TestCreateTLSHandshakeFailure(t *testing.T) {
	// A plain HTTP server: the TLS client hello gets an HTTP answer.
	srv, rec := serve(t, func(w http.ResponseWriter, r *http.Request, _ map[string]any) {})
	url := strings.Replace(srv.URL, "http://", "https://", 1)
	_, err := newTestClient(t, url, nil).Create(context.Background(), Quote, validQuote())
	se := outcomeOf(t, err)
	if se.Outcome != Retry {
		t.Errorf("got %v (%v); want retry", se.Outcome, err)
	}
	if rec.count() != 0 {
		t.Errorf("the server handled %d requests; want none", rec.count())
	}
}

func TestCreateConnectionClosedAfterBody(t *testing.T) {
	srv, rec := serve(t, func(w http.ResponseWriter, r *http.Request, _ map[string]any) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		conn.Close()
	})
	_, err := newTestClient(t, srv.URL, nil).Create(context.Background(), Quote, validQuote())
	se := outcomeOf(t, err)
	if se.Outcome != Ambiguous || se.Status != 0 {
		t.Errorf("got %v (%v); want ambiguous", se.Outcome, err)
	}
	if rec.count() != 1 {
		t.Errorf("the server got %d requests; want exactly 1 (no replay)", rec.count())
	}
}

func TestCreateHangsPastTimeout(t *testing.T) {
	release := make(chan struct{})
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request, _ map[string]any) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	t.Cleanup(func() { close(release) }) // runs before srv.Close
	hc := DefaultHTTPClient()
	hc.Timeout = 100 * time.Millisecond
	_, err := newTestClient(t, srv.URL, hc).Create(context.Background(), Quote, validQuote())
	se := outcomeOf(t, err)
	if se.Outcome != Ambiguous {
		t.Errorf("got %v (%v); want ambiguous", se.Outcome, err)
	}

	// The same through the caller's context.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = newTestClient(t, srv.URL, nil).Create(ctx, Quote, validQuote())
	if se := outcomeOf(t, err); se.Outcome != Ambiguous || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("ctx deadline: got %v (%v); want ambiguous wrapping DeadlineExceeded", se.Outcome, err)
	}
}

func TestCreateCanceledBeforeSending(t *testing.T) {
	srv, rec := serve(t, func(w http.ResponseWriter, r *http.Request, _ map[string]any) {})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := newTestClient(t, srv.URL, nil).Create(ctx, Quote, validQuote())
	se := outcomeOf(t, err)
	if se.Outcome != Retry || !errors.Is(err, context.Canceled) {
		t.Errorf("got %v (%v); want retry wrapping Canceled", se.Outcome, err)
	}
	if rec.count() != 0 {
		t.Errorf("server got %d requests; want 0", rec.count())
	}
}

func TestCreateUnencodableBody(t *testing.T) {
	c := newTestClient(t, "http://127.0.0.1:1", nil)
	_, err := c.Create(context.Background(), Quote, map[string]any{"x": make(chan int)})
	if se := outcomeOf(t, err); se.Outcome != Rejected {
		t.Errorf("got %v; want rejected", se.Outcome)
	}
	_, err = c.Create(context.Background(), Endpoint("nope"), validQuote())
	if se := outcomeOf(t, err); se.Outcome != Rejected || !strings.Contains(err.Error(), "unknown endpoint") {
		t.Errorf("got %v; want rejected unknown endpoint", err)
	}
}

func TestNewClientBaseURL(t *testing.T) {
	tests := []struct {
		url     string
		wantErr string
	}{
		{"https://app.salesbyte.se", ""},
		{"https://app.salesbyte.se/", ""},
		{"http://localhost:8080", ""},
		{"http://127.0.0.1:9999", ""},
		{"http://127.4.5.6", ""},
		{"http://[::1]:8080", ""},
		{"http://example.com", "not loopback"},
		{"http://10.0.0.1:8080", "not loopback"},
		{"http://192.168.1.2", "not loopback"},
		{"http://localhost.example.com", "not loopback"},
		{"http://evil.localhost", "not loopback"},
		{"http://evil.localhost.", "not loopback"},
		{"http://localhost.evil.com", "not loopback"},
		{"http://127.0.0.1.nip.io", "not loopback"},
		{"http://127.1", "not loopback"},
		{"http://LOCALHOST", ""},
		{"http://LocalHost:3000/", ""},
		{"http://127.0.0.2", ""},
		{"http://[::ffff:127.0.0.1]:8080", ""},
		{"http://[::2]:8080", "not loopback"},
		{"https://evil.localhost", ""},
		{"ftp://app.salesbyte.se", "must start with https://"},
		{"app.salesbyte.se", "not a URL"},
		{"", "not a URL"},
		{"https://user:pw@app.salesbyte.se", "must not carry a user"},
	}
	for _, tt := range tests {
		_, err := NewClient(tt.url, NewSecret("u"), nil)
		_, qerr := NewQuotesClient(tt.url, NewSecret("t"), nil)
		for _, e := range []error{err, qerr} {
			if tt.wantErr == "" && e != nil {
				t.Errorf("%q: %v; want no error", tt.url, e)
			}
			if tt.wantErr != "" && (e == nil || !strings.Contains(e.Error(), tt.wantErr)) {
				t.Errorf("%q: %v; want an error containing %q", tt.url, e, tt.wantErr)
			}
			if e != nil && strings.Contains(e.Error(), "pw") {
				t.Errorf("%q: error shows the password: %v", tt.url, e)
			}
		}
	}
	if _, err := NewClient("https://app.salesbyte.se", NewSecret(" \n"), nil); !errors.Is(err, ErrNoSecret) {
		t.Errorf("empty uuid: %v; want ErrNoSecret", err)
	}
}

func TestDefaultHTTPClient(t *testing.T) {
	tr, ok := DefaultHTTPClient().Transport.(*http.Transport)
	if !ok {
		t.Fatal("not an *http.Transport")
	}
	if tr.MaxIdleConnsPerHost < 256 || tr.TLSHandshakeTimeout != 10*time.Second || tr.ResponseHeaderTimeout != 60*time.Second || tr.DisableKeepAlives {
		t.Errorf("transport %+v does not fit 256 workers with the documented timeouts", tr)
	}
}

func TestCreateConcurrent(t *testing.T) {
	var n atomic.Int64
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request, _ map[string]any) {
		_, _ = fmt.Fprintf(w, `{"id":%d}`, n.Add(1))
	})
	c := newTestClient(t, srv.URL, nil)
	var wg sync.WaitGroup
	ids := make(chan int64, 64)
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := c.Create(context.Background(), Lead, validLead())
			if err != nil {
				t.Error(err)
				return
			}
			ids <- got.ID
		}()
	}
	wg.Wait()
	close(ids)
	seen := map[int64]bool{}
	for id := range ids {
		if seen[id] || id == 0 {
			t.Errorf("id %d twice or zero", id)
		}
		seen[id] = true
	}
	if len(seen) != 64 {
		t.Errorf("got %d ids; want 64", len(seen))
	}
}

func TestCreateMarkupErrorBody(t *testing.T) {
	split := "<b>" + testUUID[:8] + "</b>" + testUUID[8:]
	entities := ""
	for _, r := range testUUID {
		entities += fmt.Sprintf("&#%d;", r)
	}
	tests := []struct{ name, body, want string }{
		{"nginx", "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>", "HTTP 502: 502 Bad Gateway nginx"},
		{"uuid split by a tag", "<html><body><p>Integration " + split + " is down</p></body></html>", "HTTP 502: Integration [redacted] is down"},
		{"uuid as entities", "<html><body><p>Integration " + entities + " is down</p></body></html>", "HTTP 502: Integration [redacted] is down"},
	}
	for _, tt := range tests {
		srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request, _ map[string]any) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, tt.body)
		})
		_, err := newTestClient(t, srv.URL, nil).Create(context.Background(), Quote, validQuote())
		if se := outcomeOf(t, err); se.Outcome != Ambiguous || err.Error() != tt.want {
			t.Errorf("%s: %v %q; want ambiguous %q", tt.name, se.Outcome, err.Error(), tt.want)
		}
	}
}

func TestNewClientRefusesSecretInBaseURL(t *testing.T) {
	for _, base := range []string{
		"https://app.salesbyte.se/" + testUUID,
		"https://app.salesbyte.se/x/" + strings.ToUpper(strings.ReplaceAll(testUUID, "-", "")),
		"http://127.0.0.1:8080/" + strings.ReplaceAll(testUUID, "-", "%2d"),
	} {
		_, err := NewClient(base, NewSecret(testUUID), nil)
		if !errors.Is(err, ErrSecretInBaseURL) || strings.Contains(err.Error(), testUUID[:8]) {
			t.Errorf("%s: %v; want refused without showing the uuid", base, err)
		}
		_, err = NewQuotesClient(base, NewSecret(testUUID), nil)
		if !errors.Is(err, ErrSecretInBaseURL) || strings.Contains(err.Error(), testUUID[:8]) {
			t.Errorf("quotes %s: %v; want refused without showing the token", base, err)
		}
	}
}

// leakyClient is a client whose base URL holds the uuid in its path (the
// constructor refuses that): a transport failure must not show the URL.
func leakyClient(t *testing.T, base string, hc *http.Client) *Client {
	t.Helper()
	u, err := checkBaseURL(base + "/" + testUUID)
	if err != nil {
		t.Fatal(err)
	}
	return &Client{base: u, uuid: NewSecret(testUUID), hc: noRedirects(hc)}
}

// Every kind of transport failure: the error, and every error in its
// chain, shows neither the uuid nor Go's `Post "URL":` wrapping.
func TestTransportFailuresNeverShowTheURL(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusedAddr := ln.Addr().String()
	ln.Close()
	closing, _ := serve(t, func(w http.ResponseWriter, r *http.Request, _ map[string]any) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	release := make(chan struct{})
	hanging, _ := serve(t, func(w http.ResponseWriter, r *http.Request, _ map[string]any) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	t.Cleanup(func() { close(release) })
	dnsHC := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: "app.salesbyte.invalid", IsNotFound: true}}
	}}}
	timeoutHC := DefaultHTTPClient()
	timeoutHC.Timeout = 100 * time.Millisecond
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	short, cancelShort := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancelShort()

	tests := []struct {
		name string
		c    *Client
		ctx  context.Context
	}{
		{"refused", leakyClient(t, "http://"+refusedAddr, nil), context.Background()},
		{"dns", leakyClient(t, "https://app.salesbyte.invalid", dnsHC), context.Background()},
		{"tls handshake", leakyClient(t, strings.Replace(closing.URL, "http://", "https://", 1), nil), context.Background()},
		{"closed after body", leakyClient(t, closing.URL, nil), context.Background()},
		{"client timeout", leakyClient(t, hanging.URL, timeoutHC), context.Background()},
		{"context deadline", leakyClient(t, hanging.URL, nil), short},
		{"canceled", leakyClient(t, hanging.URL, nil), canceled},
	}
	for _, tt := range tests {
		_, err := tt.c.Create(tt.ctx, Quote, validQuote())
		se := outcomeOf(t, err) // checks every error in the chain for the uuid
		for e := error(se); e != nil; e = errors.Unwrap(e) {
			if s := e.Error(); strings.Contains(s, "Post ") || strings.Contains(s, "://") {
				t.Errorf("%s: %T shows the request: %q", tt.name, e, s)
			}
		}
		if strings.Contains(fmt.Sprintf("%#v", se.Err), testUUID[:8]) {
			t.Errorf("%s: the wrapped error holds the uuid", tt.name)
		}
	}
}

// A created answer whose links echo the uuid (a link to the quote with the
// integration's uuid in its query, a non-link cut where the uuid begins)
// keeps the uuid out of the links and the notes about them: they go into
// the output sheet and the journal.
func TestCreatedLinksNeverHoldTheUUID(t *testing.T) {
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request, body map[string]any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(201)
		u := fmt.Sprint(body["uuid"])
		_ = json.NewEncoder(w).Encode(map[string]any{"id": 5, "links": map[string]string{
			"edit":                "https://app.salesbyte.se/quotes/5/edit?integration=" + u,
			"customer_view":       "https://app.salesbyte.se/c/" + strings.ToUpper(strings.ReplaceAll(u, "-", "")),
			"customer_verificate": "not a link " + strings.Repeat("x", 80) + u,
		}})
	})
	got, err := newTestClient(t, srv.URL, nil).Create(context.Background(), Quote, validQuote())
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != 5 || got.Links.Edit == "" {
		t.Fatalf("created %+v; want id 5 and its edit link", got)
	}
	piece := strings.ToLower(testUUID[:8])
	if s := strings.ToLower(fmt.Sprintf("%+v", got)); strings.Contains(s, piece) {
		t.Errorf("the uuid (or a piece of it) is in the created answer: %s", s)
	}
}

// The same when the answer writes the uuid with JSON escapes: the links
// are scrubbed as decoded too.
func TestCreatedLinksWithEscapedUUID(t *testing.T) {
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request, body map[string]any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(201)
		u := strings.ReplaceAll(fmt.Sprint(body["uuid"]), "-", `\u002d`)
		fmt.Fprintf(w, `{"id":6,"links":{"edit":"https://app.salesbyte.se/q/6?i=%s","customer_view":"no link %s"}}`, u, u)
	})
	got, err := newTestClient(t, srv.URL, nil).Create(context.Background(), Quote, validQuote())
	if err != nil {
		t.Fatal(err)
	}
	if s := fmt.Sprintf("%+v", got); strings.Contains(s, testUUID) || got.ID != 6 {
		t.Errorf("created %s; want id 6 and no uuid", s)
	}
}

// A created answer without an id keeps its text, cut to length: the uuid
// is scrubbed before the cut, so no piece of it is left at the end.
func TestCreatedTextCutInsideTheUUID(t *testing.T) {
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request, body map[string]any) {
		w.WriteHeader(200)
		_, _ = fmt.Fprintf(w, "Quote created %s%s", strings.Repeat("x", maxBodyText-20), body["uuid"])
	})
	got, err := newTestClient(t, srv.URL, nil).Create(context.Background(), Quote, validQuote())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got.Body, testUUID[:5]) {
		t.Errorf("a piece of the uuid is in the answer's text: %q", got.Body[max(0, len(got.Body)-30):])
	}
}
