package mapping

import (
	"reflect"
	"strings"
	"testing"

	"github.com/sbimport/sbimport/salesbyte"
)

func TestDraftYAMLParsesCompilesAndReadsBack(t *testing.T) {
	d := Draft{Endpoint: salesbyte.Quote, Key: "E-post", Fields: map[string]DraftField{
		"quote_profile_id":               {Value: "115"},
		"send_type":                      {Value: "email"},
		"workflows_enabled":              {Value: "nej"},
		"allow_customer_document_upload": {Value: "true"},
		"signable":                       {Value: "ja"},
		"customer_name":                  {Combine: "{Förnamn} {Efternamn}"},
		"customer_email":                 {Column: "E-post"},
		"customer_phone":                 {Column: "Mobil: nr", As: "phone"},
		"customer_company":               {Column: "Företag"},
		"message":                        {}, // nothing chosen: left out
	}}
	out := d.YAML()
	spec, err := Parse("draft.yaml", out)
	if err != nil {
		t.Fatalf("Parse(draft) = %v\n%s", err, out)
	}
	m, err := spec.Compile([]string{"Förnamn", "Efternamn", "E-post", "Mobil: nr", "Företag"})
	if err != nil {
		t.Fatalf("Compile: %v\n%s", err, out)
	}
	res := m.Map([]string{"Åsa", "Öberg", "asa@example.se", "070-123 45 67", "Älvbolaget AB"})
	if len(res.Problems) > 0 {
		t.Fatalf("problems: %v\n%s", res.Problems, out)
	}
	want := map[string]any{"customer_name": "Åsa Öberg", "customer_phone": "+46701234567", "workflows_enabled": false, "signable": true, "quote_profile_id": int64(115)}
	for k, v := range want {
		if !reflect.DeepEqual(res.Payload[k], v) {
			t.Errorf("payload[%s] = %#v, want %#v\n%s", k, res.Payload[k], v, out)
		}
	}
	if strings.Contains(string(out), "message") {
		t.Errorf("an empty choice was written:\n%s", out)
	}
	back, simple, err := DraftFromYAML(out)
	if err != nil || !simple {
		t.Fatalf("DraftFromYAML = simple %v, %v", simple, err)
	}
	if back.Endpoint != d.Endpoint || back.Key != "E-post" {
		t.Errorf("read back endpoint %q key %q", back.Endpoint, back.Key)
	}
	for _, name := range []string{"customer_name", "customer_email", "customer_phone", "quote_profile_id"} {
		if got, want := back.Fields[name], d.Fields[name]; got != want {
			t.Errorf("read back %s = %+v, want %+v", name, got, want)
		}
	}
}

func TestDraftWrongTypeIsLeftForParseToName(t *testing.T) {
	d := Draft{Endpoint: salesbyte.Quote, Fields: map[string]DraftField{"quote_profile_id": {Value: "abc"}}}
	_, err := Parse("draft.yaml", d.YAML())
	if err == nil || !strings.Contains(err.Error(), "quote_profile_id") {
		t.Fatalf("Parse = %v, want a problem naming quote_profile_id", err)
	}
}

func TestDraftFromYAMLTellsWhatAFormCannotHold(t *testing.T) {
	for _, y := range []string{
		"endpoint: quote\nalternatives:\n  - title: A\n",
		"endpoint: quote\nfields:\n  customer_name: {column: Namn, default: X}\n",
		"endpoint: quote\ncustom_fields:\n  bank: Bank\n",
	} {
		if _, simple, err := DraftFromYAML([]byte(y)); err != nil || simple {
			t.Errorf("DraftFromYAML(%q) = simple %v, %v; want not simple", y, simple, err)
		}
	}
	d, simple, err := DraftFromYAML(Starter([]string{"Namn", "E-post", "Telefon"}, salesbyte.Lead))
	if err != nil || !simple || d.Fields["customer_email"].Column != "E-post" {
		t.Fatalf("starter: %+v simple %v err %v", d, simple, err)
	}
}
