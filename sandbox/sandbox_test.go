package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sbimport/sbimport/salesbyte"
)

const testUUID = "5b1e0000-aaaa-4bbb-8ccc-sandboxsecret"

// syncBuffer is a bytes.Buffer safe for the server's log.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// start runs a sandbox on a free loopback port for the test.
func start(t testing.TB, opts Options) (*Server, string) {
	t.Helper()
	if opts.UUIDs == nil {
		opts.UUIDs = []string{testUUID}
	}
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	base, err := s.Start("")
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, base
}

func quoteBody(name, email string) map[string]any {
	return map[string]any{
		"uuid": testUUID, "quote_profile_id": 115, "customer_name": name,
		"customer_email": email, "customer_phone": "+46701234567",
		"send_type": "email", "signable": true, "workflows_enabled": false,
		"allow_customer_document_upload": true,
		"custom_fields": map[string]any{"bank_name": map[string]any{
			"value": "Nordbanken", "attribute": map[string]any{"required": false, "editableByContact": false, "hideFromContact": true}}},
	}
}

func leadBody(name, email string) map[string]any {
	return map[string]any{
		"uuid": testUUID, "quote_profile_id": 115, "customer_name": name, "customer_email": email,
		"chat_enabled": false, "send_type": "email", "type": "campaign", "workflows_enabled": false,
		"allow_customer_document_upload": false, "trigger_created_messages_to_customer": false,
		"custom_field_1_content": "Villa",
	}
}

func templateBody(name, phone string) map[string]any {
	return map[string]any{
		"uuid": testUUID, "quote_template_id": 7, "customer_name": name, "customer_phone": phone,
		"trigger_created_messages_to_customer": false,
	}
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func post(t testing.TB, c *http.Client, url string, body map[string]any) (reply, error) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	if c == nil {
		c = testClient
	}
	resp, err := c.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, data}, err
}

func mustPost(t testing.TB, url string, body map[string]any) reply {
	t.Helper()
	r, err := post(t, nil, url, body)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	return r
}

func decode[T any](t testing.TB, data []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("decoding %q: %v", data, err)
	}
	return v
}

func TestCreateEachEndpoint(t *testing.T) {
	s, base := start(t, Options{PublicURL: "https://app.example.se/"})
	cases := []struct {
		path   string
		body   map[string]any
		status int
		ep     salesbyte.Endpoint
	}{
		{pathLead, leadBody("Lena Lind", "lena@example.se"), http.StatusOK, salesbyte.Lead},
		{pathQuote, quoteBody("Qarl Qvist", "qarl@example.se"), http.StatusCreated, salesbyte.Quote},
		{pathTemplate, templateBody("Tove Tor", "+46709876543"), http.StatusOK, salesbyte.Template},
	}
	for i, c := range cases {
		r := mustPost(t, base+c.path, c.body)
		if r.status != c.status {
			t.Fatalf("%s: status %d, want %d; body %s", c.path, r.status, c.status, r.body)
		}
		if ct := r.header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: Content-Type %q, want application/json", c.path, ct)
		}
		got := decode[salesbyte.CreateResponse](t, r.body)
		if got.ID != int64(i+1) {
			t.Errorf("%s: id %d, want %d", c.path, got.ID, i+1)
		}
		recs := s.Created()
		key := recs[i].Key
		want := salesbyte.Links{
			Edit:               fmt.Sprintf("https://app.example.se/offerter/%d/redigera", got.ID),
			CustomerView:       "https://app.example.se/view/" + key,
			CustomerVerificate: "https://app.example.se/signed/" + key,
			ProjectApproval:    "https://app.example.se/view/" + key + "?project_approval=1",
		}
		if got.Links != want {
			t.Errorf("%s: links %+v, want %+v", c.path, got.Links, want)
		}
		if recs[i].Endpoint != c.ep || recs[i].ID != got.ID || recs[i].CustomerName != c.body["customer_name"] {
			t.Errorf("%s: record %+v does not match the request", c.path, recs[i])
		}
		if _, ok := recs[i].Body["uuid"]; ok {
			t.Errorf("%s: the stored body keeps the uuid", c.path)
		}
		if recs[i].Body["customer_name"] != c.body["customer_name"] {
			t.Errorf("%s: stored body %v lacks customer_name", c.path, recs[i].Body)
		}
	}
	if len(key(t, s)) != 24 {
		t.Errorf("public key %q: want 24 hex characters", key(t, s))
	}
}

