package salesbyte

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func TestClassifyStatus(t *testing.T) {
	laravel := []byte(`{"message":"The customer email must be a valid email address.","errors":{"customer_email":["The customer email must be a valid email address."],"customer_phone":"Bad phone."}}`)
	tests := []struct {
		status      int
		header      http.Header
		body        []byte
		outcome     Outcome // 0: nil error
		message     string
		fields      string
		retryAfter  time.Duration
		slowDown    bool
		errContains string
	}{
		{status: 200, outcome: 0},
		{status: 201, outcome: 0},
		{status: 204, outcome: 0},
		{status: 400, body: []byte("bad request"), outcome: Rejected, message: "bad request"},
		{status: 401, outcome: Rejected, message: "unauthorized"},
		{status: 403, outcome: Rejected, message: "forbidden"},
		{status: 404, body: []byte(`{"message":"Integration not found."}`), outcome: Rejected, message: "integration not found"},
		{status: 409, outcome: Rejected, message: "conflict"},
		{status: 422, body: laravel, outcome: Rejected, message: "the customer email must be a valid email address",
			fields:      "customer_email: the customer email must be a valid email address; customer_phone: bad phone",
			errContains: "HTTP 422: the customer email must be a valid email address (customer_email: the customer email must be a valid email address; customer_phone: bad phone)"},
		{status: 422, body: []byte(`{"errors":{"x":["Y is bad"]}}`), outcome: Rejected, message: "", fields: "x: y is bad"},
		{status: 422, body: []byte(`{"error":"SMS not allowed"}`), outcome: Rejected, message: "SMS not allowed"},
		{status: 422, body: []byte(`{"foo":"bar"}`), outcome: Rejected, message: `{"foo":"bar"}`},
		{status: 422, body: []byte(`[1,2]`), outcome: Rejected, message: `[1,2]`},
		{status: 429, outcome: Retry, message: "too many requests", slowDown: true},
		{status: 429, header: http.Header{"Retry-After": {"7"}}, outcome: Retry, message: "too many requests", retryAfter: 7 * time.Second, slowDown: true, errContains: "retry after 7s"},
		{status: 429, header: http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}, outcome: Retry, message: "too many requests", retryAfter: 90 * time.Second, slowDown: true},
		{status: 503, header: http.Header{"Retry-After": {"junk"}}, body: []byte("<html>\n  <b>Down</b>\n</html>"), outcome: Retry, message: "Down", slowDown: true},
		{status: 500, outcome: Ambiguous, message: "internal server error"},
		{status: 502, body: []byte("bad gateway"), outcome: Ambiguous, message: "bad gateway"},
		{status: 504, outcome: Ambiguous, message: "gateway timeout"},
		{status: 501, outcome: Ambiguous, message: "not implemented"},
		{status: 302, header: http.Header{"Location": {"https://app.salesbyte.se/login"}}, outcome: Ambiguous, message: "unexpected redirect to https://app.salesbyte.se/login"},
		{status: 100, outcome: Ambiguous, message: "continue"},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%d %s", tt.status, tt.body)
		t.Run(name, func(t *testing.T) {
			e := Classify(tt.status, tt.header, tt.body, nil, true, now)
			if tt.outcome == 0 {
				if e != nil {
					t.Fatalf("got %v; want nil", e)
				}
				return
			}
			if e == nil {
				t.Fatal("got nil; want an error")
			}
			if e.Outcome != tt.outcome || e.Status != tt.status || e.Message != tt.message {
				t.Errorf("got outcome %v status %d message %q; want %v %d %q", e.Outcome, e.Status, e.Message, tt.outcome, tt.status, tt.message)
			}
			if got := e.FieldsText(); got != tt.fields {
				t.Errorf("fields = %q; want %q", got, tt.fields)
			}
			if e.RetryAfter != tt.retryAfter {
				t.Errorf("RetryAfter = %v; want %v", e.RetryAfter, tt.retryAfter)
			}
			if e.SlowDown() != tt.slowDown {
				t.Errorf("SlowDown() = %v; want %v", e.SlowDown(), tt.slowDown)
			}
			if e.Temporary() != (tt.outcome == Retry) {
				t.Errorf("Temporary() = %v for outcome %v", e.Temporary(), e.Outcome)
			}
			if !strings.HasPrefix(e.Error(), fmt.Sprintf("HTTP %d", tt.status)) {
				t.Errorf("Error() = %q; want it to start with HTTP %d", e.Error(), tt.status)
			}
			if tt.errContains != "" && !strings.Contains(e.Error(), tt.errContains) {
				t.Errorf("Error() = %q; want it to contain %q", e.Error(), tt.errContains)
			}
		})
	}
}

