package mapping

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestParsePhone(t *testing.T) {
	good := []struct{ in, want string }{
		{"070-123 45 67", "+46701234567"},
		{"0701234567", "+46701234567"},
		{"070 123 45 67", "+46701234567"},
		{"070-1234567", "+46701234567"},
		{"+46 (0)70 123 45 67", "+46701234567"},
		{"+46(0)701234567", "+46701234567"},
		{"0046 70 123 45 67", "+46701234567"},
		{"0046701234567", "+46701234567"},
		{"46701234567", "+46701234567"},
		{"+46701234567", "+46701234567"},
		{"+46 70 123 45 67", "+46701234567"},
		{" 070.123.45.67 ", "+46701234567"},
		{"\u00a0070\u00a0123\u00a045\u00a067", "+46701234567"},
		{"701234567", "+46701234567"},       // leading zero lost in a number cell
		{"701234567.0", "+46701234567"},     // and shown as a float
		{"4.6701234567E10", "+46701234567"}, // E-notation
		{"4,6701234567E+10", "+46701234567"},
		{"46701234567.0", "+46701234567"},
		{"08-123 456 78", "+46812345678"},
		{"031-123 45 67", "+46311234567"},
		{"(08) 123 456 78", "+46812345678"},
		{"070-123 45 67 ankn. 12", "+46701234567"},
		{"08-123 456 78 ankn 3", "+46812345678"},
		{"08-123 456 78, ankn. 3", "+46812345678"},
		{"+47 22 12 34 56", "+4722123456"},
		{"+44 20 7946 0958", "+442079460958"},
		{"0047 22 12 34 56", "+4722123456"},
		{"+1 415 555 2671", "+14155552671"},
	}
	for _, c := range good {
		got, err := ParsePhone(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParsePhone(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	bad := []struct{ in, wantIn string }{
		{"", "empty"},
		{"08-12", "not a phone number"},
		{"12345", "not a phone number"},
		{"070-123 45 67 / 08-123 456 78", "two phone numbers"},
		{"0701234567, 0707654321", "two phone numbers"},
		{"070-123 45 67 eller 08-123 456 78", "two phone numbers"},
		{"ring mig", "not a phone number"},
		{"070-ABC 45 67", "not a phone number"},
		{"+46 70 + 123", "not a phone number"},
		{"0000000000", "not a phone number"},
		{"+999 123 456 789", "not a phone number"},
		{"07012345678901234567890", "not a phone number"},
		{"1.5E3", "not a phone number"},
	}
	for _, c := range bad {
		got, err := ParsePhone(c.in)
		if err == nil {
			t.Errorf("ParsePhone(%q) = %q; want an error", c.in, got)
			continue
		}
		if !strings.Contains(err.Error(), c.wantIn) || !strings.Contains(err.Error(), "expected e.g.") {
			t.Errorf("ParsePhone(%q) error %q; want it to contain %q and an example", c.in, err, c.wantIn)
		}
	}
}

func TestParseDate(t *testing.T) {
	good := []struct{ in, want string }{
		{"2026-12-31", "2026-12-31"},
		{"2026-12-31 00:00", "2026-12-31"},
		{"2026-12-31 00:00:00", "2026-12-31"},
		{"2026-12-31 23:59:59", "2026-12-31"},
		{"2026-12-31T00:00:00", "2026-12-31"},
		{"2026-1-5", "2026-01-05"},
		{"2026/12/31", "2026-12-31"},
		{"20261231", "2026-12-31"},
		{"31/12/2026", "2026-12-31"},
		{"31.12.2026", "2026-12-31"},
		{"31-12-2026", "2026-12-31"},
		{"1/2/2026", "2026-02-01"},
		{"31/12/2026 10:30", "2026-12-31"},
		{"31 dec 2026", "2026-12-31"},
		{"31 december 2026", "2026-12-31"},
		{"31 December 2026", "2026-12-31"},
		{"1 maj 2026", "2026-05-01"},
		{"1 May 2026", "2026-05-01"},
		{"3 okt 2026", "2026-10-03"},
		{"3 oct. 2026", "2026-10-03"},
		{"3 mars 2026", "2026-03-03"},
		{"5 sept 2026", "2026-09-05"},
		{"December 31, 2026", "2026-12-31"},
		{"29 feb 2028", "2028-02-29"},
		{" 2026-12-31 ", "2026-12-31"},
	}
	for _, c := range good {
		got, err := ParseDate(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseDate(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	bad := []string{"", "2026-13-01", "2026-02-30", "29 feb 2027", "31/12/26", "12/31/2026",
		"tomorrow", "2026-12-31 25:00", "2026-12-31 junk", "46387", "31 foo 2026", "2026-12", "2026-12/31", "0000-01-01"}
	for _, in := range bad {
		if got, err := ParseDate(in); err == nil {
			t.Errorf("ParseDate(%q) = %q; want an error", in, got)
		} else if !strings.Contains(err.Error(), "expected") {
			t.Errorf("ParseDate(%q) error %q gives no example", in, err)
		}
	}
}

// boolSpellings is every spelling ParseBool takes, with its value. A
// negative must never read as yes: n, nej, no, 0, 0.0, falskt are false.
var boolSpellings = []struct {
	in   string
	want bool
}{
	{"true", true}, {"false", false},
	{"ja", true}, {"nej", false}, {"j", true}, {"n", false},
	{"yes", true}, {"no", false}, {"y", true},
	{"sant", true}, {"falskt", false},
	{"1", true}, {"0", false}, {"1.0", true}, {"0.0", false},
	{"x", true}, {"✓", true}, {"✔", true},
}

func TestParseBool(t *testing.T) {
	for _, c := range boolSpellings {
		// As written, in capitals, capitalised, and with the blanks a
		// spreadsheet leaves around a value.
		for _, in := range []string{c.in, strings.ToUpper(c.in), capitalised(c.in), " " + c.in + "\u00a0", "\t" + c.in + " "} {
			got, err := ParseBool(in)
			if err != nil || got != c.want {
				t.Errorf("ParseBool(%q) = %v, %v; want %v", in, got, err, c.want)
			}
		}
	}
	for _, in := range []string{"", " ", "kanske", "2", "-1", "yes please", "-", "nja", "jo", "nope", "ok", "on", "off",
		"0,0", "1,0", "00", "01", "0.5", "1.00", "t", "f", "xx", "✗", "✘", "n/a", "ej", "inte"} {
		if got, err := ParseBool(in); err == nil {
			t.Errorf("ParseBool(%q) = %v; want an error", in, got)
		} else if !strings.Contains(err.Error(), "expected") {
			t.Errorf("ParseBool(%q) error %q gives no example", in, err)
		}
	}
}

func capitalised(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// TestBoolSpellingsAllTested: a spelling added to ParseBool needs its line
// in boolSpellings, so its value is tested.
func TestBoolSpellingsAllTested(t *testing.T) {
	tested := map[string]bool{}
	for _, c := range boolSpellings {
		tested[c.in] = true
	}
	for w := range boolWords {
		if !tested[w] {
			t.Errorf("ParseBool takes %q but boolSpellings does not test it", w)
		}
	}
	if len(tested) != len(boolWords) {
		t.Errorf("boolSpellings has %d spellings, ParseBool %d", len(tested), len(boolWords))
	}
}

func TestParseInt(t *testing.T) {
	good := map[string]int64{"115": 115, " 115 ": 115, "115.0": 115, "115,0": 115, "-3": -3, "1 150": 1150,
		"1\u00a0150": 1150, "0": 0, "007": 7, "1.15E2": 115}
	for in, want := range good {
		got, err := ParseInt(in)
		if err != nil || got != want {
			t.Errorf("ParseInt(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "115.5", "abc", "11a", "1e400", "0x10", "Inf", "NaN"} {
		if got, err := ParseInt(in); err == nil {
			t.Errorf("ParseInt(%q) = %v; want an error", in, got)
		}
	}
}

func TestParseNumber(t *testing.T) {
	good := map[string]float64{"1234.5": 1234.5, "1234,5": 1234.5, "1 234,50": 1234.5, "1\u00a0234,50": 1234.5,
		"1\u202f234,50": 1234.5, "1.234,5": 1234.5, "1,234.5": 1234.5, "1.234.567": 1234567, "1,234,567": 1234567,
		"-3": -3, "\u22123,5": -3.5, "1.5E3": 1500, "0,25": 0.25, "115": 115}
	for in, want := range good {
		got, err := ParseNumber(in)
		if err != nil || got != want {
			t.Errorf("ParseNumber(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "abc", "1,2,3.4.5", "Inf", "NaN", "0x10", "1_000", "1e", "--1", "12kr", "1e5e5", ","} {
		if got, err := ParseNumber(in); err == nil {
			t.Errorf("ParseNumber(%q) = %v; want an error", in, got)
		}
	}
}

func TestParseEmail(t *testing.T) {
	good := map[string]string{
		"anna@example.se":            "anna@example.se",
		" Anna.Svensson@Example.SE ": "Anna.Svensson@example.se",
		"anna+test@sub.example.se":   "anna+test@sub.example.se",
		"Anna Svensson <anna@x.se>":  "anna@x.se",
		"mailto:anna@x.se":           "anna@x.se",
		"åsa@företag.se":             "åsa@företag.se",
		"o'brien@example.com":        "o'brien@example.com",
	}
	for in, want := range good {
		got, err := ParseEmail(in)
		if err != nil || got != want {
			t.Errorf("ParseEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := []string{"", "anna", "anna@", "@x.se", "anna@x", "anna@@x.se", "anna @x.se", "anna@x..se",
		"anna@-x.se", ".anna@x.se", "anna.@x.se", "anna@x.se; bo@y.se", "anna@x.se, bo@y.se", "anna@x.1"}
	for _, in := range bad {
		if got, err := ParseEmail(in); err == nil {
			t.Errorf("ParseEmail(%q) = %q; want an error", in, got)
		} else if !strings.Contains(err.Error(), "expected") {
			t.Errorf("ParseEmail(%q) error %q gives no example", in, err)
		}
	}
}

func FuzzParsePhone(f *testing.F) {
	for _, s := range []string{"070-123 45 67", "0701234567", "+46 (0)70 123 45 67", "0046 70 123 45 67",
		"46701234567", "4.6701234567E10", "701234567.0", "070-123 45 67 ankn. 12", "08-12", "+47 22 12 34 56",
		"070-123 45 67 / 08-123 456 78", "(0)", "+", "00", "1e99", "9.9E-5",
		"000000\xe8\xf3X0", "ANKN. 12 070-123 45 67 ANKN. 3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParsePhone(s)
		if err != nil {
			return
		}
		if !strings.HasPrefix(got, "+") || countDigits(got) != len(got)-1 {
			t.Fatalf("ParsePhone(%q) = %q; not E.164", s, got)
		}
		again, err := ParsePhone(got)
		if err != nil || again != got {
			t.Fatalf("ParsePhone(%q) = %q, but that re-parses to %q, %v", s, got, again, err)
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-12-31", "2026-12-31 00:00", "31/12/2026", "31.12.2026", "31 dec 2026",
		"31 december 2026", "December 31, 2026", "20261231", "2026-02-30", "T", "9999-12-31 23:59:59.999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseDate(s)
		if err != nil {
			return
		}
		if len(got) != 10 {
			t.Fatalf("ParseDate(%q) = %q; not YYYY-MM-DD", s, got)
		}
		again, err := ParseDate(got)
		if err != nil || again != got {
			t.Fatalf("ParseDate(%q) = %q, but that re-parses to %q, %v", s, got, again, err)
		}
	})
}

func TestPhoneDigits(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"070-123 45 67", "46701234567"},
		{"0701234567", "46701234567"},
		{"+46701234567", "46701234567"},
		{"+46 (0)70 123 45 67", "46701234567"}, // the (0) dropped, as ParsePhone does
		{"0046 70 123 45 67", "46701234567"},
		{"46701234567", "46701234567"},
		{"701234567.0", "46701234567"},
		{"08-123 456 78", "46812345678"},
		{"+47 22 12 34 56", "4722123456"},
		{"0047 22 12 34 56", "4722123456"},
		// Not a number ParsePhone reads: the digits, 0046 or 0 read as 46.
		{"00460000000", "460000000"},
		{"0000000000", "46000000000"},
		{"+999 123 456 789", "999123456789"},
		{"12345", "12345"},
		{"", ""},
		{"okänt", ""},
	} {
		if got := PhoneDigits(c.in); got != c.want {
			t.Errorf("PhoneDigits(%q) = %q; want %q", c.in, got, c.want)
		}
	}
}