func key(t *testing.T, s *Server) string {
	recs := s.Created()
	if len(recs) == 0 {
		t.Fatal("nothing created")
	}
	return recs[0].Key
}

func TestPlainTemplate(t *testing.T) {
	s, base := start(t, Options{PlainTemplate: true})
	r := mustPost(t, base+pathTemplate, templateBody("Tove Tor", "+46709876543"))
	if r.status != http.StatusOK || string(r.body) != "Quote created" || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Fatalf("got %d %q (%s), want 200 \"Quote created\" text/plain", r.status, r.body, r.header.Get("Content-Type"))
	}
	if n := len(s.Created()); n != 1 {
		t.Fatalf("created %d, want 1", n)
	}
	// quotes stay JSON
	if r := mustPost(t, base+pathQuote, quoteBody("A", "a@example.se")); r.status != http.StatusCreated {
		t.Fatalf("quote: status %d", r.status)
	}
}

func TestValidationError(t *testing.T) {
	s, base := start(t, Options{})
	body := quoteBody("", "not-an-email")
	r := mustPost(t, base+pathQuote, body)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422; body %s", r.status, r.body)
	}
	le := decode[laravelError](t, r.body)
	if len(le.Errors["customer_email"]) == 0 || len(le.Errors["customer_name"]) == 0 {
		t.Fatalf("errors %v: want customer_email and customer_name", le.Errors)
	}
	n := 0
	for _, msgs := range le.Errors {
		n += len(msgs)
	}
	wantSuffix := fmt.Sprintf(" (and %d more error", n-1)
	if !strings.Contains(le.Message, wantSuffix) || !strings.HasPrefix(le.Message, "The customer ") {
		t.Errorf("message %q: want the first error and %q", le.Message, wantSuffix)
	}
	if got := le.Errors["customer_email"][0]; !strings.HasPrefix(got, "The customer email field must be a valid email address") {
		t.Errorf("customer_email error %q: want a Laravel sentence", got)
	}
	if strings.Contains(string(r.body), testUUID) {
		t.Error("the 422 body shows the uuid")
	}

	// a missing uuid is a field error too
	body = quoteBody("Anna", "anna@example.se")
	delete(body, "uuid")
	r = mustPost(t, base+pathQuote, body)
	le = decode[laravelError](t, r.body)
	if r.status != http.StatusUnprocessableEntity || le.Message != "The uuid field is required." || len(le.Errors) != 1 {
		t.Errorf("without uuid: %d %s, want 422 with only the uuid error", r.status, r.body)
	}
	if n := len(s.Created()); n != 0 {
		t.Fatalf("created %d from invalid requests", n)
	}
	if st := s.Stats(); st.Invalid != 2 || st.Requests != 2 {
		t.Errorf("stats %+v: want 2 requests, 2 invalid", st)
	}
}

func TestLaravelMessageCounts(t *testing.T) {
	one := newLaravelError([]salesbyte.FieldError{{Field: "a", Message: "is required"}, {Field: "b", Message: "is required"}})
	if one.Message != "The a field is required. (and 1 more error)" {
		t.Errorf("got %q", one.Message)
	}
	many := newLaravelError([]salesbyte.FieldError{{Field: "a", Message: "is required"}, {Field: "a", Message: "must be text"}, {Field: "b_c", Message: "unknown field; did you mean b?"}})
	if many.Message != "The a field is required. (and 2 more errors)" {
		t.Errorf("got %q", many.Message)
	}
	if got := many.Errors["b_c"]; len(got) != 1 || got[0] != "The b c field is not a field of this endpoint; did you mean b?" {
		t.Errorf("b_c errors %q", got)
	}
	if got := many.Errors["a"]; len(got) != 2 {
		t.Errorf("a errors %q: want both", got)
	}
}

