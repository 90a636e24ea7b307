package salesbyte

import (
	"slices"
	"strings"
	"testing"
)

// Every field of every endpoint has a one-line description, so a field
// added to the catalog without one fails here.
func TestDocsDescribeEveryField(t *testing.T) {
	for _, e := range Endpoints {
		docs := Docs(e)
		if len(docs) != len(Fields(e)) {
			t.Fatalf("%s: Docs has %d fields, Fields %d", e, len(docs), len(Fields(e)))
		}
		for i, d := range docs {
			if d.Name != Fields(e)[i].Name {
				t.Errorf("%s: Docs[%d] is %s, Fields[%d] is %s", e, i, d.Name, i, Fields(e)[i].Name)
			}
			if strings.TrimSpace(d.About) == "" {
				t.Errorf("%s.%s has no description: add one in fields_doc.go", e, d.Name)
			}
			if strings.Contains(d.About, "\n") || len([]rune(d.About)) > 80 {
				t.Errorf("%s.%s: the description should be one line of at most 80 characters: %q", e, d.Name, d.About)
			}
		}
	}
}

// A description written for a field name the catalog does not have (a
// typo, or a field since removed) is caught too.
func TestDocsNameOnlyCatalogFields(t *testing.T) {
	for e, m := range fieldAbout {
		for name := range m {
			if _, ok := LookupField(e, name); !ok {
				t.Errorf("fieldAbout[%s] describes %q, which %s does not have", e, name, e)
			}
		}
	}
	for e, m := range requiredIf {
		for name := range m {
			f, ok := LookupField(e, name)
			if !ok || f.Required {
				t.Errorf("requiredIf[%s][%q]: not an optional field of %s", e, name, e)
			}
		}
	}
	for name := range commonAbout {
		found := false
		for _, e := range Endpoints {
			_, ok := LookupField(e, name)
			found = found || ok
		}
		if !found {
			t.Errorf("commonAbout describes %q, which no endpoint has", name)
		}
	}
}

func docOf(t *testing.T, e Endpoint, name string) FieldDoc {
	t.Helper()
	for _, d := range Docs(e) {
		if d.Name == name {
			return d
		}
	}
	t.Fatalf("%s has no field %s", e, name)
	return FieldDoc{}
}

func TestDocsAllowedAndConditions(t *testing.T) {
	if got := docOf(t, Quote, "send_type").Allowed; !slices.Equal(got, QuoteSendTypes) {
		t.Errorf("quote send_type allows %v, want %v", got, QuoteSendTypes)
	}
	if got := docOf(t, Lead, "send_type").Allowed; got != nil {
		t.Errorf("lead send_type: the API names no closed list, got %v", got)
	}
	if got := docOf(t, Quote, "signable").Allowed; !slices.Equal(got, []string{"true", "false"}) {
		t.Errorf("signable allows %v", got)
	}
	if got := docOf(t, Quote, "trigger_created_messages_to_customer").Allowed; !slices.Contains(got, "1") {
		t.Errorf("quote trigger_created_messages_to_customer takes 0/1 too, got %v", got)
	}
	if got := docOf(t, Quote, "customer_email").RequiredIf; got != "send_type is email or dual" {
		t.Errorf("quote customer_email RequiredIf = %q", got)
	}
	if got := docOf(t, Template, "customer_phone").RequiredIf; got == "" {
		t.Error("template customer_phone: the either-or rule is missing")
	}
	if got := docOf(t, Lead, "customer_email").RequiredIf; got != "" {
		t.Errorf("lead customer_email is plain optional, got %q", got)
	}
	// Docs hands out copies: changing one does not change the catalog.
	d := Docs(Quote)
	d[0].Allowed = append(d[0].Allowed, "x")
	st := docOf(t, Quote, "send_type")
	st.Allowed[0] = "changed"
	if docOf(t, Quote, "send_type").Allowed[0] != "email" || QuoteSendTypes[0] != "email" {
		t.Error("Docs shares send_type's list with its caller")
	}
}
