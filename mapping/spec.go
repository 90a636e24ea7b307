package mapping

import (
	"fmt"
	"os"
	"strings"

	"github.com/sbimport/sbimport/salesbyte"
)

// Spec is a parsed mapping file: which endpoint to call and where each
// field of its request body comes from. It is checked against the
// endpoint's fields but not yet against a sheet; Compile does that.
type Spec struct {
	file     string
	endpoint salesbyte.Endpoint

	set            []setValue
	fields         []fieldSource
	alternatives   []alternative
	customFields   []customField
	customerFields []namedSource
	key            *source
	fieldsLine     int

	sheet     string // sheet: the workbook sheet to read; "" = not given
	headerRow int    // header_row: the row holding the column names; 0 = not given
	campaign  string // campaign: the scope rows belong to; "" = none
}

// setValue is one constant of the set: block, already typed for the API.
type setValue struct {
	field string
	value any
	line  int
}

// fieldSource is one entry of fields:.
type fieldSource struct {
	field string
	src   *source
}

// alternative is one item of alternatives: (quote).
type alternative struct {
	line  int
	index int // 1-based
	parts []namedSource
	when  string
}

// customField is one entry of custom_fields: (quote).
type customField struct {
	name                            string
	src                             *source
	required, editable, hideContact bool
}

type namedSource struct {
	name string
	src  *source
}

// valueType is what a source's text is converted to (the `as:` types,
// plus the alternative item's sku list).
type valueType string

const (
	asText   valueType = "text"
	asInt    valueType = "int"
	asNumber valueType = "number"
	asBool   valueType = "bool"
	asDate   valueType = "date"
	asEmail  valueType = "email"
	asPhone  valueType = "phone"
	asList   valueType = "list"
	asSKUs   valueType = "skus" // a list whose items are ints when all are integers
	asAny    valueType = ""     // constants only: what YAML says
)

var asNames = []string{"text", "int", "number", "bool", "date", "email", "phone", "list"}

// source says where one value comes from: a column, a text with {Column}
// placeholders, or a constant; and how to turn it into a typed value.
type source struct {
	line     int
	column   string // a single column
	template []part // text with placeholders
	text     string // the template as written
	constant any    // a typed constant
	isConst  bool

	as      valueType
	asSet   bool // as: was written
	free    bool // custom/customer field: a constant keeps its YAML type unless as: says
	split   string
	def     string
	hasDef  bool
	lookup  map[string]string // folded cell → replacement text
	mapKeys []string          // as written, for messages
	mapLns  []int             // the line of each map: entry, by mapKeys
	when    string
	whenLn  int
}

// part is one literal or placeholder of a template.
type part struct {
	lit    string
	column string
	isCol  bool
}

// Error lists every problem found in a mapping file, each as
// "file:line: message".
type Error struct {
	File     string
	Problems []string
}

func (e *Error) Error() string { return strings.Join(e.Problems, "\n") }

// Load reads and parses a mapping file.
func Load(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the mapping file: %w", err)
	}
	return Parse(path, data)
}

// Endpoint is the endpoint the mapping calls.
func (s *Spec) Endpoint() salesbyte.Endpoint { return s.endpoint }

// File is the name the mapping was parsed under.
func (s *Spec) File() string { return s.file }

// Sheet is the workbook sheet the mapping names (sheet:), "" when it
// names none.
func (s *Spec) Sheet() string { return s.sheet }

// HeaderRow is the row the mapping says holds the column names
// (header_row:, from 1), 0 when it does not say.
func (s *Spec) HeaderRow() int { return s.headerRow }

// Campaign is the mapping's campaign: name, "" when it has none.
func (s *Spec) Campaign() string { return s.campaign }

// Set returns the set: constants, typed as they are sent (e.g. to show
// send_type in the plan before sending).
func (s *Spec) Set() map[string]any {
	m := make(map[string]any, len(s.set))
	for _, v := range s.set {
		m[v.field] = v.value
	}
	return m
}

// Columns returns every column the mapping reads, in first-use order.
func (s *Spec) Columns() []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range s.refs() {
		if !seen[r.column] {
			seen[r.column] = true
			out = append(out, r.column)
		}
	}
	return out
}