func TestUnknownUUIDAndTemplate(t *testing.T) {
	s, base := start(t, Options{TemplateIDs: []int64{7, 8}})
	body := quoteBody("Anna", "anna@example.se")
	body["uuid"] = "someone-elses-uuid"
	r := mustPost(t, base+pathQuote, body)
	if r.status != http.StatusNotFound || decode[message](t, r.body).Message != "integration not found" {
		t.Errorf("unknown uuid: %d %s, want 404 integration not found", r.status, r.body)
	}
	tb := templateBody("Tove", "+46709876543")
	tb["quote_template_id"] = 9
	if r := mustPost(t, base+pathTemplate, tb); r.status != http.StatusNotFound {
		t.Errorf("template not tied to the integration: %d %s, want 404", r.status, r.body)
	}
	tb["quote_template_id"] = 8
	if r := mustPost(t, base+pathTemplate, tb); r.status != http.StatusOK {
		t.Errorf("tied template: %d %s, want 200", r.status, r.body)
	}
	if n := len(s.Created()); n != 1 {
		t.Fatalf("created %d, want 1", n)
	}
	if st := s.Stats(); st.NotFound != 2 {
		t.Errorf("stats 404s %d, want 2", st.NotFound)
	}
}

func TestBadRequests(t *testing.T) {
	s, base := start(t, Options{})
	resp, err := http.Get(base + pathQuote)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
		t.Errorf("GET: %d Allow=%q, want 405 Allow=POST", resp.StatusCode, resp.Header.Get("Allow"))
	}
	b, _ := json.Marshal(quoteBody("A", "a@example.se"))
	resp, err = http.Post(base+pathQuote, "text/plain", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain body: %d, want 415", resp.StatusCode)
	}
	for _, bad := range []string{`{"uuid":`, `null`, `[1,2]`, `{"a":1}{"b":2}`} {
		resp, err = http.Post(base+pathQuote, "application/json; charset=utf-8", strings.NewReader(bad))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("body %s: %d, want 400", bad, resp.StatusCode)
		}
	}
	resp, err = http.Get(base + "/nowhere")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown path: %d, want 404", resp.StatusCode)
	}
	if st := s.Stats(); st.BadRequests != 6 || st.Created != 0 {
		t.Errorf("stats %+v: want 5 bad requests, nothing created", st)
	}
}

func TestDropBefore(t *testing.T) {
	s, base := start(t, Options{PDropBefore: 1})
	if r, err := post(t, nil, base+pathQuote, quoteBody("A", "a@example.se")); err == nil {
		t.Fatalf("want a connection error, got %d %s", r.status, r.body)
	}
	if n := len(s.Created()); n != 0 {
		t.Errorf("created %d, want 0", n)
	}
	if st := s.Stats(); st.DroppedBefore != 1 || st.Drops() != 1 {
		t.Errorf("stats %+v: want one drop before", st)
	}
}

func TestDropAfter(t *testing.T) {
	s, base := start(t, Options{PDropAfter: 1})
	if r, err := post(t, nil, base+pathQuote, quoteBody("A", "a@example.se")); err == nil {
		t.Fatalf("want a connection error, got %d %s", r.status, r.body)
	}
	if n := len(s.Created()); n != 1 {
		t.Errorf("created %d, want 1", n)
	}
	if st := s.Stats(); st.DroppedAfter != 1 || st.Created != 1 {
		t.Errorf("stats %+v: want one drop after one creation", st)
	}
}

func TestServerErrorAfterCreating(t *testing.T) {
	s, base := start(t, Options{P500After: 1})
	r := mustPost(t, base+pathQuote, quoteBody("A", "a@example.se"))
	if r.status != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", r.status)
	}
	if n := len(s.Created()); n != 1 {
		t.Errorf("created %d, want 1", n)
	}
	if st := s.Stats(); st.ServerErrors != 1 {
		t.Errorf("stats 500s %d, want 1", st.ServerErrors)
	}
}

func TestBadGatewayAfterCreating(t *testing.T) {
	s, base := start(t, Options{P502After: 1})
	r := mustPost(t, base+pathQuote, quoteBody("A", "a@example.se"))
	if r.status != http.StatusBadGateway {
		t.Fatalf("status %d, want 502", r.status)
	}
	if n := len(s.Created()); n != 1 {
		t.Errorf("created %d, want 1", n)
	}
	if st := s.Stats(); st.BadGateway != 1 || st.ServerErrors != 0 {
		t.Errorf("stats 502s %d, 500s %d; want 1 and 0", st.BadGateway, st.ServerErrors)
	}
}

