package mapping

import (
	"strings"
	"testing"
)

// Mapping mistakes a first-time user makes, and what they are told.

const typicalHead = "endpoint: quote\nset:\n  quote_profile_id: 115\n  send_type: email\n  workflows_enabled: false\n  allow_customer_document_upload: false\n"

func problemsOf(t *testing.T, text string) []string {
	t.Helper()
	_, err := Parse("m.yaml", []byte(text))
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("Parse: %v; want an *Error", err)
	}
	return e.Problems
}

// A set: value of the wrong type is one problem, not also "missing".
func TestWrongSetValueIsOneProblem(t *testing.T) {
	got := problemsOf(t, typicalHead+"  signable: \"ja\"\nfields:\n  customer_name: Namn\n  customer_email: E-post\n")
	if len(got) != 1 {
		t.Fatalf("problems = %q; want one", got)
	}
	if !strings.HasPrefix(got[0], "m.yaml:7: signable: \"ja\"") || !strings.Contains(got[0], "only those two, without quotes") {
		t.Errorf("problem = %q", got[0])
	}
	got = problemsOf(t, strings.Replace(typicalHead, "115", "\"115 st\"", 1)+"  signable: true\nfields:\n  customer_name: Namn\n  customer_email: E-post\n")
	if len(got) != 1 || !strings.Contains(got[0], "quote_profile_id: \"115 st\" is not a whole number") {
		t.Errorf("problems = %q; want one about 115 st", got)
	}
	// Left out altogether, it is still reported as missing.
	got = problemsOf(t, typicalHead+"fields:\n  customer_name: Namn\n  customer_email: E-post\n")
	if len(got) != 1 || !strings.Contains(got[0], "signable is required") {
		t.Errorf("problems = %q; want signable missing", got)
	}
}

func TestYAMLMistakeHints(t *testing.T) {
	body := typicalHead + "  signable: true\nfields:\n"
	for _, c := range []struct {
		name, fields, want string
	}{
		{"unquoted template", "  customer_name: {Förnamn} {Efternamn}\n  customer_email: E-post\n", `on line 9, put a text with {Column} placeholders in quotes`},
		{"tab indent", "  customer_name: Namn\n\tcustomer_email: E-post\n", "line 10 is indented with a tab: indent with spaces"},
		{"tab indent first", "\tcustomer_name: Namn\n", "line 9 is indented with a tab"},
	} {
		got := problemsOf(t, body+c.fields)
		if len(got) == 0 || !strings.Contains(got[0], "not valid YAML") || !strings.Contains(got[0], c.want) {
			t.Errorf("%s: problems = %q; want %q", c.name, got, c.want)
		}
	}
	// A plain YAML error gets no made-up hint.
	got := problemsOf(t, body+"  customer_name Namn\n  customer_email: E-post\n")
	if len(got) == 0 || strings.Contains(got[0], "tab") || strings.Contains(got[0], "quotes") {
		t.Errorf("plain error: %q", got)
	}
}

// `customer_email: {E-post}` is valid YAML (an object); say what it means.
func TestUnquotedSinglePlaceholder(t *testing.T) {
	got := problemsOf(t, typicalHead+"  signable: true\nfields:\n  customer_name: Namn\n  customer_email: {E-post}\n")
	if len(got) != 1 {
		t.Fatalf("problems = %q; want one", got)
	}
	if want := `m.yaml:10: customer_email: {E-post} without quotes is not a placeholder in YAML; write customer_email: E-post for the column`; !strings.HasPrefix(got[0], want) {
		t.Errorf("problem = %q; want it to start %q", got[0], want)
	}
	// The object form still works.
	if _, err := Parse("m.yaml", []byte(typicalHead+"  signable: true\nfields:\n  customer_name: Namn\n  customer_email: {column: E-post}\n")); err != nil {
		t.Errorf("object form: %v", err)
	}
}

// A fields: entry with a mistake is reported on its line, not also as "required but
// the mapping gives it no value".
func TestBrokenFieldSourceNotAlsoMissing(t *testing.T) {
	for _, src := range []string{"{colum: Namn}", "{column: Namn, as: int}", "\"{Förnamn\""} {
		got := problemsOf(t, typicalHead+"  signable: true\nfields:\n  customer_name: "+src+"\n  customer_email: E-post\n")
		for _, p := range got {
			if !strings.HasPrefix(p, "m.yaml:9: customer_name") && !strings.HasPrefix(p, "m.yaml:9: unknown key in customer_name") {
				t.Errorf("customer_name: %s: problems = %q; want only line 9's", src, got)
			}
		}
	}
}
