package salesbyte

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		in      string
		want    Endpoint
		wantErr string
	}{
		{"lead", Lead, ""},
		{"quote", Quote, ""},
		{" Template ", Template, ""},
		{"qoute", "", `did you mean "quote"`},
		{"templat", "", `did you mean "template"`},
		{"leads", "", `did you mean "lead"`},
		{"invoice", "", "use one of lead, quote, template"},
		{"", "", "no endpoint given"},
	}
	for _, tt := range tests {
		got, err := ParseEndpoint(tt.in)
		if tt.wantErr == "" {
			if err != nil || got != tt.want {
				t.Errorf("ParseEndpoint(%q) = %q, %v; want %q, nil", tt.in, got, err, tt.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("ParseEndpoint(%q) error = %v; want it to contain %q", tt.in, err, tt.wantErr)
		}
	}
}

func TestPath(t *testing.T) {
	want := map[Endpoint]string{
		Lead:     "/integrations/create_brandawareness",
		Quote:    "/integrations/create_quote",
		Template: "/integrations/create_quote/template",
		"bogus":  "",
	}
	for e, p := range want {
		if got := e.Path(); got != p {
			t.Errorf("%q.Path() = %q; want %q", e, got, p)
		}
	}
}

func TestFieldsCatalog(t *testing.T) {
	required := map[Endpoint][]string{
		Lead:     {"quote_profile_id", "customer_name", "chat_enabled", "send_type", "type", "workflows_enabled", "allow_customer_document_upload", "trigger_created_messages_to_customer"},
		Quote:    {"quote_profile_id", "customer_name", "send_type", "workflows_enabled", "allow_customer_document_upload", "signable"},
		Template: {"quote_template_id", "customer_name", "trigger_created_messages_to_customer"},
	}
	for e, names := range required {
		var got []string
		for _, f := range Fields(e) {
			if f.Name == "uuid" {
				t.Errorf("%s: Fields lists uuid", e)
			}
			if f.Required {
				got = append(got, f.Name)
			}
		}
		if strings.Join(got, ",") != strings.Join(names, ",") {
			t.Errorf("%s required = %v; want %v", e, got, names)
		}
	}
	kinds := []struct {
		e    Endpoint
		name string
		kind FieldKind
	}{
		{Lead, "salesperson_email", KindStringList},
		{Lead, "custom_field_1_content", KindString},
		{Lead, "custom_field_10_content", KindString},
		{Lead, "tag_1", KindString},
		{Lead, "tag_10", KindString},
		{Lead, "customer_phone", KindPhone},
		{Quote, "alternatives", KindList},
		{Quote, "custom_fields", KindObject},
		{Quote, "signable_until", KindDate},
		{Quote, "send_type", KindString},
		{Quote, "customer_email", KindEmail},
		{Quote, "trigger_created_messages_to_customer", KindBool},
		{Template, "quote_template_id", KindInt},
		{Template, "customer_fields", KindObject},
	}
	for _, k := range kinds {
		f, ok := LookupField(k.e, k.name)
		if !ok || f.Kind != k.kind {
			t.Errorf("LookupField(%s, %s) = %+v, %v; want kind %v", k.e, k.name, f, ok, k.kind)
		}
	}
	for _, absent := range []struct {
		e    Endpoint
		name string
	}{{Lead, "tag_11"}, {Lead, "custom_field_0_content"}, {Quote, "quote_template_id"}, {Template, "quote_profile_id"}, {Quote, "uuid"}} {
		if _, ok := LookupField(absent.e, absent.name); ok {
			t.Errorf("LookupField(%s, %s) found a field; want none", absent.e, absent.name)
		}
	}
	// Fields returns a copy.
	fs := Fields(Quote)
	fs[0].Name = "changed"
	if Fields(Quote)[0].Name == "changed" {
		t.Error("Fields shares its slice with the catalog")
	}
}

func validQuote() map[string]any {
	return map[string]any{
		"quote_profile_id":                     115,
		"customer_name":                        "Support",
		"customer_email":                       "support@example.se",
		"customer_phone":                       "+46768741810",
		"send_type":                            "none",
		"chat_enabled":                         true,
		"signable":                             true,
		"workflows_enabled":                    false,
		"allow_customer_document_upload":       true,
		"trigger_created_messages_to_customer": 1,
		"signable_until":                       "2026-12-31",
		"alternatives": []any{
			map[string]any{"bundle_id": 7, "sort_order": 2, "title": "Option B"},
			map[string]any{"skus": []any{123, 4343}, "sort_order": 1, "title": "Option A"},
		},
		"custom_fields": map[string]any{
			"bank_name": map[string]any{"value": 5, "attribute": map[string]any{"required": false, "editableByContact": false, "hideFromContact": true}},
		},
	}
}

func validLead() map[string]any {
	return map[string]any{
		"quote_profile_id":                     int64(115),
		"customer_name":                        "Anna Svensson",
		"chat_enabled":                         false,
		"send_type":                            "email",
		"type":                                 "brand_awareness",
		"workflows_enabled":                    true,
		"allow_customer_document_upload":       false,
		"trigger_created_messages_to_customer": false,
		"salesperson_email":                    []string{"a@example.se", "b@example.se"},
		"custom_field_3_content":               "x",
		"tag_10":                               nil,
	}
}

func validTemplate() map[string]any {
	return map[string]any{
		"quote_template_id":                    float64(9),
		"customer_name":                        "Anna",
		"customer_phone":                       "+46701234567",
		"trigger_created_messages_to_customer": true,
		"customer_fields":                      map[string]any{"Adress": "Storgatan 1"},
	}
}

func with(base map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(base))
	for k, v := range base {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		k := kv[i].(string)
		if kv[i+1] == del {
			delete(out, k)
			continue
		}
		out[k] = kv[i+1]
	}
	return out
}

