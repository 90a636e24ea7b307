// Package salesbyte knows SalesByte's Integration API: its endpoints and
// their field rules, a client for the write endpoints and the Quotes API,
// and how to classify what came back.
package salesbyte

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
// gets an error suggesting the closest valid one.
func ParseEndpoint(s string) (Endpoint, error) { panic("todo") }

// Path is the endpoint's URL path, e.g. "/integrations/create_quote".
func (e Endpoint) Path() string { panic("todo") }

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

// Field describes one top-level body field of an endpoint (never uuid).
type Field struct {
	Name     string
	Kind     FieldKind
	Required bool // required unconditionally; conditional rules live in Validate
	Doc      string
}

// Fields lists the body fields a mapping may fill for e, uuid excluded.
func Fields(e Endpoint) []Field { panic("todo") }

// LookupField finds a field of e by name.
func LookupField(e Endpoint, name string) (Field, bool) { panic("todo") }

// FieldError is one broken rule, keyed by the body field it concerns.
type FieldError struct {
	Field   string
	Message string
}

// Validate checks a request body (without uuid) against the endpoint's
// documented rules and returns every problem, in a stable order. Values
// may be Go natives (string, int, int64, float64, bool, []string, []any,
// map[string]any, nil) or what encoding/json decodes with UseNumber
// (json.Number), so the client and the sandbox share one set of rules.
func Validate(e Endpoint, body map[string]any) []FieldError { panic("todo") }