func TestClassifyTruncatesRawBody(t *testing.T) {
	body := strings.Repeat("å ", 400)
	e := Classify(500, nil, []byte(body), nil, true, now)
	if n := len([]rune(e.Message)); n != maxBodyText+1 || !strings.HasSuffix(e.Message, "…") {
		t.Errorf("message has %d runes (%q…); want %d with a trailing …", n, e.Message[:20], maxBodyText+1)
	}
}

func TestClassifyMarkupBody(t *testing.T) {
	nginx := "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
	page := `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Oops</title><style>body{color:red}</style>
<script>var secret = "<b>not text</b>";</script></head>
<body><div class="x">Server&nbsp;Error &amp; more: &lt;b&gt; &#229;&#x00E4;</div><!-- a comment --><p>Try <b>again</b>.</p>
<script type="text/javascript">alert(1)</script><noscript>enable js</noscript></body></html>`
	tests := []struct {
		name, ctype, body, want string
	}{
		{"nginx 502", "text/html", nginx, "502 Bad Gateway nginx"},
		{"page", "", page, "Server Error & more: <b> åä Try again."},
		{"title only", "text/html", "<html><head><title>Down for maintenance</title></head><body></body></html>", "Down for maintenance"},
		{"html by content type", "text/html; charset=utf-8", "Bad &amp; <i>sad</i>", "Bad & sad"},
		{"plain text keeps its signs", "text/plain", "a < b & c > d", "a < b & c > d"},
		{"control characters", "text/plain", "line\x1b[31mred\x07\u202Eevil\r\nnext", "line [31mred evil next"},
		{"binary", "", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "an answer that is not text (18 bytes)"},
		{"binary without NUL", "application/octet-stream", strings.Repeat("\xff\xfe\x01\x02", 50), "an answer that is not text (200 bytes)"},
		{"latin-1 text stays text", "", "Fel p\xe5 servern", "Fel p\uFFFD servern"},
		{"laravel json as today", "application/json", `{"message":"The given data was <b>invalid</b>."}`, "the given data was <b>invalid</b>"},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.ctype != "" {
			h.Set("Content-Type", tt.ctype)
		}
		e := Classify(502, h, []byte(tt.body), nil, true, now)
		if e.Message != tt.want {
			t.Errorf("%s: message %q; want %q", tt.name, e.Message, tt.want)
		}
	}
}

func TestClassifyHugeMarkupBody(t *testing.T) {
	body := "<html><body>" + strings.Repeat("<p>Something went wrong &amp; again</p>\n", 50000) + "</body></html>"
	e := Classify(500, nil, []byte(body), nil, true, now)
	if n := len([]rune(e.Message)); n != maxBodyText+1 || !strings.HasSuffix(e.Message, "…") || !strings.HasPrefix(e.Message, "Something went wrong & again Something") {
		t.Errorf("message has %d runes: %q; want %d from the text with a trailing …", n, e.Message, maxBodyText+1)
	}
	if strings.ContainsAny(e.Message, "<>") {
		t.Errorf("markup left in %q", e.Message)
	}
}

