package salesbyte

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// echoedForms are the ways a server or a library may write testUUID back.
func echoedForms(v string) map[string]string {
	return map[string]string{
		"plain":               v,
		"upper case":          strings.ToUpper(v),
		"no dashes":           strings.ReplaceAll(v, "-", ""),
		"no dashes upper":     strings.ToUpper(strings.ReplaceAll(v, "-", "")),
		"dashes escaped":      strings.ReplaceAll(v, "-", "%2D"),
		"dashes escaped low":  strings.ReplaceAll(v, "-", "%2d"),
		"every byte escaped":  percentAll(v, false),
		"lower-case escapes":  percentAll(v, true),
		"some dashes dropped": strings.Replace(v, "-", "", 2),
	}
}

// percentAll escapes every byte of v as %XX (lower-case hex when lower).
func percentAll(v string, lower bool) string {
	format := "%%%02X"
	if lower {
		format = "%%%02x"
	}
	var b strings.Builder
	for _, c := range []byte(v) {
		fmt.Fprintf(&b, format, c)
	}
	return b.String()
}

func TestScrubEveryForm(t *testing.T) {
	s := NewSecret(testUUID)
	for name, form := range echoedForms(testUUID) {
		got := s.scrub("Integration " + form + " is disabled")
		if got != "Integration [redacted] is disabled" {
			t.Errorf("%s (%s): scrub gave %q", name, form, got)
		}
	}
	// The reported case: the uuid as 32 hex digits.
	u := NewSecret("11111111-2222-4333-8444-555555555555")
	if got := u.scrub("Integration 11111111222243338444555555555555 is disabled"); got != "Integration [redacted] is disabled" {
		t.Errorf("uuid without dashes: %q", got)
	}
	if got := u.scrub("Integration 11111111222243338444555555555556 is disabled, id 1111-1111"); !strings.Contains(got, "5556") || !strings.Contains(got, "1111-1111") {
		t.Errorf("scrub ate text that is not the uuid: %q", got)
	}
}

func TestScrubEscapedForms(t *testing.T) {
	// A token with characters that escaping changes.
	const tok = "ab/c d+e?f&g=h"
	s := NewSecret(tok)
	forms := map[string]string{
		"plain":        tok,
		"query":        url.QueryEscape(tok),
		"path":         url.PathEscape(tok),
		"query lower":  strings.ToLower(url.QueryEscape(tok)),
		"path lower":   strings.ToLower(url.PathEscape(tok)),
		"all escaped":  percentAll(tok, false),
		"upper case":   strings.ToUpper(tok),
		"blank as %20": strings.ReplaceAll(url.QueryEscape(tok), "+", "%20"),
	}
	for name, form := range forms {
		if got := s.scrub("<" + form + ">"); got != "<[redacted]>" {
			t.Errorf("%s (%s): scrub gave %q", name, form, got)
		}
	}
}

// A server echoing the uuid, in any form, in its error: the error that
// reaches the importer shows none of them.
func TestCreateScrubsEchoedForms(t *testing.T) {
	for name, form := range echoedForms(testUUID) {
		for _, laravel := range []bool{true, false} {
			srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request, _ map[string]any) {
				w.WriteHeader(http.StatusForbidden)
				msg := "Integration " + form + " is disabled"
				if laravel {
					_ = json.NewEncoder(w).Encode(map[string]any{"message": msg, "errors": map[string][]string{form: {msg}}})
					return
				}
				_, _ = w.Write([]byte(msg))
			})
			_, err := newTestClient(t, srv.URL, nil).Create(context.Background(), Quote, validQuote())
			se := outcomeOf(t, err)
			text := err.Error() + " " + se.Message + " " + se.FieldsText()
			if strings.Contains(text, form) || !strings.Contains(err.Error(), "integration [redacted] is disabled") &&
				!strings.Contains(err.Error(), "Integration [redacted] is disabled") {
				t.Errorf("%s (laravel %v): %q", name, laravel, text)
			}
		}
	}
}

// scrubError cleans every part of an *Error, whatever path built it:
// its message, its field names and messages, and the errors it wraps.
func TestScrubErrorCleansEveryPart(t *testing.T) {
	s := NewSecret(testUUID)
	e := s.scrubError(&Error{
		Outcome: Rejected, Status: 422,
		Message: "bad " + testUUID,
		Fields:  map[string][]string{"uuid." + testUUID: {"is " + strings.ToUpper(testUUID)}},
		Err:     fmt.Errorf("wrapped: %w", errors.New("inner "+testUUID)),
	})
	texts := []string{e.Error(), fmt.Sprintf("%+v", e), e.Message, e.FieldsText()}
	for k, v := range e.Fields {
		texts = append(texts, k, strings.Join(v, " "))
	}
	// What it wraps shows as scrubbed too (the chain below stays whole,
	// for errors.Is and errors.As).
	texts = append(texts, e.Err.Error(), fmt.Sprintf("%v", e.Err), fmt.Sprintf("%q", e.Err), fmt.Sprintf("%#v", e.Err))
	for _, txt := range texts {
		if strings.Contains(strings.ToLower(txt), testUUID) {
			t.Errorf("the uuid is in %q", txt)
		}
	}
}
