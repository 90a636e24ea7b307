package salesbyte

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const testToken = "tok-5d1e9c0b7a"

type queryLog struct {
	mu sync.Mutex
	qs []string
}

func (l *queryLog) add(q string) { l.mu.Lock(); l.qs = append(l.qs, q); l.mu.Unlock() }

func (l *queryLog) at(i int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if i >= len(l.qs) {
		return "<none>"
	}
	return l.qs[i]
}

func quotesServer(t *testing.T) (*httptest.Server, *queryLog) {
	t.Helper()
	queries := &queryLog{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testToken {
			w.WriteHeader(401)
			_, _ = fmt.Fprintf(w, `{"message":"Unauthenticated. You sent %q"}`, r.Header.Get("Authorization"))
			return
		}
		if r.Header.Get("Accept") != "application/json" {
			t.Errorf("Accept = %q", r.Header.Get("Accept"))
		}
		queries.add(r.URL.RawQuery)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/api/quotes":
			page := r.URL.Query().Get("page")
			next := `"http://x/api/quotes?page=3"`
			if page == "3" {
				next = "null"
			}
			_, _ = fmt.Fprintf(w, `{"current_page":%s,"last_page":3,"per_page":10,"total":21,"next_page_url":%s,"from":11,"data":[
				{"id":11,"key":"abc","customer_name":"Anna","customer_email":"anna@example.se","customer_phone":"+46701234567",
				 "quote_value":"1234.50","created_at":"2026-11-26 10:15:00","updated_at":"2026-11-26T10:16:00.000000Z",
				 "custom_fields":[],"salesperson":"Sven","signed":0,"street":"Storgatan 1","zip":11122,
				 "links":{"customer_view":"https://app.salesbyte.se/view/abc"}},
				{"id":"12","key":"def","customer_name":"Bo","created_at":"2026-11-26T10:20:00+01:00","custom_fields":{"Bank":"SEB"},
				 "salesperson":{"name":"Sven","email":"s@x.se"},"signed":true,"quote_value":99}]}`, page, next)
		case r.URL.Path == "/api/quotes/abc":
			_, _ = io.WriteString(w, `{"data":{"id":11,"key":"abc","customer_name":"Anna","created_at":"2026-11-26T10:15:00Z"}}`)
		case r.URL.Path == "/api/quotes/plain":
			_, _ = io.WriteString(w, `{"id":13,"key":"plain","customer_name":"Cy","created_at":"2026-11-26T10:15:00.123456789Z"}`)
		default:
			w.WriteHeader(404)
			_, _ = io.WriteString(w, `{"message":"Not found."}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, queries
}

func TestQuotesList(t *testing.T) {
	srv, queries := quotesServer(t)
	c, err := NewQuotesClient(srv.URL, NewSecret(testToken), nil)
	if err != nil {
		t.Fatal(err)
	}
	page, err := c.List(context.Background(), ListOptions{Page: 2, CreatedFrom: "2026-11-26", CreatedTo: "2026-11-27", UpdatedFrom: "2026-11-01", UpdatedTo: "2026-11-30", SortBy: "created_at", SortOrder: "desc"})
	if err != nil {
		t.Fatal(err)
	}
	wantQ := "created_from=2026-11-26&created_to=2026-11-27&page=2&sort_by=created_at&sort_order=desc&updated_from=2026-11-01&updated_to=2026-11-30"
	if queries.at(0) != wantQ {
		t.Errorf("query = %q; want %q", queries.at(0), wantQ)
	}
	if page.CurrentPage != 2 || page.LastPage != 3 || page.PerPage != 10 || page.Total != 21 || page.NextPageURL == nil || len(page.Data) != 2 {
		t.Fatalf("page = %+v", page)
	}
	a, b := page.Data[0], page.Data[1]
	if a.ID != 11 || a.Key != "abc" || a.CustomerEmail != "anna@example.se" || a.CustomerPhone != "+46701234567" || a.QuoteValue != 1234.5 || a.Signed {
		t.Errorf("first quote = %+v", a)
	}
	if !a.CreatedAt.Equal(time.Date(2026, 11, 26, 10, 15, 0, 0, time.UTC)) || !a.UpdatedAt.Equal(time.Date(2026, 11, 26, 10, 16, 0, 0, time.UTC)) {
		t.Errorf("times = %v, %v", a.CreatedAt, a.UpdatedAt)
	}
	if a.CustomFields != nil || a.Salesperson["name"] != "Sven" || a.Links.CustomerView != "https://app.salesbyte.se/view/abc" {
		t.Errorf("custom fields %v salesperson %v links %+v", a.CustomFields, a.Salesperson, a.Links)
	}
	if a.Extra["street"] != "Storgatan 1" || a.Extra["zip"] != "11122" {
		t.Errorf("Extra = %v", a.Extra)
	}
	if b.ID != 12 || !b.Signed || b.CustomFields["Bank"] != "SEB" || b.Salesperson["email"] != "s@x.se" || b.QuoteValue != 99 {
		t.Errorf("second quote = %+v", b)
	}
	if !b.CreatedAt.Equal(time.Date(2026, 11, 26, 9, 20, 0, 0, time.UTC)) {
		t.Errorf("zoned time = %v", b.CreatedAt)
	}

	last, err := c.List(context.Background(), ListOptions{Page: 3})
	if err != nil || last.NextPageURL != nil || queries.at(1) != "page=3" {
		t.Errorf("last page: %+v, %v, query %q", last, err, queries.at(1))
	}
}

func TestQuotesListOptionsRefused(t *testing.T) {
	c, err := NewQuotesClient("http://127.0.0.1:1", NewSecret(testToken), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []ListOptions{{Page: -1}, {CreatedFrom: "26/11/2026"}, {UpdatedTo: "2026-02-30"}, {SortBy: "name"}, {SortOrder: "up"}} {
		if _, err := c.List(context.Background(), o); err == nil {
			t.Errorf("List(%+v) succeeded; want an error", o)
		}
	}
}

func TestQuotesGet(t *testing.T) {
	srv, _ := quotesServer(t)
	c, _ := NewQuotesClient(srv.URL, NewSecret(testToken), nil)
	q, err := c.Get(context.Background(), "abc")
	if err != nil || q.ID != 11 || q.CustomerName != "Anna" {
		t.Errorf("Get(abc) = %+v, %v", q, err)
	}
	q, err = c.Get(context.Background(), "plain")
	if err != nil || q.ID != 13 || q.CreatedAt.Nanosecond() != 123456789 {
		t.Errorf("Get(plain) = %+v, %v", q, err)
	}
	_, err = c.Get(context.Background(), "missing")
	var se *Error
	if !errors.As(err, &se) || se.Status != 404 || se.Outcome != Rejected || !strings.Contains(err.Error(), `no quote has the key "missing"`) {
		t.Errorf("Get(missing) = %v", err)
	}
	if _, err := c.Get(context.Background(), "a/b"); err == nil {
		t.Error("Get(a/b) succeeded; want an error")
	}
}

func TestQuotesUnauthorized(t *testing.T) {
	srv, _ := quotesServer(t)
	const wrong = "wrong-token-123"
	c, _ := NewQuotesClient(srv.URL, NewSecret(wrong), nil)
	_, err := c.List(context.Background(), ListOptions{Page: 1})
	var se *Error
	if !errors.As(err, &se) || se.Status != 401 || se.Outcome != Rejected {
		t.Fatalf("got %v; want a rejected 401", err)
	}
	if !strings.Contains(err.Error(), "token was refused: check the token") {
		t.Errorf("error %q does not say the token was refused and what to do", err.Error())
	}
	if strings.Contains(fmt.Sprintf("%v %+v %#v", err, se, se), wrong) {
		t.Errorf("the token leaked: %v", err)
	}
	if _, err := NewQuotesClient(srv.URL, NewSecret(""), nil); !errors.Is(err, ErrNoSecret) {
		t.Errorf("empty token: %v", err)
	}
}

func TestKeyFromLink(t *testing.T) {
	tests := map[string]string{
		"https://app.salesbyte.se/view/abc123":                    "abc123",
		"https://app.salesbyte.se/view/abc123?project_approval=1": "abc123",
		"https://app.salesbyte.se/view/abc123/":                   "abc123",
		"https://app.salesbyte.se/view/abc123#top":                "abc123",
		" /view/k9 ":                             "k9",
		"https://app.salesbyte.se/signed/abc123": "",
		"":                                       "",
		"abc123":                                 "",
	}
	for in, want := range tests {
		if got := KeyFromLink(in); got != want {
			t.Errorf("KeyFromLink(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestParseTime(t *testing.T) {
	want := time.Date(2026, 11, 26, 10, 15, 0, 0, time.UTC)
	for _, s := range []string{"2026-11-26T10:15:00Z", "2026-11-26T10:15:00.000000Z", "2026-11-26 10:15:00", "2026-11-26T11:15:00+01:00", "2026-11-26T10:15:00"} {
		got, err := ParseTime(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "26/11/2026", "yesterday"} {
		if _, err := ParseTime(s); err == nil {
			t.Errorf("ParseTime(%q) succeeded; want an error", s)
		}
	}
}

func TestAPIQuoteRoundTrip(t *testing.T) {
	in := APIQuote{ID: 5, Key: "k", CustomerName: "Å", CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), Signed: true, QuoteValue: 1.5,
		CustomFields: map[string]any{"a": "b"}, Links: Links{CustomerView: "https://x/view/k"}}
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out APIQuote
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	if out.ID != in.ID || out.Key != in.Key || out.CustomerName != in.CustomerName || !out.CreatedAt.Equal(in.CreatedAt) || !out.Signed || out.QuoteValue != 1.5 || out.CustomFields["a"] != "b" || out.Links != in.Links {
		t.Errorf("round trip: got %+v; want %+v", out, in)
	}
	if err := json.Unmarshal([]byte(`{"id":"x1"}`), &out); err == nil {
		t.Error("a non-numeric id was accepted")
	}
	if err := json.Unmarshal([]byte(`{"created_at":"soon"}`), &out); err == nil {
		t.Error("an unreadable created_at was accepted")
	}
}

func TestSecretNeverPrints(t *testing.T) {
	s := NewSecret("  hunter2-uuid\n")
	if s.reveal() != "hunter2-uuid" || s.IsZero() || !NewSecret(" ").IsZero() {
		t.Fatalf("reveal %q, IsZero %v", s.reveal(), s.IsZero())
	}
	type holder struct {
		UUID Secret
		P    *Secret
	}
	h := holder{UUID: s, P: &s}
	raw, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "uuid", s, "holder", h)
	outs := []string{
		s.String(), s.GoString(), fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s %q %x %X %d", s, s, s, s, s, s, s, s),
		fmt.Sprintf("%v %+v %#v", h, h, &h), string(raw), logged.String(),
	}
	for _, o := range outs {
		if strings.Contains(o, "hunter2") {
			t.Errorf("secret printed: %q", o)
		}
	}
	if string(raw) != `{"UUID":"[redacted]","P":"[redacted]"}` {
		t.Errorf("json = %s", raw)
	}
	if got := s.scrub("a hunter2-uuid b hunter2-uuid"); got != "a [redacted] b [redacted]" {
		t.Errorf("scrub = %q", got)
	}
}

// A Quotes API transport failure shows neither Go's `Get "URL":`
// wrapping (the URL holds the quote key and the filters) nor the token.
func TestQuotesTransportFailureNeverShowsTheURL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
	}))
	t.Cleanup(srv.Close)
	c, err := NewQuotesClient(srv.URL, NewSecret(testToken), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Get(context.Background(), "secret-key-"+testToken)
	var se *Error
	if !errors.As(err, &se) {
		t.Fatalf("got %v; want *Error", err)
	}
	for e := error(se); e != nil; e = errors.Unwrap(e) {
		if s := fmt.Sprintf("%v %+v %#v", e, e, e); strings.Contains(s, "Get ") || strings.Contains(s, "://") || strings.Contains(s, testToken) {
			t.Errorf("%T shows the request: %q", e, s)
		}
	}
}

func TestParseTimeZoned(t *testing.T) {
	for _, c := range []struct {
		in    string
		zoned bool
	}{
		{"2026-11-30T13:05:09Z", true},
		{"2026-11-30T14:05:09+01:00", true},
		{"2026-11-30T13:05:09.123456Z", true},
		{"2026-11-30 13:05:09+01:00", true},
		{"2026-11-30 13:05:09", false},
		{"2026-11-30T13:05:09", false},
		{"2026-11-30", false},
	} {
		_, zoned, err := ParseTimeZoned(c.in)
		if err != nil || zoned != c.zoned {
			t.Errorf("ParseTimeZoned(%q): zoned %v, %v; want zoned %v", c.in, zoned, err, c.zoned)
		}
	}
}