func TestClassifyTransportErrors(t *testing.T) {
	dns := &url.Error{Op: "Post", URL: "https://x.invalid/", Err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}}}
	refused := &url.Error{Op: "Post", URL: "http://127.0.0.1:1/", Err: &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}
	reset := &url.Error{Op: "Post", URL: "http://127.0.0.1:1/", Err: &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}}
	eof := &url.Error{Op: "Post", URL: "http://127.0.0.1:1/", Err: io.EOF}
	const (
		notFound = `the host name "x.invalid" could not be found`
		refusedW = "the connection was refused (is the address right, and the service up?)"
		closed   = "the connection was closed by the server or the network"
		stopped  = "the run was stopped"
		timedOut = "no answer within the time allowed"
	)
	tests := []struct {
		name  string
		err   error
		wrote bool
		want  Outcome
		says  string // in plain words, without Go's `Post "url": …` wrapping
	}{
		{"dns before write", dns, false, Retry, notFound},
		{"dns even if wrote claimed", dns, true, Retry, notFound},
		{"refused", refused, false, Retry, refusedW},
		{"refused wrote claimed", refused, true, Retry, refusedW},
		{"reset before write", reset, false, Retry, closed},
		{"reset after write", reset, true, Ambiguous, "it may have been created: " + closed},
		{"eof after write", eof, true, Ambiguous, "it may have been created: " + closed},
		{"canceled before write", fmt.Errorf("post: %w", context.Canceled), false, Retry, stopped},
		{"canceled after write", fmt.Errorf("post: %w", context.Canceled), true, Ambiguous, "it may have been created: " + stopped},
		{"deadline before write", context.DeadlineExceeded, false, Retry, timedOut},
		{"deadline after write", context.DeadlineExceeded, true, Ambiguous, "it may have been created: " + timedOut},
		{"tls handshake timeout", errors.New("net/http: TLS handshake timeout"), true, Retry, "TLS handshake timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Classify(0, nil, nil, tt.err, tt.wrote, now)
			if e == nil || e.Outcome != tt.want {
				t.Fatalf("got %v; want outcome %v", e, tt.want)
			}
			if e.Status != 0 || !errors.Is(e, tt.err) {
				t.Errorf("status %d, errors.Is(original) = %v; want 0, true", e.Status, errors.Is(e, tt.err))
			}
			if !strings.Contains(e.Error(), tt.says) || strings.Contains(e.Error(), "Post \"") {
				t.Errorf("Error() = %q; want it to say %q, without Go's request wrapping", e.Error(), tt.says)
			}
		})
	}
	if e := Classify(0, nil, nil, nil, true, now); e == nil || e.Outcome != Ambiguous {
		t.Errorf("no status and no error: got %v; want ambiguous", e)
	}
}

func TestParseRetryAfter(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"  ", 0, false},
		{"0", 0, true},
		{"5", 5 * time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"1.5", 1500 * time.Millisecond, true},
		{"-3", 0, true},
		{"3600", time.Hour, true},
		{"86400", time.Hour, true},
		{"99999999999999999999999", time.Hour, true},
		{now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second, true},
		{now.Add(-30 * time.Second).Format(http.TimeFormat), 0, true},
		{now.Add(48 * time.Hour).Format(http.TimeFormat), time.Hour, true},
		{now.Add(10 * time.Second).Format(time.RFC850), 10 * time.Second, true},
		{now.Add(10 * time.Second).Format(time.ANSIC), 10 * time.Second, true},
		{"soon", 0, false},
		{"NaN", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestTidy(t *testing.T) {
	tests := map[string]string{
		"The field is required.": "the field is required",
		"SMS is off.":            "SMS is off",
		"":                       "",
		"ok":                     "ok",
		"Ärendet saknas.":        "ärendet saknas",
	}
	for in, want := range tests {
		if got := tidy(in); got != want {
			t.Errorf("tidy(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestOutcomeString(t *testing.T) {
	for o, want := range map[Outcome]string{Retry: "retry", Rejected: "rejected", Ambiguous: "ambiguous", 0: "outcome(0)"} {
		if got := o.String(); got != want {
			t.Errorf("%d.String() = %q; want %q", int(o), got, want)
		}
	}
}