func TestHangAfterCreating(t *testing.T) {
	s, base := start(t, Options{PHangAfter: 1})
	c := &http.Client{Timeout: 100 * time.Millisecond}
	_, err := post(t, c, base+pathQuote, quoteBody("A", "a@example.se"))
	if err == nil || !strings.Contains(err.Error(), "Timeout") {
		t.Fatalf("err %v, want a client timeout", err)
	}
	if n := len(s.Created()); n != 1 {
		t.Errorf("created %d, want 1", n)
	}
	if st := s.Stats(); st.Hangs != 1 {
		t.Errorf("stats hangs %d, want 1", st.Hangs)
	}
}

func TestHangEndsAfterHangFor(t *testing.T) {
	_, base := start(t, Options{PHangAfter: 1, HangFor: time.Millisecond})
	if r := mustPost(t, base+pathQuote, quoteBody("A", "a@example.se")); r.status != http.StatusCreated {
		t.Fatalf("status %d, want the normal 201 after the hang", r.status)
	}
}

func TestCloseEndsHang(t *testing.T) {
	s, base := start(t, Options{PHangAfter: 1, HangFor: time.Hour})
	errc := make(chan error, 1)
	go func() {
		_, err := post(t, &http.Client{}, base+pathQuote, quoteBody("A", "a@example.se"))
		errc <- err
	}()
	waitFor(t, "the request to hang", func() bool { return s.Stats().Hangs > 0 })
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case err := <-errc:
		if err == nil {
			t.Fatal("the hanging request got an answer after Close; want a connection error")
		}
	case <-time.After(testDeadline):
		t.Fatalf("the hanging request still hung %v after Close", testDeadline)
	}
}

func TestClientLeavesDuringLatency(t *testing.T) {
	s, base := start(t, Options{Latency: time.Hour})
	c := &http.Client{Timeout: 50 * time.Millisecond}
	if _, err := post(t, c, base+pathQuote, quoteBody("A", "a@example.se")); err == nil {
		t.Fatal("want a client timeout")
	}
	if err := s.Close(); err != nil { // returns although a handler sleeps for an hour
		t.Fatal(err)
	}
	if n := len(s.Created()); n != 0 {
		t.Errorf("created %d, want 0", n)
	}
}

func TestLatencyWithJitter(t *testing.T) {
	s, base := start(t, Options{Latency: 2 * time.Millisecond, Jitter: 2 * time.Millisecond})
	for i := range 5 {
		if r := mustPost(t, base+pathQuote, quoteBody("A", fmt.Sprintf("a%d@example.se", i))); r.status != http.StatusCreated {
			t.Fatalf("status %d", r.status)
		}
	}
	for range 1000 {
		if d := s.latency(); d < 0 || d > 4*time.Millisecond {
			t.Fatalf("latency %v outside 2ms ± 2ms", d)
		}
	}
}

func TestUnavailableRetryAfter(t *testing.T) {
	for _, ra := range []string{"", "3", "http-date"} {
		s, base := start(t, Options{P503: 1, RetryAfter: ra})
		before := time.Now()
		r := mustPost(t, base+pathQuote, quoteBody("A", "a@example.se"))
		after := time.Now()
		if r.status != http.StatusServiceUnavailable {
			t.Fatalf("status %d, want 503", r.status)
		}
		checkRetryAfter(t, r.header.Get("Retry-After"), ra, before, after)
		if n := len(s.Created()); n != 0 {
			t.Errorf("503 created %d", n)
		}
	}
}

// P429 answers 429 with Retry-After without creating, with no rate limit
// to outrun: the fault comes whatever the client's speed.
func TestInjectedTooManyRetryAfter(t *testing.T) {
	for _, ra := range []string{"", "3", "http-date"} {
		s, base := start(t, Options{P429: 1, RetryAfter: ra})
		before := time.Now()
		r := mustPost(t, base+pathQuote, quoteBody("A", "a@example.se"))
		after := time.Now()
		if r.status != http.StatusTooManyRequests {
			t.Fatalf("status %d, want 429", r.status)
		}
		checkRetryAfter(t, r.header.Get("Retry-After"), ra, before, after)
		if st := s.Stats(); len(s.Created()) != 0 || st.TooMany != 1 {
			t.Errorf("429 created %d; counted %d 429s, want 1", len(s.Created()), st.TooMany)
		}
	}
}