type deleteMarker struct{}

var del = deleteMarker{}

func errsString(errs []FieldError) string {
	var b []string
	for _, e := range errs {
		b = append(b, e.Field+": "+e.Message)
	}
	return strings.Join(b, " | ")
}

func TestValidate(t *testing.T) {
	alt := func(kv ...any) map[string]any {
		return with(map[string]any{"title": "A", "sort_order": 1, "bundle_id": 3}, kv...)
	}
	cf := func(v any) map[string]any { return map[string]any{"f": v} }
	attr := map[string]any{"required": true, "editableByContact": true, "hideFromContact": false}
	tests := []struct {
		name string
		e    Endpoint
		body map[string]any
		want []string // "field: message substring", in order; nil = valid
	}{
		{"quote valid", Quote, validQuote(), nil},
		{"lead valid", Lead, validLead(), nil},
		{"template valid", Template, validTemplate(), nil},
		{"uuid ignored", Quote, with(validQuote(), "uuid", "secret"), nil},
		{"json numbers", Quote, with(validQuote(), "quote_profile_id", json.Number("115"), "trigger_created_messages_to_customer", json.Number("0")), nil},
		{"integral float", Quote, with(validQuote(), "quote_profile_id", 115.0), nil},
		{"quote missing everything", Quote, map[string]any{}, []string{
			"allow_customer_document_upload: is required", "customer_name: is required", "quote_profile_id: is required",
			"send_type: is required", "signable: is required", "workflows_enabled: is required"}},
		{"lead missing everything", Lead, map[string]any{}, []string{
			"allow_customer_document_upload: is required", "chat_enabled: is required", "customer_name: is required", "quote_profile_id: is required",
			"send_type: is required", "trigger_created_messages_to_customer: is required", "type: is required", "workflows_enabled: is required"}},
		{"template missing everything", Template, map[string]any{}, []string{
			"customer_email: is required when customer_phone is not given", "customer_name: is required",
			"quote_template_id: is required", "trigger_created_messages_to_customer: is required"}},
		{"required null", Quote, with(validQuote(), "customer_name", nil), []string{"customer_name: is required"}},
		{"required blank", Quote, with(validQuote(), "customer_name", "  "), []string{"customer_name: is required"}},
		{"unknown field with suggestion", Quote, with(validQuote(), "customer_emial", "x"), []string{"customer_emial: unknown field; did you mean customer_email?"}},
		{"unknown field no suggestion", Quote, with(validQuote(), "zzzzzz", 1), []string{"zzzzzz: unknown field"}},
		{"template field on quote", Quote, with(validQuote(), "quote_template_id", 1), []string{"quote_template_id: unknown field"}},
		{"int as text", Quote, with(validQuote(), "quote_profile_id", "115"), []string{`quote_profile_id: must be an integer, not text "115"`}},
		{"int fraction", Quote, with(validQuote(), "quote_profile_id", 1.5), []string{"quote_profile_id: must be an integer"}},
		{"int json fraction", Quote, with(validQuote(), "quote_profile_id", json.Number("1.5")), []string{"quote_profile_id: must be an integer"}},
		{"bool as text", Quote, with(validQuote(), "signable", "true"), []string{`signable: must be true or false, not text "true"`}},
		{"bool as 1 not allowed", Quote, with(validQuote(), "signable", 1), []string{"signable: must be true or false"}},
		{"quote trigger 2", Quote, with(validQuote(), "trigger_created_messages_to_customer", 2), []string{"trigger_created_messages_to_customer: must be true, false, 0 or 1"}},
		{"quote trigger bool", Quote, with(validQuote(), "trigger_created_messages_to_customer", false), nil},
		{"lead trigger 1 not allowed", Lead, with(validLead(), "trigger_created_messages_to_customer", 1), []string{"trigger_created_messages_to_customer: must be true or false"}},
		{"template trigger 0 not allowed", Template, with(validTemplate(), "trigger_created_messages_to_customer", 0), []string{"trigger_created_messages_to_customer: must be true or false"}},
		{"string as number", Quote, with(validQuote(), "customer_name", 12), []string{"customer_name: must be text"}},
		{"send_type bad", Quote, with(validQuote(), "send_type", "mail"), []string{`send_type: must be one of email, sms, dual, auto, none, not "mail"`}},
		{"lead send_type free", Lead, with(validLead(), "send_type", "whatever"), nil},
		{"lead send_type empty", Lead, with(validLead(), "send_type", ""), []string{"send_type: is required"}},
		{"send email no email", Quote, with(validQuote(), "send_type", "email", "customer_email", del), []string{"customer_email: is required when send_type is email"}},
		{"send email null email", Quote, with(validQuote(), "send_type", "email", "customer_email", nil), []string{"customer_email: is required when send_type is email"}},
		{"send sms no phone", Quote, with(validQuote(), "send_type", "sms", "customer_phone", ""), []string{"customer_phone: is required when send_type is sms"}},
		{"send sms no email ok", Quote, with(validQuote(), "send_type", "sms", "customer_email", del), nil},
		{"send dual neither", Quote, with(validQuote(), "send_type", "dual", "customer_phone", del, "customer_email", del), []string{
			"customer_email: is required when send_type is dual", "customer_phone: is required when send_type is dual"}},
		{"send none neither", Quote, with(validQuote(), "customer_phone", del, "customer_email", del), nil},
		{"send auto neither", Quote, with(validQuote(), "send_type", "auto", "customer_phone", del, "customer_email", del), nil},
		{"template email only", Template, with(validTemplate(), "customer_phone", del, "customer_email", "a@b.se"), nil},
		{"template neither", Template, with(validTemplate(), "customer_phone", nil), []string{"customer_email: is required when customer_phone is not given"}},
		{"bad email", Template, with(validTemplate(), "customer_email", "anna@"), []string{`customer_email: must be a valid email address, not "anna@"`}},
		{"email not text", Quote, with(validQuote(), "customer_email", 5), []string{"customer_email: must be an e-mail address"}},
		{"lead bad email", Lead, with(validLead(), "customer_email", "anna example.se"), []string{"customer_email: must be a valid email address"}},
		{"phone local form", Quote, with(validQuote(), "customer_phone", "070-123 45 67"), []string{"customer_phone: must be a phone number like +46701234567"}},
		{"phone leading zero after 46", Quote, with(validQuote(), "customer_phone", "+460701234567"), []string{"customer_phone: must be a phone number"}},
		{"phone too short", Quote, with(validQuote(), "customer_phone", "+46701"), []string{"customer_phone: must be a phone number"}},
		{"phone too long", Quote, with(validQuote(), "customer_phone", "+4670123456789"), []string{"customer_phone: must be a phone number"}},
		{"phone foreign ok", Quote, with(validQuote(), "customer_phone", "+4791234567"), nil},
		{"phone foreign bad", Quote, with(validQuote(), "customer_phone", "+0123456789"), []string{"customer_phone: must be a phone number"}},
		{"phone not text", Lead, with(validLead(), "customer_phone", 46701234567), []string{"customer_phone: must be a phone number text"}},
		{"date bad format", Quote, with(validQuote(), "signable_until", "31/12/2026"), []string{`signable_until: must be a date YYYY-MM-DD, not "31/12/2026"`}},
		{"date not real", Quote, with(validQuote(), "signable_until", "2026-02-30"), []string{`signable_until: is not a real date: "2026-02-30"`}},
		{"date not text", Quote, with(validQuote(), "signable_until", 46000), []string{"signable_until: must be a date YYYY-MM-DD"}},
		{"salesperson string", Lead, with(validLead(), "salesperson_email", "s@example.se"), nil},
		{"salesperson null", Lead, with(validLead(), "salesperson_email", nil), nil},
		{"salesperson any list", Lead, with(validLead(), "salesperson_email", []any{"s@example.se"}), nil},
		{"salesperson bad item", Lead, with(validLead(), "salesperson_email", []any{"s@example.se", "nope", 3}), []string{
			`salesperson_email.1: must be a valid email address, not "nope"`, "salesperson_email.2: must be an e-mail address"}},
		{"salesperson empty list", Lead, with(validLead(), "salesperson_email", []string{}), []string{"salesperson_email: must not be an empty list"}},
		{"salesperson bad string", Lead, with(validLead(), "salesperson_email", "x@"), []string{"salesperson_email: must be a valid email address"}},
		{"salesperson number", Lead, with(validLead(), "salesperson_email", 5), []string{"salesperson_email: must be an e-mail address or a list"}},
		{"quote salesperson list refused", Quote, with(validQuote(), "salesperson_email", []string{"a@b.se"}), []string{"salesperson_email: must be an e-mail address"}},
		{"lead custom field 11", Lead, with(validLead(), "custom_field_11_content", "x"), []string{"custom_field_11_content: unknown field"}},
		{"alternatives not list", Quote, with(validQuote(), "alternatives", "A"), []string{"alternatives: must be a list of alternatives"}},
		{"alternatives empty ok", Quote, with(validQuote(), "alternatives", []any{}), nil},
		{"alternative typed slice", Quote, with(validQuote(), "alternatives", []map[string]any{alt()}), nil},
		{"alternative skus strings", Quote, with(validQuote(), "alternatives", []any{alt("bundle_id", del, "skus", []string{"A-1", "B-2"})}), nil},
		{"alternative not object", Quote, with(validQuote(), "alternatives", []any{"x"}), []string{"alternatives.0: must be an object"}},
		{"alternative no title", Quote, with(validQuote(), "alternatives", []any{alt("title", del)}), []string{"alternatives.0.title: is required"}},
		{"alternative title number", Quote, with(validQuote(), "alternatives", []any{alt("title", 5)}), []string{"alternatives.0.title: must be text"}},
		{"alternative no sort", Quote, with(validQuote(), "alternatives", []any{alt(), alt("sort_order", del)}), []string{"alternatives.1.sort_order: is required"}},
		{"alternative sort text", Quote, with(validQuote(), "alternatives", []any{alt("sort_order", "1")}), []string{"alternatives.0.sort_order: must be an integer"}},
		{"alternative both", Quote, with(validQuote(), "alternatives", []any{alt("skus", []int{1})}), []string{"alternatives.0: has both bundle_id and skus"}},
		{"alternative neither", Quote, with(validQuote(), "alternatives", []any{alt("bundle_id", del)}), []string{"alternatives.0: needs bundle_id or skus"}},
		{"alternative bundle text", Quote, with(validQuote(), "alternatives", []any{alt("bundle_id", "x")}), []string{"alternatives.0.bundle_id: must be an integer"}},
		{"alternative skus empty", Quote, with(validQuote(), "alternatives", []any{alt("bundle_id", del, "skus", []any{})}), []string{"alternatives.0.skus: must not be empty"}},
		{"alternative skus not list", Quote, with(validQuote(), "alternatives", []any{alt("bundle_id", del, "skus", "1,2")}), []string{"alternatives.0.skus: must be a list"}},
		{"alternative sku bad", Quote, with(validQuote(), "alternatives", []any{alt("bundle_id", del, "skus", []any{1, true, ""})}), []string{
			"alternatives.0.skus.1: must be a product SKU", "alternatives.0.skus.2: must be a product SKU"}},
		{"alternative unknown key", Quote, with(validQuote(), "alternatives", []any{alt("price", 3)}), []string{"alternatives.0.price: unknown field"}},
		{"custom_fields not object", Quote, with(validQuote(), "custom_fields", []any{1}), []string{"custom_fields: must be an object"}},
		{"custom field not object", Quote, with(validQuote(), "custom_fields", cf(5)), []string{"custom_fields.f: must be an object {value, attribute}"}},
		{"custom field no value", Quote, with(validQuote(), "custom_fields", cf(map[string]any{"attribute": attr})), []string{"custom_fields.f.value: is required"}},
		{"custom field null value ok", Quote, with(validQuote(), "custom_fields", cf(map[string]any{"value": nil, "attribute": attr})), nil},
		{"custom field no attribute", Quote, with(validQuote(), "custom_fields", cf(map[string]any{"value": 1})), []string{"custom_fields.f.attribute: is required"}},
		{"custom field attribute not object", Quote, with(validQuote(), "custom_fields", cf(map[string]any{"value": 1, "attribute": true})), []string{"custom_fields.f.attribute: must be an object"}},
		{"custom field attribute missing and wrong", Quote, with(validQuote(), "custom_fields", cf(map[string]any{"value": 1, "attribute": map[string]any{"required": "yes", "hideFromContact": true, "colour": 1}})), []string{
			"custom_fields.f.attribute.colour: unknown field", "custom_fields.f.attribute.editableByContact: is required", "custom_fields.f.attribute.required: must be true or false"}},
		{"custom field extra key", Quote, with(validQuote(), "custom_fields", cf(map[string]any{"value": 1, "attribute": attr, "label": "x"})), []string{"custom_fields.f.label: unknown field"}},
		{"customer_fields list ok", Template, with(validTemplate(), "customer_fields", []any{map[string]any{"id": 1, "value": "x"}}), nil},
		{"customer_fields text", Template, with(validTemplate(), "customer_fields", "x"), []string{"customer_fields: must be an object or a list"}},
		{"unknown endpoint", Endpoint("nope"), map[string]any{}, []string{"endpoint: unknown endpoint"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Validate(tt.e, tt.body)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d errors (%s); want %d (%s)", len(got), errsString(got), len(tt.want), strings.Join(tt.want, " | "))
			}
			for i, w := range tt.want {
				if g := got[i].Field + ": " + got[i].Message; !strings.HasPrefix(g, w) {
					t.Errorf("error %d = %q; want it to start with %q", i, g, w)
				}
			}
		})
	}
}

