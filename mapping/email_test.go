package mapping

import (
	"strings"
	"testing"

	"github.com/sbimport/sbimport/salesbyte"
)

// emailTable holds addresses already in ParseEmail's output form (trimmed,
// unwrapped, domain in lower case), valid and not. For each of them
// ParseEmail and salesbyte.ValidEmail, the rule requests are validated
// with, must agree.
var emailTable = []string{
	"anna@example.se", "Anna.Svensson@example.se", "anna+test@sub.example.se", "åsa@företag.se",
	"o'brien@example.com", "x@sub-domain.example.com", "a@b.se", "anna€@example.se", "anna!#$%&*=?^_`{|}~-@example.se",
	"anna@example.a1", "anna@x.1", "anna@example.s3", "anna@x", "anna@x.c", "anna@-x.se", "anna@x-.se", "anna@x..se",
	".anna@x.se", "anna.@x.se", "an..na@x.se", "an(na@x.se", "an<na@x.se", "an\"na@x.se", "an:na@x.se",
	"anna@exa_mple.se", "anna@example.se.", "anna@" + strings.Repeat("a", 64) + ".se",
	strings.Repeat("a", 65) + "@x.se", strings.Repeat("a", 64) + "@x.se",
	"anna@" + strings.Repeat("abcdefghi.", 25) + "se",
}

// TestParseEmailAgreesWithValidEmail keeps the two from drifting apart: a
// cell the mapper accepts is never refused by validation as a bad e-mail,
// and an address validation takes is not refused by the mapper.
func TestParseEmailAgreesWithValidEmail(t *testing.T) {
	for _, s := range emailTable {
		got, err := ParseEmail(s)
		valid := salesbyte.ValidEmail(s)
		switch {
		case valid && (err != nil || got != s):
			t.Errorf("ParseEmail(%q) = %q, %v; salesbyte.ValidEmail takes it as it is", s, got, err)
		case !valid && err == nil:
			t.Errorf("ParseEmail(%q) = %q; salesbyte.ValidEmail refuses it", s, got)
		}
	}
	// The table must hold both kinds, or it proves nothing.
	var good, bad int
	for _, s := range emailTable {
		if salesbyte.ValidEmail(s) {
			good++
		} else {
			bad++
		}
	}
	if good < 5 || bad < 10 {
		t.Fatalf("emailTable has %d valid and %d invalid addresses; want both kinds", good, bad)
	}
}

// FuzzParseEmail: whatever ParseEmail returns passes salesbyte.ValidEmail.
func FuzzParseEmail(f *testing.F) {
	for _, s := range append(emailTable, " Anna <anna@Example.SE> ", "mailto:anna@x.se", "anna@x.se; bo@y.se", "ANNA@EXAMPLE.A1") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseEmail(s)
		if err == nil && !salesbyte.ValidEmail(got) {
			t.Fatalf("ParseEmail(%q) = %q, which salesbyte.ValidEmail refuses", s, got)
		}
		if err != nil && !strings.Contains(err.Error(), "expected") {
			t.Fatalf("ParseEmail(%q) error %q gives no example", s, err)
		}
	})
}
