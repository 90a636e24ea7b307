package salesbyte

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"
)

// Outcome says what a failed request means for its row.
type Outcome int

const (
	// Retry: the server certainly did not process the request (it was
	// never fully sent, or the server said to slow down). Safe to resend.
	Retry Outcome = iota + 1
	// Rejected: the server refused the request (4xx). A definite
	// failure; resending the same body fails again.
	Rejected
	// Ambiguous: the request reached the server and no clear answer came
	// back (timeout, reset, 5xx). The quote may have been created; never
	// resend without reconciling.
	Ambiguous
)

func (o Outcome) String() string {
	switch o {
	case Retry:
		return "retry"
	case Rejected:
		return "rejected"
	case Ambiguous:
		return "ambiguous"
	}
	return "outcome(" + strconv.Itoa(int(o)) + ")"
}

// MaxRetryAfter caps a server's Retry-After.
const MaxRetryAfter = time.Hour

// maxMessage is how much of a Laravel message (or field message) is kept.
const maxMessage = 300

// Error is a request that did not succeed, classified.
type Error struct {
	Outcome Outcome
	// Status is the HTTP status, or 0 when no answer came.
	Status int
	// Message is the server's message (a Laravel "message", or the body's
	// text: markup stripped, one line, at most 200 characters), or a
	// description of the transport failure.
	Message string
	// Fields holds a Laravel 422's per-field errors.
	Fields map[string][]string
	// RetryAfter is the server's Retry-After, when it sent one.
	RetryAfter time.Duration
	// Err is the transport error, when there was one.
	Err error
}

// Error reads e.g. "HTTP 422: the customer email must be a valid email
// address (customer_email: must be a valid email address)".
func (e *Error) Error() string {
	var b strings.Builder
	if e.Status != 0 {
		fmt.Fprintf(&b, "HTTP %d", e.Status)
		if e.Message != "" {
			b.WriteString(": ")
			b.WriteString(e.Message)
		}
	} else {
		b.WriteString(e.Message)
		if e.Err != nil {
			if e.Message != "" {
				b.WriteString(": ")
			}
			b.WriteString(plainCause(e.Err))
		}
	}
	if len(e.Fields) > 0 {
		b.WriteString(" (")
		b.WriteString(e.FieldsText())
		b.WriteString(")")
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	return b.String()
}

// FieldsText lists the field errors as "field: msg, msg; field2: msg",
// fields sorted.
func (e *Error) FieldsText() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+strings.Join(e.Fields[k], ", "))
	}
	return strings.Join(parts, "; ")
}

func (e *Error) Unwrap() error { return e.Err }

// SlowDown reports whether the server asked the whole run to slow down
// (429 or 503).
func (e *Error) SlowDown() bool {
	return e.Status == http.StatusTooManyRequests || e.Status == http.StatusServiceUnavailable
}

// Temporary reports whether resending is safe and may succeed.
func (e *Error) Temporary() bool { return e.Outcome == Retry }

// Classify turns what came back from a request into an *Error; it is
// pure. status is the HTTP status (0 when none came), body the answer's
// body, err the transport error, wrote whether the request was fully
// written. It returns nil for a 2xx status.
//
// Retry: connection refused, DNS, TLS handshake, any error before the
// request was written, 429, 503. Rejected: 4xx. Ambiguous: an error
// after the request was written, 5xx, and anything unexpected (1xx, 3xx).
func Classify(status int, header http.Header, body []byte, err error, wrote bool, now time.Time) *Error {
	if status != 0 {
		if status >= 200 && status <= 299 {
			return nil
		}
		e := &Error{Status: status}
		e.Message, e.Fields = parseBody(body, header != nil && strings.Contains(strings.ToLower(header.Get("Content-Type")), "html"))
		if e.Message == "" && len(e.Fields) == 0 {
			e.Message = strings.ToLower(http.StatusText(status))
			if status >= 300 && status <= 399 && header != nil && header.Get("Location") != "" {
				e.Message = "unexpected redirect to " + truncate(collapse(header.Get("Location")), maxMessage)
			}
		}
		switch {
		case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable:
			e.Outcome = Retry
			if header != nil {
				if d, ok := ParseRetryAfter(header.Get("Retry-After"), now); ok {
					e.RetryAfter = d
				}
			}
		case status >= 400 && status <= 499:
			e.Outcome = Rejected
		default:
			e.Outcome = Ambiguous
		}
		return e
	}
	if err == nil {
		return &Error{Outcome: Ambiguous, Message: "no answer and no error from the server; it may have been created"}
	}
	e := &Error{Err: err}
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		if wrote {
			e.Outcome = Ambiguous
			e.Message = "stopped waiting after the request was sent; it may have been created"
		} else {
			e.Outcome = Retry
			e.Message = "stopped before the request was sent"
		}
	case neverSent(err):
		e.Outcome = Retry
		e.Message = "the request was not sent"
	case !wrote:
		e.Outcome = Retry
		e.Message = "the request was not fully sent"
	default:
		e.Outcome = Ambiguous
		e.Message = "no answer after the request was sent; it may have been created"
	}
	return e
}