// P429's dice depend on the seed alone: the same seed answers the same
// requests 429, whatever the other faults do.
func TestInjectedTooManyIsSeeded(t *testing.T) {
	statuses := func(opts Options) []int {
		_, base := start(t, opts)
		var out []int
		for i := range 40 {
			r := mustPost(t, base+pathQuote, quoteBody("A", fmt.Sprintf("a%d@example.se", i)))
			if r.status == http.StatusTooManyRequests || r.status == http.StatusCreated {
				out = append(out, r.status) // 500 after creating: the 429 dice were rolled, and missed
			}
			if r.status == http.StatusInternalServerError {
				out = append(out, http.StatusCreated)
			}
		}
		return out
	}
	a := statuses(Options{P429: 0.3, Seed: 5})
	b := statuses(Options{P429: 0.3, Seed: 5, P500After: 0.5})
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("the same seed answered 429 to different requests:\n%v\n%v", a, b)
	}
	if !slices.Contains(a, http.StatusTooManyRequests) || !slices.Contains(a, http.StatusCreated) {
		t.Errorf("statuses %v: want a mix of 429 and 201", a)
	}
}

func checkRetryAfter(t *testing.T, got, mode string, before, after time.Time) {
	t.Helper()
	switch mode {
	case "":
		if got != "1" {
			t.Errorf("Retry-After %q, want 1", got)
		}
	case "http-date":
		at, err := http.ParseTime(got)
		if err != nil {
			t.Fatalf("Retry-After %q is not an HTTP date: %v", got, err)
		}
		if at.Before(before.Add(time.Second)) || at.After(after.Add(2*time.Second)) {
			t.Errorf("Retry-After %v: want 1-2 s after %v", at, before)
		}
	default:
		if got != mode {
			t.Errorf("Retry-After %q, want %q", got, mode)
		}
	}
}

func TestRateLimit429(t *testing.T) {
	for _, ra := range []string{"", "http-date"} {
		// one token, refilled after 1000 s: the first request passes, the
		// rest are refused however fast or slow the machine is
		s, base := start(t, Options{RateLimit: 0.001, RetryAfter: ra})
		for i := range 4 {
			before := time.Now()
			r := mustPost(t, base+pathQuote, quoteBody("A", fmt.Sprintf("a%d@example.se", i)))
			if i == 0 {
				if r.status != http.StatusCreated {
					t.Fatalf("first request: %d, want 201", r.status)
				}
				continue
			}
			if r.status != http.StatusTooManyRequests {
				t.Fatalf("request %d: %d, want 429", i, r.status)
			}
			checkRetryAfter(t, r.header.Get("Retry-After"), ra, before, time.Now())
		}
		if st := s.Stats(); st.TooMany != 3 || st.Created != 1 {
			t.Errorf("stats %+v: want 3×429, 1 created", st)
		}
	}
}

func TestRateLimitBudget(t *testing.T) {
	const limit = 20.0
	t0 := time.Now()
	s, base := start(t, Options{RateLimit: limit})
	var wg sync.WaitGroup
	for i := range 80 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := post(t, nil, base+pathQuote, quoteBody("A", fmt.Sprintf("a%d@example.se", i))); err != nil {
				t.Error(err)
			}
		}()
	}
	waitGroup(t, "every request to be answered", &wg)
	elapsed := time.Since(t0).Seconds()
	st := s.Stats()
	budget := float64(burstFor(limit)) + limit*elapsed
	if float64(st.Created) > budget {
		t.Errorf("created %d in %.2fs: more than the limit allows (%.1f)", st.Created, elapsed, budget)
	}
	if st.TooMany == 0 || st.TooMany+st.Created != 80 {
		t.Errorf("stats %+v: want some 429s and every other request created", st)
	}
}

func TestFaultDiceDeterministic(t *testing.T) {
	run := func() []int {
		_, base := start(t, Options{P503: 0.5, P500After: 0.3, Seed: 42})
		var got []int
		for i := range 30 {
			r := mustPost(t, base+pathQuote, quoteBody("A", fmt.Sprintf("a%d@example.se", i)))
			got = append(got, r.status)
		}
		return got
	}
	a, b := run(), run()
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("same seed, different faults:\n%v\n%v", a, b)
	}
	seen := map[int]bool{}
	for _, st := range a {
		seen[st] = true
	}
	if !seen[503] || !seen[500] || !seen[201] {
		t.Errorf("statuses %v: want a mix of 503, 500 and 201", a)
	}
}