func TestValidateStableOrder(t *testing.T) {
	body := map[string]any{"zeta": 1, "alpha": 2, "customer_name": 3, "quote_profile_id": "x"}
	first := errsString(Validate(Quote, body))
	for i := 0; i < 20; i++ {
		if got := errsString(Validate(Quote, body)); got != first {
			t.Fatalf("order changed: %q then %q", first, got)
		}
	}
	errs := Validate(Quote, body)
	for i := 1; i < len(errs); i++ {
		a, b := errs[i-1], errs[i]
		if a.Field > b.Field || (a.Field == b.Field && a.Message > b.Message) {
			t.Errorf("errors not sorted: %v before %v", a, b)
		}
	}
}

func TestValidEmail(t *testing.T) {
	good := []string{"a@b.se", "anna.svensson+tag@example.co.uk", "åsa@exempel.se", "x@sub-domain.example.com"}
	bad := []string{"", "a", "a@", "@b.se", "a@b", "a b@c.se", " a@b.se", "a@b.se ", "a@@b.se", "a@-b.se", "a@b..se", "Anna <a@b.se>", ".a@b.se", "a..b@c.se", "a@b.s3", "a@b.c"}
	for _, s := range good {
		if !ValidEmail(s) {
			t.Errorf("ValidEmail(%q) = false; want true", s)
		}
	}
	for _, s := range bad {
		if ValidEmail(s) {
			t.Errorf("ValidEmail(%q) = true; want false", s)
		}
	}
}