// plainCause says in plain words what a transport error was, without Go's
// wrapping (`Post "https://…/integrations/create_quote": EOF`).
func plainCause(err error) string {
	var dns *net.DNSError
	switch {
	case errors.As(err, &dns):
		return "the host name " + strconv.Quote(dns.Name) + " could not be found"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "the connection was refused (is the address right, and the service up?)"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return "the connection was closed by the server or the network"
	case errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		return "no answer within the time allowed"
	case errors.Is(err, context.Canceled):
		return "the run was stopped"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// neverSent recognises errors that can only happen before a request goes
// out: DNS, connect and TLS handshake failures.
func neverSent(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH) {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var rh tls.RecordHeaderError
	var alert tls.AlertError
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	if errors.As(err, &rh) || errors.As(err, &alert) || errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &hn) || errors.As(err, &ci) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "TLS handshake timeout") || strings.Contains(msg, "tls: first record does not look like a TLS handshake")
}

// parseBody reads an error body: Laravel's {"message", "errors"} when it
// has that shape (or {"error": "..."}), else its text (see bodyText).
func parseBody(body []byte, isHTML bool) (string, map[string][]string) {
	trimmed := strings.TrimSpace(string(body))
	if strings.HasPrefix(trimmed, "{") {
		var obj map[string]json.RawMessage
		if json.Unmarshal([]byte(trimmed), &obj) == nil {
			msg := jsonString(obj["message"])
			if msg == "" {
				msg = jsonString(obj["error"])
			}
			fields := jsonFields(obj["errors"])
			if msg != "" || len(fields) > 0 {
				return tidy(truncate(msg, maxMessage)), fields
			}
		}
	}
	return bodyText(body, isHTML, maxBodyText), nil
}

func jsonString(raw json.RawMessage) string {
	var s string
	if len(raw) == 0 || json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return collapse(s)
}

// jsonFields reads Laravel's errors object; each value may be a list of
// messages or a single message.
func jsonFields(raw json.RawMessage) map[string][]string {
	var obj map[string]json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &obj) != nil || len(obj) == 0 {
		return nil
	}
	out := make(map[string][]string, len(obj))
	for k, v := range obj {
		var list []string
		if json.Unmarshal(v, &list) != nil {
			var one string
			if json.Unmarshal(v, &one) != nil {
				one = collapse(string(v))
			}
			list = []string{one}
		}
		for i := range list {
			list[i] = tidy(truncate(collapse(list[i]), maxMessage))
		}
		out[k] = list
	}
	return out
}

// tidy makes a server sentence read as part of ours: first letter
// lower-cased (unless it starts an acronym), trailing period dropped.
func tidy(s string) string {
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || !unicode.IsUpper(r) {
		return s
	}
	if r2, _ := utf8.DecodeRuneInString(s[n:]); unicode.IsUpper(r2) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// truncate keeps at most n runes of s, marking a cut with "…".
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// ParseRetryAfter reads a Retry-After header: seconds or an HTTP date.
// A date in the past or a negative number gives 0; more than an hour is
// capped at MaxRetryAfter. ok is false when v is empty or unreadable.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if math.IsNaN(f) {
			return 0, false
		}
		if f <= 0 {
			return 0, true
		}
		if f >= MaxRetryAfter.Seconds() {
			return MaxRetryAfter, true
		}
		return time.Duration(math.Ceil(f * float64(time.Second))), true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	if d < 0 {
		return 0, true
	}
	if d > MaxRetryAfter {
		return MaxRetryAfter, true
	}
	return d, true
}