func TestOptionsChecked(t *testing.T) {
	for _, o := range []Options{{P503: 1.5}, {P429: 2}, {P429: -0.5}, {PDropAfter: -0.1}, {P500After: 0.6, PHangAfter: 0.6}, {Latency: -1}, {RateLimit: -2}} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v): want an error", o)
		}
	}
}

func TestStartRefusesNonLoopback(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:80", "example.com:80", "nohost"} {
		if _, err := s.Start(addr); err == nil {
			t.Errorf("Start(%q) listened; want a refusal", addr)
		}
	}
	base, err := s.Start("localhost:0")
	if err != nil || !strings.HasPrefix(base, "http://127.0.0.1:") && !strings.HasPrefix(base, "http://[::1]:") {
		t.Errorf("Start(localhost:0) = %q, %v", base, err)
	}
}

func TestCountByCustomerAndDuplicates(t *testing.T) {
	s, base := start(t, Options{})
	mustPost(t, base+pathQuote, quoteBody("Anna", "Anna@Example.se"))
	mustPost(t, base+pathQuote, quoteBody("Anna A", "anna@example.se"))
	mustPost(t, base+pathQuote, quoteBody("Bo", "bo@example.se"))
	mustPost(t, base+pathTemplate, templateBody("Cilla", "+46705550000"))
	lead := leadBody("Doris", "")
	delete(lead, "customer_email")
	mustPost(t, base+pathLead, lead)
	mustPost(t, base+pathLead, lead)

	want := map[string]int{"anna@example.se": 2, "bo@example.se": 1, "+46705550000": 1, "Doris": 2}
	if got := s.CountByCustomer(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("CountByCustomer = %v, want %v", got, want)
	}
	wantDup := map[string]int{"anna@example.se": 2, "Doris": 2}
	if got := s.Duplicates(); fmt.Sprint(got) != fmt.Sprint(wantDup) {
		t.Errorf("Duplicates = %v, want %v", got, wantDup)
	}

	resp, err := http.Get(base + "/_sandbox/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	sb := decode[statsBody](t, data)
	if sb.Created != 6 || sb.Requests != 6 || fmt.Sprint(sb.Duplicates) != fmt.Sprint(wantDup) || sb.CountByCustomer["bo@example.se"] != 1 {
		t.Errorf("/_sandbox/stats = %s", data)
	}

	resp, err = http.Post(base+"/_sandbox/reset", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if n := len(s.Created()); resp.StatusCode != http.StatusOK || n != 0 || s.Stats().Requests != 0 {
		t.Errorf("after reset: status %d, %d records, stats %+v", resp.StatusCode, n, s.Stats())
	}
	r := mustPost(t, base+pathQuote, quoteBody("Eva", "eva@example.se"))
	if id := decode[salesbyte.CreateResponse](t, r.body).ID; id != 7 {
		t.Errorf("id after reset %d, want 7 (ids are never reused)", id)
	}
}

func TestConcurrentCreations(t *testing.T) {
	s, base := start(t, Options{Latency: 2 * time.Millisecond})
	const n = 60
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := post(t, nil, base+pathQuote, quoteBody("A", fmt.Sprintf("a%d@example.se", i)))
			if err != nil || r.status != http.StatusCreated {
				t.Errorf("request %d: %v %d", i, err, r.status)
			}
		}()
	}
	waitGroup(t, "every request to be answered", &wg)
	ids := map[int64]bool{}
	keys := map[string]bool{}
	for _, r := range s.Created() {
		ids[r.ID], keys[r.Key] = true, true
	}
	if len(ids) != n || len(keys) != n {
		t.Errorf("%d distinct ids and %d keys for %d creations", len(ids), len(keys), n)
	}
	st := s.Stats()
	if st.Requests != n || st.MaxInFlight < 1 || st.MaxInFlight > n || st.Rate <= 0 || !st.LastRequest.After(st.FirstRequest) {
		t.Errorf("stats %+v", st)
	}
	if len(s.Duplicates()) != 0 {
		t.Errorf("duplicates %v", s.Duplicates())
	}
}

func TestStatsRate(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	s.requests.Store(11)
	s.firstNano.Store(t0.UnixNano())
	s.lastNano.Store(t0.Add(2 * time.Second).UnixNano())
	if r := s.Stats().Rate; r != 5 {
		t.Errorf("11 requests over 2 s: rate %v, want 5 (10 intervals / 2 s)", r)
	}
}

