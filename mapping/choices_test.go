package mapping

import (
	"strings"
	"testing"

	"github.com/sbimport/sbimport/salesbyte"
)

// A value the API takes only from a fixed set (quote's send_type) is
// checked when the mapping is read, not found wrong on every row.
func TestSetChoiceValueChecked(t *testing.T) {
	const rest = "  signable: true\n  workflows_enabled: false\n  allow_customer_document_upload: false\nfields:\n  customer_name: Namn\n  customer_email: E-post\n"
	for _, c := range []struct{ value, want string }{
		{"mail", `m.yaml:4: send_type: "mail" is not one of email, sms, dual, auto, none; did you mean "email"?`},
		{"e-mail", `m.yaml:4: send_type: "e-mail" is not one of email, sms, dual, auto, none; did you mean "email"?`},
		{"SMS", `m.yaml:4: send_type: "SMS" is not one of email, sms, dual, auto, none; did you mean "sms"?`},
		{"brev", `m.yaml:4: send_type: "brev" is not one of email, sms, dual, auto, none`},
	} {
		got := problemsOf(t, "endpoint: quote\nset:\n  quote_profile_id: 115\n  send_type: "+c.value+"\n"+rest)
		if len(got) != 1 || got[0] != c.want {
			t.Errorf("send_type: %s: problems = %q; want only %q", c.value, got, c.want)
		}
	}
	for _, v := range salesbyte.QuoteSendTypes {
		y := "endpoint: quote\nset:\n  quote_profile_id: 115\n  send_type: " + v + "\n" + rest + "  customer_phone: Mobil\n"
		if _, err := Parse("m.yaml", []byte(y)); err != nil {
			t.Errorf("send_type: %s: %v", v, err)
		}
	}
	// The lead endpoint documents no fixed set for its send_type.
	lead := "endpoint: lead\nset:\n  quote_profile_id: 1\n  send_type: brev\n  type: kampanj\n  chat_enabled: false\n" +
		"  workflows_enabled: false\n  allow_customer_document_upload: false\n  trigger_created_messages_to_customer: false\nfields:\n  customer_name: Namn\n"
	if _, err := Parse("m.yaml", []byte(lead)); err != nil {
		t.Errorf("lead send_type: brev: %v", err)
	}
}

// The same check for the values a fields: source gives whatever the row
// holds: a constant, map: replacements and a default:.
func TestFieldChoiceValuesChecked(t *testing.T) {
	head := "endpoint: quote\nset:\n  quote_profile_id: 115\n  signable: true\n  workflows_enabled: false\n  allow_customer_document_upload: false\nfields:\n  customer_name: Namn\n"
	for _, c := range []struct{ name, src, want string }{
		{"map", "{column: Kanal, map: {E-post: mail, SMS: sms}}",
			`m.yaml:9: send_type: map: the value for "E-post": "mail" is not one of email, sms, dual, auto, none; did you mean "email"?`},
		{"block map", "\n    column: Kanal\n    map:\n      SMS: sms\n      Post: brev\n",
			`m.yaml:13: send_type: map: the value for "Post": "brev" is not one of email, sms, dual, auto, none`},
		{"default", "{column: Kanal, default: emal}",
			`m.yaml:9: send_type: default "emal": "emal" is not one of email, sms, dual, auto, none; did you mean "email"?`},
		{"default through map", "{column: Kanal, map: {Mejl: email, Ingen: none}, default: Sms}",
			`m.yaml:9: send_type: default "Sms": "Sms" is not one of email, sms, dual, auto, none; did you mean "sms"?`},
		{"value", "{value: mail}",
			`m.yaml:9: send_type: "mail" is not one of email, sms, dual, auto, none; did you mean "email"?`},
	} {
		got := problemsOf(t, head+"  send_type: "+c.src+"\n")
		if len(got) != 1 || got[0] != c.want {
			t.Errorf("%s: problems = %q; want only %q", c.name, got, c.want)
		}
	}
	ok := head + "  send_type: {column: Kanal, map: {Mejl: email, Ingen: none}, default: Ingen}\n"
	if _, err := Parse("m.yaml", []byte(ok)); err != nil {
		t.Errorf("a map: of valid choices: %v", err)
	}
}

// Other set: values the API refuses on every row are caught as well: an
// e-mail list for the lead endpoint with one bad address.
func TestSetValueCheckedByAPIRules(t *testing.T) {
	lead := "endpoint: lead\nset:\n  quote_profile_id: 1\n  send_type: email\n  type: kampanj\n  chat_enabled: false\n" +
		"  workflows_enabled: false\n  allow_customer_document_upload: false\n  trigger_created_messages_to_customer: false\n" +
		"  salesperson_email: [anna@example.se, nobody]\nfields:\n  customer_name: Namn\n"
	got := problemsOf(t, lead)
	if len(got) != 1 || !strings.HasPrefix(got[0], "m.yaml:10: salesperson_email: ") || !strings.Contains(got[0], `"nobody"`) {
		t.Errorf("problems = %q; want one about nobody on line 10", got)
	}
}

// choicesOf must name exactly the text fields salesbyte.Validate holds to
// a fixed set, and each of its choices must pass.
func TestChoicesAgreeWithValidate(t *testing.T) {
	for _, e := range salesbyte.Endpoints {
		for _, f := range salesbyte.Fields(e) {
			if f.Kind != salesbyte.KindString {
				continue
			}
			choices := choicesOf(e, f.Name)
			refused := valueProblem(e, f.Name, "no-such-choice") != ""
			if refused != (choices != nil) {
				t.Errorf("%s.%s: Validate refuses an arbitrary text: %v; choicesOf = %q", e, f.Name, refused, choices)
			}
			for _, c := range choices {
				if msg := valueProblem(e, f.Name, c); msg != "" {
					t.Errorf("%s.%s: choice %q refused: %s", e, f.Name, c, msg)
				}
			}
		}
	}
}
