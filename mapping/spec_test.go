package mapping

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sbimport/sbimport/salesbyte"
)

func testdata(name string) string { return filepath.Join("..", "testdata", "mapping", name) }

func TestLoadExamples(t *testing.T) {
	for _, c := range []struct {
		file string
		want salesbyte.Endpoint
	}{{"quote.yaml", salesbyte.Quote}, {"lead.yaml", salesbyte.Lead}, {"template.yaml", salesbyte.Template}} {
		s, err := Load(testdata(c.file))
		if err != nil {
			t.Errorf("Load(%s): %v", c.file, err)
			continue
		}
		if s.Endpoint() != c.want {
			t.Errorf("Load(%s).Endpoint() = %q; want %q", c.file, s.Endpoint(), c.want)
		}
	}
}

func TestParseProductExample(t *testing.T) {
	s, err := Load(testdata("quote.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	wantSet := map[string]any{"quote_profile_id": int64(115), "send_type": "email", "signable": true,
		"workflows_enabled": false, "allow_customer_document_upload": true}
	if got := s.Set(); !reflect.DeepEqual(got, wantSet) {
		t.Errorf("Set() = %#v; want %#v", got, wantSet)
	}
	wantCols := []string{"Förnamn", "Efternamn", "E-post", "Mobil", "Företag", "Giltig till", "Artiklar", "Bank"}
	if got := s.Columns(); !reflect.DeepEqual(got, wantCols) {
		t.Errorf("Columns() = %q; want %q", got, wantCols)
	}
	if s.key == nil || s.key.column != "E-post" {
		t.Errorf("key = %+v; want column E-post", s.key)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Errorf("Load of a missing file: %v; want an error naming it", err)
	}
}

const quoteHead = `endpoint: quote
set:
  quote_profile_id: 115
  send_type: email
  signable: true
  workflows_enabled: false
  allow_customer_document_upload: true
`

// parseMistakes are mapping files with mistakes, and what must be said
// about each.
var parseMistakes = []struct {
	name, yaml string
	want       []string // each must appear in one problem
}{
	{"unknown endpoint", "endpoint: qoute\n", []string{`m.yaml:1: unknown endpoint "qoute": did you mean "quote"?`}},
	{"missing endpoint", "fields:\n  customer_name: Namn\n", []string{"m.yaml:1: endpoint: is missing"}},
	{"unknown top key", quoteHead + "feilds:\n  customer_name: Namn\n", []string{`m.yaml:8: unknown top-level key "feilds"; did you mean "fields"?`}},
	{"unknown field", quoteHead + "fields:\n  customer_name: Namn\n  custmer_email: E-post\n",
		[]string{`m.yaml:10: unknown field "custmer_email" for endpoint quote; did you mean "customer_email"?`}},
	{"unknown field in set", strings.Replace(quoteHead, "signable: true", "signabel: true", 1) + "fields:\n  customer_name: Namn\n",
		[]string{`m.yaml:5: unknown field "signabel" for endpoint quote; did you mean "signable"?`, "signable is required by endpoint quote"}},
	{"string for bool", strings.Replace(quoteHead, "signable: true", `signable: "yes"`, 1) + "fields:\n  customer_name: Namn\n",
		[]string{`m.yaml:5: signable: "yes" is not true or false`}},
	{"yes for bool", strings.Replace(quoteHead, "signable: true", `signable: yes`, 1) + "fields:\n  customer_name: Namn\n",
		[]string{`m.yaml:5: signable: "yes" is not true or false`}},
	{"quoted int", strings.Replace(quoteHead, "115", `"115"`, 1) + "fields:\n  customer_name: Namn\n",
		[]string{`m.yaml:3: quote_profile_id: "115" is quoted`}},
	{"text for int", strings.Replace(quoteHead, "115", `abc`, 1) + "fields:\n  customer_name: Namn\n",
		[]string{`m.yaml:3: quote_profile_id: "abc" is not a whole number; expected a whole number, e.g. quote_profile_id: 115`}},
	{"missing required", "endpoint: quote\nset:\n  quote_profile_id: 115\nfields:\n  customer_name: Namn\n",
		[]string{"m.yaml:4: send_type is required by endpoint quote", "m.yaml:4: signable is required", "workflows_enabled is required", "allow_customer_document_upload is required"}},
	{"missing customer_name", quoteHead, []string{"customer_name is required by endpoint quote but the mapping gives it no value; add it under fields:"}},
	{"set and fields", quoteHead + "fields:\n  customer_name: Namn\n  send_type: Kanal\n",
		[]string{"m.yaml:10: send_type is both in set: (line 4) and in fields:; keep one"}},
	{"uuid in mapping", quoteHead + "  uuid: abc\nfields:\n  customer_name: Namn\n", []string{"m.yaml:8: uuid must not be in the mapping file"}},
	{"unknown as", quoteHead + "fields:\n  customer_name: Namn\n  customer_phone: {column: Mobil, as: phon}\n",
		[]string{`m.yaml:10: customer_phone: unknown type as: "phon"; did you mean "phone"?`}},
	{"as not fitting", quoteHead + "fields:\n  customer_name: Namn\n  signable_until: {column: Giltig, as: int}\n",
		[]string{"m.yaml:10: signable_until: as: int does not fit this field; use date"}},
	{"unknown source key", quoteHead + "fields:\n  customer_name: {colum: Namn}\n",
		[]string{`m.yaml:9: unknown key in customer_name "colum"; did you mean "column"?`}},
	{"alternatives on lead", "endpoint: lead\nalternatives:\n  - title: A\n    bundle_id: 1\n",
		[]string{"m.yaml:2: alternatives: is only for endpoint quote, and this mapping is for lead"}},
	{"customer_fields on quote", quoteHead + "fields:\n  customer_name: Namn\ncustomer_fields:\n  x: Y\n",
		[]string{"m.yaml:10: customer_fields: is only for endpoint template"}},
	{"alternatives under fields", quoteHead + "fields:\n  customer_name: Namn\n  alternatives: Paket\n",
		[]string{"m.yaml:10: alternatives is not filled under fields:; give it its own top-level block"}},
	{"alternative without product", quoteHead + "fields:\n  customer_name: Namn\nalternatives:\n  - title: A\n",
		[]string{"m.yaml:11: alternative 1 needs bundle_id: or skus:"}},
	{"alternative with both", quoteHead + "fields:\n  customer_name: Namn\nalternatives:\n  - title: A\n    bundle_id: 3\n    skus: [1, 2]\n",
		[]string{"m.yaml:11: alternative 1 has both bundle_id: and skus:"}},
	{"alternative bad key", quoteHead + "fields:\n  customer_name: Namn\nalternatives:\n  - title: A\n    bundel_id: 3\n",
		[]string{`m.yaml:12: unknown key in alternative 1 "bundel_id"; did you mean "bundle_id"?`}},
	{"alternative text sort order", quoteHead + "fields:\n  customer_name: Namn\nalternatives:\n  - title: A\n    sort_order: first\n    bundle_id: 3\n",
		[]string{`m.yaml:12: alternative 1 sort_order: value first: "first" is not a whole number`}},
	{"custom field bad flag", quoteHead + "fields:\n  customer_name: Namn\ncustom_fields:\n  bank: {column: Bank, hide_from_contact: ja}\n",
		[]string{`m.yaml:11: custom_fields.bank: hide_from_contact: must be true or false, not "ja"`}},
	{"bad default", quoteHead + "fields:\n  customer_name: Namn\n  signable_until: {column: Giltig, default: snart}\n",
		[]string{`m.yaml:10: signable_until: default "snart": "snart" is not a date`}},
	{"bad map value", "endpoint: quote\nfields:\n  customer_name: Namn\nalternatives:\n  - title: A\n    bundle_id: {column: Paket, map: {Guld: sju}}\n",
		[]string{`m.yaml:6: alternative 1 bundle_id: map: the value for "guld": "sju" is not a whole number`}},
	{"unclosed placeholder", quoteHead + "fields:\n  customer_name: \"{Förnamn {Efternamn}\"\n",
		[]string{"m.yaml:9: customer_name:"}},
	{"repeated key", quoteHead + "fields:\n  customer_name: Namn\n  customer_name: Kund\n",
		[]string{`m.yaml:10: "customer_name" is given twice (also on line 9); keep one`}},
	{"bad yaml", "endpoint: quote\nfields: [\n", []string{"m.yaml:", "not valid YAML"}},
	{"empty", "", []string{"m.yaml:1: the mapping file is empty"}},
	{"not a map", "- a\n- b\n", []string{"m.yaml:1: the mapping file must be"}},
	{"split without list", quoteHead + "fields:\n  customer_name: Namn\n  customer_email: {column: E, as: email, split: \";\"}\n",
		[]string{"m.yaml:10: customer_email: split: only goes with as: list"}},
	{"bad email constant", strings.Replace(quoteHead, "send_type: email", "send_type: email\n  salesperson_email: nobody", 1) + "fields:\n  customer_name: Namn\n",
		[]string{`m.yaml:5: salesperson_email: "nobody" is not an e-mail address`}},
}

func TestParseMistakes(t *testing.T) {
	for _, c := range parseMistakes {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("m.yaml", []byte(c.yaml))
			var me *Error
			if !errors.As(err, &me) {
				t.Fatalf("Parse: %v; want a *mapping.Error", err)
			}
			if me.File != "m.yaml" {
				t.Errorf("Error.File = %q; want m.yaml", me.File)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%s\nlacks %q", err, w)
				}
			}
			for _, p := range me.Problems {
				if !strings.HasPrefix(p, "m.yaml:") {
					t.Errorf("problem %q does not start with file:line", p)
				}
			}
		})
	}
}