func TestUUIDNeverStoredOrLogged(t *testing.T) {
	var log syncBuffer
	store := filepath.Join(t.TempDir(), "store.jsonl")
	s, base := start(t, Options{Log: &log, StoreFile: store, P500After: 0.3, Seed: 1})
	mustPost(t, base+pathQuote, quoteBody("Anna", "anna@example.se"))
	mustPost(t, base+pathLead, leadBody("Bo", "bo@example.se"))
	mustPost(t, base+pathTemplate, templateBody("Cilla", "+46705550000"))
	bad := quoteBody("", "x")
	mustPost(t, base+pathQuote, bad)
	bad["uuid"] = testUUID + "-other"
	mustPost(t, base+pathQuote, bad)
	for _, r := range s.Created() {
		b, _ := json.Marshal(r.Body)
		if _, ok := r.Body["uuid"]; ok || strings.Contains(string(b), "sandboxsecret") {
			t.Errorf("record %d keeps the uuid: %s", r.ID, b)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(store)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(file), "sandboxsecret") {
		t.Error("the store file holds the uuid")
	}
	lines := log.String()
	if strings.Count(lines, "\n") != 5 {
		t.Errorf("log has %d lines, want 5:\n%s", strings.Count(lines, "\n"), lines)
	}
	if strings.Contains(lines, "sandboxsecret") {
		t.Errorf("the log holds the uuid:\n%s", lines)
	}
}

func TestStoreFileReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.jsonl")
	s, base := start(t, Options{StoreFile: path})
	mustPost(t, base+pathQuote, quoteBody("Anna", "anna@example.se"))
	mustPost(t, base+pathTemplate, templateBody("Bo", "+46705550000"))
	first := s.Created()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// a crash in the middle of a line leaves a torn last line
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"id":3,"key":"torn","endp`)
	f.Close()

	s2, base2 := start(t, Options{StoreFile: path})
	got := s2.Created()
	if len(got) != 2 || got[0].Key != first[0].Key || got[1].ID != 2 || got[1].Endpoint != salesbyte.Template ||
		got[0].CustomerEmail != "anna@example.se" || got[0].Body["quote_profile_id"] != json.Number("115") || !got[0].CreatedAt.Equal(first[0].CreatedAt) {
		t.Fatalf("reloaded %+v, want %+v", got, first)
	}
	r := mustPost(t, base2+pathLead, leadBody("Cilla", "cilla@example.se"))
	if id := decode[salesbyte.CreateResponse](t, r.body).ID; id != 3 {
		t.Errorf("next id %d, want 3", id)
	}
	if err := s2.Close(); err != nil {
		t.Fatal(err)
	}
	s3, err := New(Options{StoreFile: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s3.Close()
	if n := len(s3.Created()); n != 3 || s3.Created()[2].CustomerName != "Cilla" {
		t.Errorf("after the torn line and one more creation: %d records, want 3", n)
	}

	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	os.WriteFile(bad, []byte("not json\n{\"id\":1,\"key\":\"k\"}\n"), 0o600)
	if _, err := New(Options{StoreFile: bad}); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("a broken line in the middle: err %v, want one naming line 1", err)
	}
}

func TestCustomerPages(t *testing.T) {
	s, base := start(t, Options{})
	mustPost(t, base+pathQuote, quoteBody("Anna", "anna@example.se"))
	k := key(t, s)
	for _, p := range []string{"/view/" + k, "/signed/" + k, "/offerter/1/redigera"} {
		resp, err := http.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "Anna") {
			t.Errorf("%s: %d %q", p, resp.StatusCode, b)
		}
	}
	resp, err := http.Get(base + "/view/nope")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("/view/nope: %d, want 404", resp.StatusCode)
	}
}

// ctxPost is used by the benchmark: a client with enough idle conns.
func ctxPost(ctx context.Context, c *http.Client, url string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// BenchmarkCreateQuote measures the sandbox's own cost per creation over
// loopback with no faults: go test -bench CreateQuote ./sandbox
func BenchmarkCreateQuote(b *testing.B) {
	s, base := start(b, Options{})
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	body, _ := json.Marshal(quoteBody("Anna Andersson", "anna@example.se"))
	b.SetParallelism(4)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if st, err := ctxPost(context.Background(), c, base+pathQuote, body); err != nil || st != http.StatusCreated {
				b.Errorf("%d %v", st, err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(s.Stats().Rate, "req/s@server")
}
