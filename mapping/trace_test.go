package mapping

import (
	"reflect"
	"strings"
	"testing"
)

const traceMapping = `endpoint: quote
set:
  quote_profile_id: 115
  send_type: email
  signable: true
  workflows_enabled: false
  allow_customer_document_upload: true
fields:
  customer_name: "{Förnamn} {Efternamn}"
  customer_email: E-post
  customer_phone: Mobil
  signable_until: {column: Giltig till, default: 2026-12-31}
  message: {value: Hej}
alternatives:
  - title: Grundpaket
    skus: {column: Artiklar, split: ","}
    when: Artiklar
  - title: Tillval
    bundle_id: {column: Paket, map: {Guld: 7}}
custom_fields:
  bank_name: {column: Bank, hide_from_contact: true}
`

// Trace gives the body Map gives, and each value with where it came from:
// a column, a {placeholder} text, default:, set:, a constant.
func TestTraceSources(t *testing.T) {
	s, err := Parse("m.yaml", []byte(traceMapping))
	if err != nil {
		t.Fatal(err)
	}
	header := []string{"Förnamn", "Efternamn", "E-post", "Mobil", "Giltig till", "Artiklar", "Paket", "Bank"}
	m, err := s.Compile(header)
	if err != nil {
		t.Fatal(err)
	}
	// No Artiklar: the first alternative is left out, so Tillval is [0].
	cells := []string{"Anna", "Berg", "Anna@Example.SE", "070-123 45 67", "", "", "guld", "SEB"}
	res, trace := m.Trace(cells)
	if want := m.Map(cells); !reflect.DeepEqual(res, want) {
		t.Errorf("Trace's result %+v differs from Map's %+v", res, want)
	}
	attr := map[string]any{"required": false, "editableByContact": false, "hideFromContact": true}
	want := []FieldValue{
		{"customer_name", "Anna Berg", Source{FromTemplate, "{Förnamn} {Efternamn}"}},
		{"customer_email", "Anna@example.se", Source{FromColumn, "E-post"}}, // the domain lower-cased
		{"customer_phone", "+46701234567", Source{FromColumn, "Mobil"}},
		{"signable_until", "2026-12-31", Source{FromDefault, "Giltig till"}},
		{"message", "Hej", Source{FromValue, ""}},
		{"quote_profile_id", int64(115), Source{FromSet, ""}},
		{"send_type", "email", Source{FromSet, ""}},
		{"signable", true, Source{FromSet, ""}},
		{"workflows_enabled", false, Source{FromSet, ""}},
		{"allow_customer_document_upload", true, Source{FromSet, ""}},
		{"alternatives[0].title", "Tillval", Source{FromValue, ""}},
		{"alternatives[0].bundle_id", int64(7), Source{FromColumn, "Paket"}},
		{"alternatives[0].sort_order", int64(2), Source{FromValue, ""}},
		{"custom_fields.bank_name.value", "SEB", Source{FromColumn, "Bank"}},
		{"custom_fields.bank_name.attribute", attr, Source{FromValue, ""}},
	}
	if !reflect.DeepEqual(trace, want) {
		t.Errorf("trace:\n got %v\nwant %v", trace, want)
	}
	// Every value traced is in the body at its path.
	for _, fv := range trace {
		if got := atPath(res.Payload, fv.Path); !reflect.DeepEqual(got, fv.Value) {
			t.Errorf("%s: traced %#v, the body holds %#v", fv.Path, fv.Value, got)
		}
	}
	// The date cell filled in: from the column, not the default.
	cells[4] = "31/12/2027"
	_, trace = m.Trace(cells)
	if fv := trace[3]; fv.Value != "2027-12-31" || fv.Source != (Source{FromColumn, "Giltig till"}) {
		t.Errorf("with the date filled in: %+v; want 2027-12-31 from column Giltig till", fv)
	}
}

// atPath reads a traced path such as alternatives[0].bundle_id or
// custom_fields.bank_name.value from a body.
func atPath(body map[string]any, path string) any {
	var cur any = body
	for _, part := range strings.Split(path, ".") {
		name, idx := part, -1
		if i := strings.IndexByte(part, '['); i > 0 {
			name = part[:i]
			idx = int(part[i+1] - '0')
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[name]
		if idx >= 0 {
			l, ok := cur.([]any)
			if !ok || idx >= len(l) {
				return nil
			}
			cur = l[idx]
		}
	}
	return cur
}

func TestColumnsIn(t *testing.T) {
	s, err := Parse("m.yaml", []byte(traceMapping))
	if err != nil {
		t.Fatal(err)
	}
	found, missing := s.ColumnsIn([]string{"förnamn", "E-post", "Kundlista 2026"})
	if want := []string{"Förnamn", "E-post"}; !reflect.DeepEqual(found, want) {
		t.Errorf("found = %q; want %q", found, want)
	}
	if want := []string{"Efternamn", "Mobil", "Giltig till", "Artiklar", "Paket", "Bank"}; !reflect.DeepEqual(missing, want) {
		t.Errorf("missing = %q; want %q", missing, want)
	}
}
