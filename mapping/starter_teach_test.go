package mapping

import (
	"regexp"
	"strings"
	"testing"

	"github.com/sbimport/sbimport/salesbyte"
)

// uncomment does what the starter tells a user to do with a commented
// block or line: remove the # in front, and only it.
func uncomment(b []byte, prefixes ...string) []byte {
	lines := strings.Split(string(b), "\n")
	for i, l := range lines {
		for _, p := range prefixes {
			if strings.HasPrefix(l, p) {
				lines[i] = strings.Replace(l, "#", "", 1)
			}
		}
	}
	return []byte(strings.Join(lines, "\n"))
}

// The columns no field matched are already in a commented custom_fields:
// (quote) or customer_fields: (template) block, or as custom_field_N
// lines (lead): removing the # sends them.
func TestStarterOffersTheColumnsLeftOver(t *testing.T) {
	for _, c := range []struct {
		e        salesbyte.Endpoint
		header   []string
		prefixes []string
		want     map[string]any // body path → value
	}{
		{salesbyte.Quote, []string{"Namn", "E-post", "Bank", "Kund nr"}, []string{"#custom_fields:", "#  "},
			map[string]any{"custom_fields.bank.value": "SEB", "custom_fields.kund_nr.value": "K-1"}},
		{salesbyte.Template, []string{"Namn", "E-post", "Personnummer", "Företag"}, []string{"#customer_fields:", "#  "},
			map[string]any{"customer_fields.personnummer": "SEB", "customer_fields.företag": "K-1"}},
		{salesbyte.Lead, []string{"Namn", "E-post", "Bank", "Kund nr"}, []string{"  #custom_field_"},
			map[string]any{"custom_field_1_content": "SEB", "custom_field_2_content": "K-1"}},
	} {
		raw := Starter(c.header, c.e)
		spec, err := Parse("s.yaml", fillPlaceholders(uncomment(raw, c.prefixes...)))
		if err != nil {
			t.Errorf("%s: the starter with its extra columns uncommented does not parse:\n%s\n%v", c.e, raw, err)
			continue
		}
		m, err := spec.Compile(c.header)
		if err != nil {
			t.Errorf("%s: %v", c.e, err)
			continue
		}
		_, trace := m.Trace([]string{"Anna", "anna@example.se", "SEB", "K-1"})
		got := map[string]any{}
		for _, fv := range trace {
			got[fv.Path] = fv.Value
		}
		for path, v := range c.want {
			if got[path] != v {
				t.Errorf("%s: %s = %#v; want %#v\n%s", c.e, path, got[path], v, raw)
			}
		}
	}
}

// Every starter: the same safe send_type, the allowed values beside each
// choice, what the endpoints are, where the ids and secrets come from, a
// commented campaign:; unedited it is refused, filled in it parses.
func TestStarterTeaches(t *testing.T) {
	for _, e := range salesbyte.Endpoints {
		raw := Starter([]string{"Namn", "E-post"}, e)
		text := string(raw)
		for _, want := range []string{
			"# lead: a brand-awareness lead", "# quote: a quote with its alternatives", "# template: a quote cloned from a quote template",
			"The integration uuid is a secret and never goes in this file: set\n# SALESBYTE_UUID",
			"Quotes API token", "Ask your\n# SalesByte administrator",
			"\n#campaign: vinter-2026  # rows created in one campaign are not sent again in it; another campaign may reach the same customers\n",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("%s starter lacks %q:\n%s", e, want, text)
			}
		}
		for _, l := range strings.Split(text, "\n") {
			if regexp.MustCompile(`^  \w+: (true|false)  #`).MatchString(l) && !strings.Contains(l, "(true or false)") {
				t.Errorf("%s: a yes/no line does not say its values: %q", e, l)
			}
			if strings.Contains(l, "_id: 0") && !strings.Contains(l, "ask your SalesByte administrator") {
				t.Errorf("%s: an id line does not say where to find it: %q", e, l)
			}
		}
		if _, err := Parse("s.yaml", raw); err == nil {
			t.Errorf("%s: an unedited starter parsed", e)
		}
		spec, err := Parse("s.yaml", fillPlaceholders(raw))
		if err != nil {
			t.Errorf("%s: filled in: %v", e, err)
			continue
		}
		if st, has := spec.Set()["send_type"]; e != salesbyte.Template && st != "none" || e == salesbyte.Template && has {
			t.Errorf("%s: send_type = %v; want none (template: none at all)", e, st)
		}
		spec, err = Parse("s.yaml", fillPlaceholders(uncomment(raw, "#campaign:")))
		if err != nil || spec.Campaign() != "vinter-2026" {
			t.Errorf("%s: with campaign: uncommented: %v, %v", e, spec, err)
		}
	}
	quote := string(Starter(nil, salesbyte.Quote))
	if !strings.Contains(quote, "send_type: none  # TODO: one of email, sms, dual, auto, none (") {
		t.Errorf("the quote's send_type line does not list its values:\n%s", quote)
	}
	lead := string(Starter(nil, salesbyte.Lead))
	if !regexp.MustCompile(`\n  type: TODO  # TODO: .*ask your SalesByte administrator`).MatchString(lead) {
		t.Errorf("the lead's type line does not say where to find its values:\n%s", lead)
	}
}