func TestParseReportsAllProblemsAtOnce(t *testing.T) {
	y := "endpoint: quote\nset:\n  quote_profile_id: x\n  signable: \"no\"\nfields:\n  customer_nam: Namn\n  customer_email: E-post\nbogus: 1\n"
	_, err := Parse("m.yaml", []byte(y))
	var me *Error
	if !errors.As(err, &me) {
		t.Fatalf("Parse: %v; want *Error", err)
	}
	// bogus key, quote_profile_id, signable, customer_nam, and the missing
	// required fields (send_type, workflows_enabled, allow…, customer_name)
	if len(me.Problems) < 8 {
		t.Errorf("got %d problems; want at least 8:\n%s", len(me.Problems), err)
	}
	if strings.Count(err.Error(), "\n") != len(me.Problems)-1 {
		t.Errorf("Error() should put one problem per line:\n%s", err)
	}
}

func TestParseSourcesForms(t *testing.T) {
	y := quoteHead + `fields:
  customer_name: "{Förnamn} {Efternamn}"
  customer_email: {column: E-post}
  customer_phone: {template: "{Riktnr}{Nummer}", as: phone}
  message: {value: Hej!}
  customer_company: "Bolag {{AB}}"
alternatives:
  - title: "{Paket}"
    skus: [123, 4343]
  - title: Tillval
    sort_order: 5
    bundle_id: {column: Nivå, map: {Guld: 7, Silver: 8}}
    when: Nivå
custom_fields:
  bank_name: {column: Bank, hide_from_contact: true, required: true, editable_by_contact: false}
  konstant: {value: 5}
key: "{E-post}"
`
	s, err := Parse("m.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.fields[4].src.column; got != "Bolag {AB}" {
		t.Errorf("literal braces: column = %q; want %q", got, "Bolag {AB}")
	}
	if got := s.fields[3].src; !got.isConst || got.constant != "Hej!" {
		t.Errorf("value: source = %+v; want constant Hej!", got)
	}
	if n := len(s.alternatives); n != 2 {
		t.Fatalf("%d alternatives; want 2", n)
	}
	if s.customFields[1].src.constant != int64(5) {
		t.Errorf("custom field constant = %#v; want int64(5)", s.customFields[1].src.constant)
	}
	if !s.customFields[0].hideContact || !s.customFields[0].required || s.customFields[0].editable {
		t.Errorf("custom field flags = %+v", s.customFields[0])
	}
}

