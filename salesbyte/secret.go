package salesbyte

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

const redacted = "[redacted]"

// Secret holds a credential (the integration uuid or a Quotes API token).
// Every way of printing, logging or encoding it shows "[redacted]"; only
// this package reads the value.
type Secret struct {
	v  string
	re *regexp.Regexp // every echoed form of v, see echoes
}

// NewSecret wraps a credential; surrounding blanks (a file's trailing
// newline) are dropped.
func NewSecret(s string) Secret {
	v := strings.TrimSpace(s)
	return Secret{v: v, re: echoes(v)}
}

// echoes matches v as a server or a library may echo it: in any letter
// case, with or without its dashes (a uuid written as 32 hex digits),
// and with any character percent-escaped (upper- or lower-case hex, as
// query and path escaping write it) or, for a blank, written as "+".
func echoes(v string) *regexp.Regexp {
	if v == "" {
		return nil
	}
	var b strings.Builder
	b.WriteString("(?i)")
	for _, r := range v {
		b.WriteString("(?:")
		b.WriteString(regexp.QuoteMeta(string(r)))
		b.WriteString("|")
		for _, c := range []byte(string(r)) {
			fmt.Fprintf(&b, "%%%02X", c)
		}
		if r == ' ' {
			b.WriteString(`|\+`)
		}
		b.WriteString(")")
		if r == '-' {
			b.WriteString("?")
		}
	}
	return regexp.MustCompile(b.String())
}

// IsZero reports whether no credential was given.
func (s Secret) IsZero() bool { return s.v == "" }

func (s Secret) String() string   { return redacted }
func (s Secret) GoString() string { return redacted }

// Format prints "[redacted]" for every verb, %x and %q included.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redacted) }

// MarshalJSON encodes the secret as "[redacted]".
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText encodes the secret as [redacted] (YAML, XML, map keys).
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// LogValue keeps the secret out of log/slog output.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

func (s Secret) reveal() string { return s.v }

// scrub replaces every occurrence of the secret in text by
// "[redacted]": plain, in another letter case, without dashes, query- or
// path-escaped (see echoes).
func (s Secret) scrub(text string) string {
	if s.v == "" || text == "" {
		return text
	}
	re := s.re
	if re == nil { // a Secret made without NewSecret
		re = echoes(s.v)
	}
	return re.ReplaceAllLiteralString(text, redacted)
}

// scrubbedError hides a secret from an error's text while keeping the
// error chain for errors.Is and errors.As.
type scrubbedError struct {
	err    error
	secret Secret
}

func (e *scrubbedError) Error() string { return e.secret.scrub(e.err.Error()) }
func (e *scrubbedError) Unwrap() error { return e.err }

// Format prints the scrubbed text for every verb (%#v would otherwise
// print the fields, the secret among them).
func (e *scrubbedError) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		_, _ = io.WriteString(f, strconv.Quote(e.Error()))
		return
	}
	_, _ = io.WriteString(f, e.Error())
}

// Timeout forwards the wrapped error's Timeout, as net.Error has it.
func (e *scrubbedError) Timeout() bool {
	t, ok := e.err.(interface{ Timeout() bool })
	return ok && t.Timeout()
}

// transportErr is a failed request's error without Go's wrapping (a
// *url.Error shows the method and the whole URL) and with the secret
// scrubbed from its text.
func (s Secret) transportErr(err error) error {
	var ue *url.Error
	for errors.As(err, &ue) && ue.Err != nil {
		err = ue.Err
	}
	return s.scrubErr(err)
}

func (s Secret) scrubErr(err error) error {
	if err == nil || s.v == "" {
		return err
	}
	return &scrubbedError{err: err, secret: s}
}

// scrubError removes the secret from everything an *Error shows.
func (s Secret) scrubError(e *Error) *Error {
	if e == nil || s.v == "" {
		return e
	}
	e.Message = s.scrub(e.Message)
	if e.Fields != nil {
		clean := make(map[string][]string, len(e.Fields))
		for k, msgs := range e.Fields {
			out := make([]string, len(msgs))
			for i, m := range msgs {
				out[i] = s.scrub(m)
			}
			clean[s.scrub(k)] = out
		}
		e.Fields = clean
	}
	e.Err = s.scrubErr(e.Err)
	return e
}

// ErrNoSecret: a client was made without its secret (the integration
// uuid, or the Quotes API token).
var ErrNoSecret = errors.New("the secret (integration uuid or API token) is empty")

// ErrSecretInBaseURL: the base URL given holds the secret itself; only
// SalesByte's address belongs there.
var ErrSecretInBaseURL = errors.New("the base URL holds the secret; give only SalesByte's address")

// With hands the secret's value to fn, for a keyed hash of it (the
// ledger's fingerprint of the integration): the value is never returned,
// so it cannot end up in a string that is printed or logged.
func (s Secret) With(fn func(value string)) { fn(s.v) }
