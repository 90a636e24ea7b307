package mapping

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// row builds cells aligned with header from column → value pairs.
func row(header []string, kv map[string]string) []string {
	cells := make([]string, len(header))
	for i, h := range header {
		cells[i] = kv[h]
	}
	return cells
}

func mustCompile(t testing.TB, spec *Spec, header []string) *Mapper {
	t.Helper()
	m, err := spec.Compile(header)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return m
}

func mustParse(t testing.TB, y string) *Spec {
	t.Helper()
	s, err := Parse("m.yaml", []byte(y))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return s
}

// asJSON compares payloads by their JSON, which is what is sent.
func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func problemStrings(ps []Problem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

func TestMapQuoteProductExample(t *testing.T) {
	s, err := Load(testdata("quote.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	header := []string{"Förnamn", "Efternamn", "E-post", "Mobil", "Företag", "Giltig till", "Artiklar", "Bank", "Övrigt"}
	m := mustCompile(t, s, header)
	r := m.Map(row(header, map[string]string{
		"Förnamn": "Anna", "Efternamn": " Svensson ", "E-post": " Anna@Example.SE", "Mobil": "070-123 45 67",
		"Företag": "Svensson AB", "Giltig till": "31/12/2026", "Artiklar": "123, 4343,", "Bank": "Nordea",
	}))
	if len(r.Problems) > 0 {
		t.Fatalf("problems: %q", problemStrings(r.Problems))
	}
	want := `{"allow_customer_document_upload":true,"alternatives":[{"skus":[123,4343],"sort_order":1,"title":"Grundpaket"}],` +
		`"custom_fields":{"bank_name":{"attribute":{"editableByContact":false,"hideFromContact":true,"required":false},"value":"Nordea"}},` +
		`"customer_company":"Svensson AB","customer_email":"Anna@example.se","customer_name":"Anna Svensson","customer_phone":"+46701234567",` +
		`"quote_profile_id":115,"send_type":"email","signable":true,"signable_until":"2026-12-31","workflows_enabled":false}`
	if got := asJSON(t, r.Payload); got != want {
		t.Errorf("payload\n got %s\nwant %s", got, want)
	}
	if r.Key != "anna@example.se" {
		t.Errorf("key = %q; want anna@example.se", r.Key)
	}
	if m.Endpoint() != "quote" {
		t.Errorf("Endpoint() = %q", m.Endpoint())
	}
	// Empty optional cells are left out, never sent as "".
	r = m.Map(row(header, map[string]string{"Förnamn": "Bo", "E-post": "bo@x.se", "Artiklar": "A1, B2"}))
	if len(r.Problems) > 0 {
		t.Fatalf("problems: %q", problemStrings(r.Problems))
	}
	for _, f := range []string{"customer_phone", "customer_company", "signable_until", "custom_fields"} {
		if v, ok := r.Payload[f]; ok {
			t.Errorf("%s = %#v; want it left out for an empty cell", f, v)
		}
	}
	if r.Payload["customer_name"] != "Bo" {
		t.Errorf("customer_name = %q; want %q (spaces of the empty placeholder collapsed)", r.Payload["customer_name"], "Bo")
	}
	if got := asJSON(t, r.Payload["alternatives"]); got != `[{"skus":["A1","B2"],"sort_order":1,"title":"Grundpaket"}]` {
		t.Errorf("text skus: %s", got)
	}
}

func TestMapQuoteAlternativesAndCustomFields(t *testing.T) {
	s := mustParse(t, quoteHead+`fields:
  customer_name: Kund
  customer_email: E-post
alternatives:
  - title: "Paket {Kund}"
    bundle_id: {column: Nivå, map: {Guld: 7, Silver: 8}, default: Silver}
  - title: Tillval
    sort_order: 2
    skus: {column: Tillval, split: ";"}
    when: Tillval
custom_fields:
  bank_name: {column: Bank, hide_from_contact: true}
  kundnr: {column: Kundnr, as: int, required: true, editable_by_contact: true}
  kanal: {value: import}
  rabatt: {column: Rabatt, as: number, when: Rabatt}
  aktiv: {column: Aktiv, as: bool, default: false}
`)
	header := []string{"Kund", "E-post", "Nivå", "Tillval", "Bank", "Kundnr", "Rabatt", "Aktiv"}
	m := mustCompile(t, s, header)

	r := m.Map(row(header, map[string]string{"Kund": "Anna", "E-post": "a@x.se", "Nivå": "guld", "Tillval": "11; 12", "Bank": "SEB", "Kundnr": "115.0", "Rabatt": "12,5", "Aktiv": "x"}))
	if len(r.Problems) > 0 {
		t.Fatalf("problems: %q", problemStrings(r.Problems))
	}
	wantAlt := `[{"bundle_id":7,"sort_order":1,"title":"Paket Anna"},{"skus":[11,12],"sort_order":2,"title":"Tillval"}]`
	if got := asJSON(t, r.Payload["alternatives"]); got != wantAlt {
		t.Errorf("alternatives\n got %s\nwant %s", got, wantAlt)
	}
	wantCF := `{"aktiv":{"attribute":{"editableByContact":false,"hideFromContact":false,"required":false},"value":true},` +
		`"bank_name":{"attribute":{"editableByContact":false,"hideFromContact":true,"required":false},"value":"SEB"},` +
		`"kanal":{"attribute":{"editableByContact":false,"hideFromContact":false,"required":false},"value":"import"},` +
		`"kundnr":{"attribute":{"editableByContact":true,"hideFromContact":false,"required":true},"value":115},` +
		`"rabatt":{"attribute":{"editableByContact":false,"hideFromContact":false,"required":false},"value":12.5}}`
	if got := asJSON(t, r.Payload["custom_fields"]); got != wantCF {
		t.Errorf("custom_fields\n got %s\nwant %s", got, wantCF)
	}

	// Defaults and when: an empty Nivå maps Silver → 8, an empty Tillval
	// leaves the second alternative out, an empty Rabatt leaves the field out.
	r = m.Map(row(header, map[string]string{"Kund": "Bo", "E-post": "b@x.se"}))
	if len(r.Problems) > 0 {
		t.Fatalf("problems: %q", problemStrings(r.Problems))
	}
	if got := asJSON(t, r.Payload["alternatives"]); got != `[{"bundle_id":8,"sort_order":1,"title":"Paket Bo"}]` {
		t.Errorf("alternatives with defaults: %s", got)
	}
	cf := r.Payload["custom_fields"].(map[string]any)
	if _, ok := cf["rabatt"]; ok {
		t.Error("rabatt present although its when: column is empty")
	}
	if got := cf["aktiv"].(map[string]any)["value"]; got != false {
		t.Errorf("aktiv default = %#v; want false", got)
	}

	// A value missing from map: is a problem naming the choices.
	r = m.Map(row(header, map[string]string{"Kund": "Cy", "E-post": "c@x.se", "Nivå": "Brons"}))
	if got := problemStrings(r.Problems); len(got) != 1 || got[0] != `column "Nivå" (alternatives[1].bundle_id): "Brons" is not in the map: of the mapping file; expected one of Guld, Silver (add it to map: or fix the cell)` {
		t.Errorf("problems = %q", got)
	}
}

func TestMapAlternativeWithoutProduct(t *testing.T) {
	s := mustParse(t, quoteHead+"fields:\n  customer_name: Kund\n  customer_email: E-post\nalternatives:\n  - title: A\n    skus: {column: Artiklar}\n")
	header := []string{"Kund", "E-post", "Artiklar"}
	r := mustCompile(t, s, header).Map([]string{"Anna", "a@x.se", ""})
	got := problemStrings(r.Problems)
	if len(got) != 1 || !strings.Contains(got[0], `column "Artiklar" (alternatives[1])`) || !strings.Contains(got[0], "when: Artiklar") {
		t.Errorf("problems = %q; want one naming Artiklar and suggesting when:", got)
	}
}

func TestMapLead(t *testing.T) {
	s, err := Load(testdata("lead.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	header := []string{"Namn", "E-post", "Telefon", "Företag", "Säljare", "Meddelande", "Kundnummer", "Nivå", "Region"}
	m := mustCompile(t, s, header)
	r := m.Map(row(header, map[string]string{"Namn": "Anna Svensson", "E-post": "anna@x.se", "Telefon": "0046 70 123 45 67",
		"Säljare": "sara@salj.se, , olle@salj.se", "Kundnummer": "K-17", "Nivå": "Guld", "Region": "Norr"}))
	if len(r.Problems) > 0 {
		t.Fatalf("problems: %q", problemStrings(r.Problems))
	}
	want := `{"allow_customer_document_upload":false,"chat_enabled":false,"custom_field_1_content":"K-17","custom_field_2_content":"Premium",` +
		`"customer_email":"anna@x.se","customer_name":"Anna Svensson","customer_phone":"+46701234567","quote_profile_id":115,` +
		`"salesperson_email":["sara@salj.se","olle@salj.se"],"send_type":"email","tag_1":"import-2026","tag_2":"Norr",` +
		`"trigger_created_messages_to_customer":false,"type":"kampanj","workflows_enabled":false}`
	if got := asJSON(t, r.Payload); got != want {
		t.Errorf("payload\n got %s\nwant %s", got, want)
	}
	// One salesperson is still a list; an empty Nivå takes the default.
	r = m.Map(row(header, map[string]string{"Namn": "Bo", "E-post": "bo@x.se", "Säljare": "sara@salj.se"}))
	if got := asJSON(t, r.Payload["salesperson_email"]); got != `["sara@salj.se"]` {
		t.Errorf("salesperson_email = %s; want a one-item list", got)
	}
	if r.Payload["custom_field_2_content"] != "Standard" {
		t.Errorf("custom_field_2_content = %#v; want the default Standard", r.Payload["custom_field_2_content"])
	}
	if _, ok := r.Payload["tag_2"]; ok {
		t.Error("tag_2 present although Region is empty")
	}
	// A bad salesperson address is reported by the endpoint's rules.
	r = m.Map(row(header, map[string]string{"Namn": "Cy", "E-post": "cy@x.se", "Säljare": "sara@salj.se, olle"}))
	if got := problemStrings(r.Problems); len(got) != 1 || !strings.Contains(got[0], `column "Säljare" (salesperson_email.1)`) {
		t.Errorf("problems = %q; want one for Säljare", got)
	}
}

func TestMapTemplate(t *testing.T) {
	s, err := Load(testdata("template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	header := []string{"Förnamn", "Efternamn", "E-post", "Mobil", "Personnummer", "Antal", "Start"}
	m := mustCompile(t, s, header)
	r := m.Map(row(header, map[string]string{"Förnamn": "Anna", "Efternamn": "Svensson", "Mobil": "46701234567",
		"Personnummer": "19800101-1234", "Start": "1 maj 2026"}))
	if len(r.Problems) > 0 {
		t.Fatalf("problems: %q", problemStrings(r.Problems))
	}
	want := `{"customer_fields":{"antal":1,"personnummer":"19800101-1234","startdatum":"2026-05-01"},"customer_name":"Anna Svensson",` +
		`"customer_phone":"+46701234567","quote_template_id":42,"trigger_created_messages_to_customer":false}`
	if got := asJSON(t, r.Payload); got != want {
		t.Errorf("payload\n got %s\nwant %s", got, want)
	}
	// key: "{E-post}" is empty here, so the key falls back to the phone.
	if r.Key != "+46701234567" {
		t.Errorf("key = %q; want the phone", r.Key)
	}
	// Neither e-mail nor phone: the endpoint's rule is reported.
	r = m.Map(row(header, map[string]string{"Förnamn": "Bo"}))
	if got := problemStrings(r.Problems); len(got) != 1 || !strings.Contains(got[0], `column "E-post" (customer_email): the cell is empty, but customer_email is required when customer_phone is not given`) {
		t.Errorf("problems = %q", got)
	}
}

func TestMapInvalidRowListsEveryProblem(t *testing.T) {
	s, err := Load(testdata("quote.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	header := []string{"Förnamn", "Efternamn", "E-post", "Mobil", "Företag", "Giltig till", "Artiklar", "Bank"}
	m := mustCompile(t, s, header)
	r := m.Map(row(header, map[string]string{"E-post": "anna(at)x.se", "Mobil": "08-12", "Giltig till": "31/13/2026", "Artiklar": "1"}))
	want := []string{
		`column "E-post" (customer_email): "anna(at)x.se" is not an e-mail address; expected e.g. anna@example.se`,
		`column "Mobil" (customer_phone): "08-12" is not a phone number; expected e.g. 070-123 45 67 or +46701234567`,
		`column "Giltig till" (signable_until): "31/13/2026" is not a date; expected e.g. 2026-12-31 or 31/12/2026`,
		`column "{Förnamn} {Efternamn}" (customer_name): the cell is empty, but customer_name is required`,
	}
	if got := problemStrings(r.Problems); !reflect.DeepEqual(got, want) {
		t.Errorf("problems\n got %q\nwant %q", got, want)
	}
	if r.Problems[1].Value != "08-12" || r.Problems[1].Column != "Mobil" || r.Problems[1].Field != "customer_phone" {
		t.Errorf("problem fields = %+v", r.Problems[1])
	}
}

func TestMapKeyDefaults(t *testing.T) {
	base := "endpoint: template\nset:\n  quote_template_id: 1\n  trigger_created_messages_to_customer: false\nfields:\n  customer_name: Namn\n  customer_email: E-post\n  customer_phone: Tel\n"
	header := []string{"Namn", "E-post", "Tel", "Kundnr"}
	cases := []struct {
		name, key string
		cells     []string
		want      string
	}{
		{"email", "", []string{"Anna", " Anna@X.se ", "070-1234567", "K1"}, "anna@x.se"},
		{"phone", "", []string{"Anna", "", "070-1234567", "K1"}, "+46701234567"},
		{"key column", "key: Kundnr\n", []string{"Anna", "a@x.se", "", " AB-12 "}, "ab-12"},
		{"key template", "key: \"{Kundnr}/{Namn}\"\n", []string{"Anna", "a@x.se", "", "K1"}, "k1/anna"},
		{"empty key column falls back", "key: Kundnr\n", []string{"Anna", "a@x.se", "", ""}, "a@x.se"},
	}
	for _, c := range cases {
		m := mustCompile(t, mustParse(t, base+c.key), header)
		if got := m.Map(c.cells).Key; got != c.want {
			t.Errorf("%s: key = %q; want %q", c.name, got, c.want)
		}
	}
	// Neither e-mail nor phone: the canonical JSON of the body, equal for
	// equal rows and different for different ones.
	m := mustCompile(t, mustParse(t, "endpoint: template\nset:\n  quote_template_id: 1\n  trigger_created_messages_to_customer: false\nfields:\n  customer_name: Namn\n"), []string{"Namn"})
	a, b, c := m.Map([]string{"Anna"}).Key, m.Map([]string{" Anna "}).Key, m.Map([]string{"Bo"}).Key
	if a != `{"customer_name":"anna","quote_template_id":1,"trigger_created_messages_to_customer":false}` || a != b || a == c {
		t.Errorf("payload keys: %q %q %q", a, b, c)
	}
}

func TestCompileMissingColumns(t *testing.T) {
	s, err := Load(testdata("quote.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	header := []string{"Förnamn", "Efternamn", "Epost", "Mobilnr", "Företag", "Giltig", "Artiklar", "Bank", "Bank"}
	_, err = s.Compile(header)
	var me *Error
	if !errors.As(err, &me) {
		t.Fatalf("Compile: %v; want *Error", err)
	}
	file := testdata("quote.yaml")
	want := []string{
		file + `:11: column "E-post" is not in the sheet; did you mean "Epost"?`,
		file + `:12: column "Mobil" is not in the sheet; did you mean "Mobilnr"?`,
		file + `:14: column "Giltig till" is not in the sheet; did you mean "Giltig"?`,
		file + `:20: column "Bank" appears 2 times in the sheet's header (columns H, I); rename all but one`,
	}
	if !reflect.DeepEqual(me.Problems, want) {
		t.Errorf("problems\n got %q\nwant %q", me.Problems, want)
	}
	// Nothing close: the header is listed.
	_, err = mustParse(t, quoteHead+"fields:\n  customer_name: Xyzzy\n").Compile([]string{"Namn", "E-post"})
	if err == nil || !strings.Contains(err.Error(), `column "Xyzzy" is not in the sheet; its columns are: "Namn", "E-post"`) {
		t.Errorf("Compile: %v", err)
	}
}

func TestCompileToleratesCase(t *testing.T) {
	s := mustParse(t, quoteHead+"fields:\n  customer_name: företag\n  customer_email: e-post\n")
	m := mustCompile(t, s, []string{"E-POST", "Företag"})
	r := m.Map([]string{"a@x.se", "Bolaget AB"})
	if r.Payload["customer_name"] != "Bolaget AB" || r.Payload["customer_email"] != "a@x.se" {
		t.Errorf("payload = %v", r.Payload)
	}
}

func TestMapShortRow(t *testing.T) {
	s := mustParse(t, quoteHead+"fields:\n  customer_name: Namn\n  customer_email: E-post\n")
	m := mustCompile(t, s, []string{"Namn", "E-post"})
	r := m.Map([]string{"Anna"})
	if got := problemStrings(r.Problems); len(got) != 1 || !strings.Contains(got[0], "customer_email is required when send_type is email") {
		t.Errorf("problems = %q", got)
	}
}

func TestProblemString(t *testing.T) {
	cases := []struct {
		p    Problem
		want string
	}{
		{Problem{Column: "Mobil", Field: "customer_phone", Value: "08-12", Message: `"08-12" is not a phone number; expected e.g. 070-123 45 67`},
			`column "Mobil" (customer_phone): "08-12" is not a phone number; expected e.g. 070-123 45 67`},
		{Problem{Field: "send_type", Message: "is required"}, "send_type: is required"},
		{Problem{Column: "X", Message: "m"}, `column "X": m`},
		{Problem{Message: "m"}, "m"},
	}
	for _, c := range cases {
		if got := c.p.String(); got != c.want {
			t.Errorf("String() = %q; want %q", got, c.want)
		}
	}
}

func BenchmarkMap(b *testing.B) {
	s, err := Load(testdata("quote.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	header := []string{"Förnamn", "Efternamn", "E-post", "Mobil", "Företag", "Giltig till", "Artiklar", "Bank", "Ort", "Övrigt"}
	m := mustCompile(b, s, header)
	rows := make([][]string, 1000)
	for i := range rows {
		rows[i] = []string{"Anna", "Svensson", fmt.Sprintf("anna%d@example.se", i), fmt.Sprintf("070-%03d 45 67", i%1000),
			"Svensson AB", "2026-12-31", "123, 4343", "Nordea", "Umeå", "x"}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		r := m.Map(rows[i%len(rows)])
		if len(r.Problems) > 0 {
			b.Fatal(r.Problems)
		}
	}
}

func TestColumnLetters(t *testing.T) {
	for _, c := range []struct {
		idx  []int
		want string
	}{
		{[]int{0}, "A"}, {[]int{25, 26}, "Z, AA"}, {[]int{51, 52, 701, 702}, "AZ, BA, ZZ, AAA"},
		{[]int{16383}, "XFD"}, {[]int{16384}, "16385"},
	} {
		if got := columnLetters(c.idx); got != c.want {
			t.Errorf("columnLetters(%v) = %q; want %q", c.idx, got, c.want)
		}
	}
}