// FuzzParse: any file text gives a Spec or an *Error, never a panic; a
// Spec compiles against the columns it names and maps a row of them.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"quote.yaml", "lead.yaml", "template.yaml"} {
		b, err := os.ReadFile(testdata(name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("endpoint: quote\nfields: {customer_name: \"{A}{{B}}\"}\n")
	f.Add("endpoint: template\nset: {quote_template_id: 1.0, trigger_created_messages_to_customer: false}\nfields: {customer_name: {template: \"{X} {Y}\", map: {a: b}, default: a}}\n")
	f.Add("endpoint: [\n")
	f.Add("&a endpoint: *a\n")
	f.Fuzz(func(t *testing.T, text string) {
		s, err := Parse("f.yaml", []byte(text))
		if err != nil {
			var me *Error
			if !errors.As(err, &me) || len(me.Problems) == 0 {
				t.Fatalf("Parse error %v is not a *Error with problems", err)
			}
			return
		}
		cols := s.Columns()
		m, err := s.Compile(cols)
		if err != nil {
			t.Fatalf("Compile against its own columns %q: %v", cols, err)
		}
		cells := make([]string, len(cols))
		for i := range cells {
			cells[i] = "x"
		}
		m.Map(cells)
	})
}

func TestParseRefusesInitPlaceholders(t *testing.T) {
	for _, c := range []struct{ yaml, want string }{
		{"endpoint: quote\nset:\n  quote_profile_id: 0\n  send_type: none\n  signable: true\n  workflows_enabled: false\n  allow_customer_document_upload: false\nfields:\n  customer_name: Namn\n", "m.yaml:3: quote_profile_id: 0 is not an id"},
		{"endpoint: lead\nset:\n  quote_profile_id: 5\n  type: TODO\n  chat_enabled: false\n  send_type: email\n  workflows_enabled: false\n  allow_customer_document_upload: false\n  trigger_created_messages_to_customer: false\nfields:\n  customer_name: Namn\n", `m.yaml:4: type: still says "TODO"`},
	} {
		_, err := Parse("m.yaml", []byte(c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q) = %v; want an error containing %q", c.yaml, err, c.want)
		}
	}
}