func TestValidPhone(t *testing.T) {
	good := []string{"+46701234567", "+4681234567", "+468123456", "+467012345678", "+4791234567", "+14155552671", "+358401234567"}
	bad := []string{"", "0701234567", "+460701234567", "+46 70 123 45 67", "+46701", "+4670123456789", "+0123456789", "46701234567", "+1234567890123456"}
	for _, s := range good {
		if !ValidPhone(s) {
			t.Errorf("ValidPhone(%q) = false; want true", s)
		}
	}
	for _, s := range bad {
		if ValidPhone(s) {
			t.Errorf("ValidPhone(%q) = true; want false", s)
		}
	}
}

func TestAsInt(t *testing.T) {
	tests := []struct {
		in   any
		want int64
		ok   bool
	}{
		{115, 115, true}, {int64(-3), -3, true}, {uint8(7), 7, true}, {115.0, 115, true}, {float32(2), 2, true},
		{json.Number("42"), 42, true}, {json.Number("42.0"), 42, true}, {json.Number("4.2"), 0, false},
		{1.5, 0, false}, {"1", 0, false}, {true, 0, false}, {nil, 0, false}, {uint64(1 << 63), 0, false},
	}
	for _, tt := range tests {
		got, ok := AsInt(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("AsInt(%#v) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
