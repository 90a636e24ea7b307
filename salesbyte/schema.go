// Package salesbyte knows SalesByte's Integration API: its endpoints and
// their field rules, a client for the write endpoints and the Quotes API,
// and how to classify what came back.
package salesbyte

import (
	"github.com/sbimport/sbimport/internal/suggest"

	"fmt"
	"strconv"
	"strings"
)

// Endpoint names one of the three write endpoints, as the mapping file
// names it.
type Endpoint string

const (
	Lead     Endpoint = "lead"
	Quote    Endpoint = "quote"
	Template Endpoint = "template"
)

// Endpoints lists the write endpoints in a stable order.
var Endpoints = []Endpoint{Lead, Quote, Template}

// ParseEndpoint accepts a mapping file's endpoint name; an unknown name
// gets an error suggesting the closest valid one. Case and surrounding
// blanks are ignored.
func ParseEndpoint(s string) (Endpoint, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	names := make([]string, len(Endpoints))
	for i, e := range Endpoints {
		if string(e) == name {
			return e, nil
		}
		names[i] = string(e)
	}
	if name == "" {
		return "", fmt.Errorf("no endpoint given: set endpoint to one of %s", strings.Join(names, ", "))
	}
	if c, ok := suggest.Closest(name, names); ok {
		return "", fmt.Errorf("unknown endpoint %q: did you mean %q? (valid endpoints: %s)", s, c, strings.Join(names, ", "))
	}
	return "", fmt.Errorf("unknown endpoint %q: use one of %s", s, strings.Join(names, ", "))
}

// Path is the endpoint's URL path, e.g. "/integrations/create_quote".
// It is empty for an endpoint that does not exist.
func (e Endpoint) Path() string {
	switch e {
	case Lead:
		return "/integrations/create_brandawareness"
	case Quote:
		return "/integrations/create_quote"
	case Template:
		return "/integrations/create_quote/template"
	}
	return ""
}

// FieldKind is the JSON type a field takes.
type FieldKind int

const (
	KindString FieldKind = iota
	KindInt
	KindBool
	KindDate       // "YYYY-MM-DD"
	KindEmail      // string, valid e-mail
	KindPhone      // string, "+46NNNNNNNNN" or E.164
	KindStringList // string or list of strings (salesperson_email)
	KindList       // alternatives
	KindObject     // custom_fields, customer_fields
)

// String names the kind as a user would read it in a message.
func (k FieldKind) String() string {
	switch k {
	case KindString:
		return "text"
	case KindInt:
		return "integer"
	case KindBool:
		return "boolean"
	case KindDate:
		return "date"
	case KindEmail:
		return "e-mail"
	case KindPhone:
		return "phone"
	case KindStringList:
		return "text or list of texts"
	case KindList:
		return "list"
	case KindObject:
		return "object"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Field describes one top-level body field of an endpoint (never uuid).
type Field struct {
	Name     string
	Kind     FieldKind
	Required bool // required unconditionally; conditional rules live in Validate
	Doc      string
}

var catalog = map[Endpoint][]Field{
	Lead:     leadFields(),
	Quote:    quoteFields(),
	Template: templateFields(),
}

func leadFields() []Field {
	fs := []Field{
		{"quote_profile_id", KindInt, true, "the quote profile the lead belongs to"},
		{"customer_name", KindString, true, "the customer's name"},
		{"customer_email", KindEmail, false, "the customer's e-mail address"},
		{"customer_phone", KindPhone, false, "the customer's phone, +46NNNNNNNNN"},
		{"customer_company", KindString, false, "the customer's company"},
		{"chat_enabled", KindBool, true, "whether chat is enabled"},
		{"send_type", KindString, true, "how the customer is notified, e.g. email or sms"},
		{"type", KindString, true, "the kind of brand-awareness lead"},
		{"workflows_enabled", KindBool, true, "whether workflows run"},
		{"allow_customer_document_upload", KindBool, true, "whether the customer may upload documents"},
		{"trigger_created_messages_to_customer", KindBool, true, "whether the customer is messaged on creation"},
		{"salesperson_email", KindStringList, false, "salesperson e-mail(s); empty = a random salesperson"},
		{"message", KindString, false, "message to the customer"},
	}
	for i := 1; i <= 10; i++ {
		fs = append(fs, Field{fmt.Sprintf("custom_field_%d_content", i), KindString, false, fmt.Sprintf("custom field %d", i)})
	}
	for i := 1; i <= 10; i++ {
		fs = append(fs, Field{fmt.Sprintf("tag_%d", i), KindString, false, fmt.Sprintf("tag %d", i)})
	}
	return fs
}

func quoteFields() []Field {
	return []Field{
		{"quote_profile_id", KindInt, true, "the quote profile, e.g. 115"},
		{"customer_name", KindString, true, "the customer's name"},
		{"customer_email", KindEmail, false, "the customer's e-mail; required when send_type is email or dual"},
		{"customer_phone", KindPhone, false, "the customer's phone, +46NNNNNNNNN; required when send_type is sms or dual"},
		{"customer_company", KindString, false, "the customer's company"},
		{"send_type", KindString, true, "email, sms, dual, auto or none"},
		{"workflows_enabled", KindBool, true, "whether workflows run"},
		{"allow_customer_document_upload", KindBool, true, "whether the customer may upload documents"},
		{"signable", KindBool, true, "whether the quote can be signed"},
		{"salesperson_email", KindEmail, false, "a registered user's e-mail; empty = the profile's default"},
		{"chat_enabled", KindBool, false, "whether chat is enabled"},
		{"message", KindString, false, "message to the customer; empty = the default message"},
		{"trigger_created_messages_to_customer", KindBool, false, "whether the customer is messaged on creation (bool or 0/1)"},
		{"signable_until", KindDate, false, "last day to sign, YYYY-MM-DD"},
		{"alternatives", KindList, false, "the quote's alternatives: title, sort_order and bundle_id or skus"},
		{"custom_fields", KindObject, false, "custom fields: name → {value, attribute}"},
	}
}

func templateFields() []Field {
	return []Field{
		{"quote_template_id", KindInt, true, "the template to clone"},
		{"customer_name", KindString, true, "the customer's name"},
		{"customer_email", KindEmail, false, "the customer's e-mail; this or customer_phone is required"},
		{"customer_phone", KindPhone, false, "the customer's phone, +46NNNNNNNNN; this or customer_email is required"},
		{"trigger_created_messages_to_customer", KindBool, true, "whether the customer is messaged on creation"},
		{"customer_fields", KindObject, false, "custom-field updates for the template"},
	}
}

// Fields lists the body fields a mapping may fill for e, uuid excluded,
// in the documentation's order. The slice is the caller's to keep.
func Fields(e Endpoint) []Field {
	fs := catalog[e]
	out := make([]Field, len(fs))
	copy(out, fs)
	return out
}

// LookupField finds a field of e by name.
func LookupField(e Endpoint, name string) (Field, bool) {
	for _, f := range catalog[e] {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// FieldNames lists the names of e's fields, in Fields' order.
func FieldNames(e Endpoint) []string {
	fs := catalog[e]
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name
	}
	return out
}

// FieldError is one broken rule, keyed by the body field it concerns.
// Nested fields use dots: "alternatives.0.title".
type FieldError struct {
	Field   string
	Message string
}

func (fe FieldError) Error() string { return fe.Field + ": " + fe.Message }
