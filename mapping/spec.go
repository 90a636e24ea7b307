package mapping

import (
	"fmt"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

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

type parser struct {
	file     string
	problems []string
	endpoint salesbyte.Endpoint
	known    bool // endpoint known: fields can be checked
	// given holds the set: fields written in the file, valid or not: a
	// wrong value is one problem, not also a "missing" one.
	given map[string]bool
}

func (p *parser) errf(line int, format string, args ...any) {
	p.problems = append(p.problems, fmt.Sprintf("%s:%d: %s", p.file, line, fmt.Sprintf(format, args...)))
}

var topKeys = []string{"endpoint", "set", "fields", "alternatives", "custom_fields", "customer_fields", "key"}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse reads a mapping file's text; name is used in messages. Every
// problem is reported at once, in one *Error.
func Parse(name string, data []byte) (*Spec, error) {
	p := &parser{file: name, given: map[string]bool{}}
	spec := &Spec{file: name}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		msg := err.Error()
		line := 1
		for _, l := range strings.Split(msg, "\n") {
			l = strings.TrimSpace(l)
			if m := yamlLine.FindStringSubmatch(l); m != nil {
				line, _ = strconv.Atoi(m[1])
				p.errf(line, "not valid YAML: %s%s", m[2], yamlHint(data, line))
			} else if l != "" && l != "yaml: unmarshal errors:" {
				p.errf(line, "not valid YAML: %s", strings.TrimPrefix(l, "yaml: "))
			}
		}
		return nil, &Error{File: name, Problems: p.problems}
	}
	if len(doc.Content) == 0 {
		p.errf(1, "the mapping file is empty; start with `endpoint: quote` (or lead, template) and a fields: block, or run `sbimport init`")
		return nil, &Error{File: name, Problems: p.problems}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		p.errf(root.Line, "the mapping file must be a set of `key: value` lines (endpoint:, set:, fields: …)")
		return nil, &Error{File: name, Problems: p.problems}
	}
	top := p.mapEntries(root, topKeys, "top-level key")
	// The endpoint first: everything else is checked against it.
	if n, ok := top["endpoint"]; ok {
		if n.value.Kind != yaml.ScalarNode {
			p.errf(n.value.Line, "endpoint: must be one of lead, quote, template")
		} else if e, err := salesbyte.ParseEndpoint(strings.TrimSpace(n.value.Value)); err != nil {
			p.errf(n.value.Line, "%v", err)
		} else {
			p.endpoint, p.known = e, true
		}
	} else {
		p.errf(root.Line, "endpoint: is missing; add a line `endpoint: quote` (or lead, template)")
	}
	spec.endpoint = p.endpoint
	if n, ok := top["set"]; ok {
		spec.set = p.parseSet(n.value)
	}
	if n, ok := top["fields"]; ok {
		spec.fieldsLine = n.key.Line
		spec.fields = p.parseFields(n.value)
	}
	if n, ok := top["alternatives"]; ok {
		if p.sectionAllowed(n.key, "alternatives", salesbyte.Quote) {
			spec.alternatives = p.parseAlternatives(n.value)
		}
	}
	if n, ok := top["custom_fields"]; ok {
		if p.sectionAllowed(n.key, "custom_fields", salesbyte.Quote) {
			spec.customFields = p.parseCustomFields(n.value)
		}
	}
	if n, ok := top["customer_fields"]; ok {
		if p.sectionAllowed(n.key, "customer_fields", salesbyte.Template) {
			spec.customerFields = p.parseNamedSources(n.value, "customer_fields")
		}
	}
	if n, ok := top["key"]; ok {
		spec.key = p.parseSource(n.value, asText, "key", sourceOpts{scalarIsColumn: true})
	}
	if p.known {
		p.checkFields(spec, root.Line)
	}
	if len(p.problems) > 0 {
		return nil, &Error{File: name, Problems: p.problems}
	}
	return spec, nil
}

// unquotedTemplate matches a value such as {Förnamn} {Efternamn} written
// without quotes, which YAML cannot read.
var unquotedTemplate = regexp.MustCompile(`^\s*[^#"']*:\s*\{[^}"']*\}\s*[^\s#]`)

// yamlHint says what usually causes a YAML error on or just before line:
// a tab in the indentation, or a {placeholder} text without quotes. The
// YAML parser's line is sometimes the one before or after the culprit.
func yamlHint(data []byte, line int) string {
	lines := strings.Split(string(data), "\n")
	for _, l := range []int{line, line + 1, line - 1} {
		if l < 1 {
			continue
		}
		if l > len(lines) {
			continue
		}
		text := strings.TrimRight(lines[l-1], "\r")
		if indent := text[:len(text)-len(strings.TrimLeft(text, " \t"))]; strings.Contains(indent, "\t") {
			return fmt.Sprintf("; line %d is indented with a tab: indent with spaces", l)
		}
		if unquotedTemplate.MatchString(text) {
			return fmt.Sprintf("; on line %d, put a text with {Column} placeholders in quotes, e.g. customer_name: \"{Förnamn} {Efternamn}\"", l)
		}
	}
	return ""
}

type entry struct{ key, value *yaml.Node }

// mapEntries reads a mapping node whose keys must come from valid;
// unknown and repeated keys are reported. A nil valid accepts any key.
func (p *parser) mapEntries(n *yaml.Node, valid []string, what string) map[string]entry {
	out := map[string]entry{}
	for _, e := range p.orderedEntries(n, valid, what) {
		out[e.key.Value] = e
	}
	return out
}

func (p *parser) orderedEntries(n *yaml.Node, valid []string, what string) []entry {
	var out []entry
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.errf(k.Line, "a %s must be a plain name", what)
			continue
		}
		name := strings.TrimSpace(k.Value)
		if valid != nil && !contains(valid, name) {
			p.errf(k.Line, "unknown %s %q%s", what, name, orList(didYouMean(name, valid), valid))
			continue
		}
		if first, dup := seen[name]; dup {
			p.errf(k.Line, "%q is given twice (also on line %d); keep one", name, first)
			continue
		}
		seen[name] = k.Line
		k.Value = name
		out = append(out, entry{k, v})
	}
	return out
}

// orList returns the suggestion if there is one, else the list of valid
// names.
func orList(suggestion string, valid []string) string {
	if suggestion != "" {
		return suggestion
	}
	return "; valid: " + strings.Join(valid, ", ")
}

// bracedName tells whether n is YAML's reading of an unquoted {Name}: a
// flow mapping with one key that is not a source key and has no value.
func bracedName(n *yaml.Node) (string, bool) {
	if n.Style&yaml.FlowStyle == 0 || len(n.Content) != 2 {
		return "", false
	}
	k, v := n.Content[0], n.Content[1]
	if k.Kind != yaml.ScalarNode || v.Kind != yaml.ScalarNode || v.Tag != "!!null" || v.Value != "" || contains(sourceKeys, k.Value) {
		return "", false
	}
	return k.Value, true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (p *parser) sectionAllowed(key *yaml.Node, name string, want salesbyte.Endpoint) bool {
	if !p.known {
		return true
	}
	if p.endpoint != want {
		p.errf(key.Line, "%s: is only for endpoint %s, and this mapping is for %s; remove it", name, want, p.endpoint)
		return false
	}
	return true
}

func (p *parser) fieldNames() []string {
	fs := salesbyte.Fields(p.endpoint)
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, f.Name)
	}
	return out
}

// lookupField checks a field name for the endpoint and reports an
// unknown one with the closest valid name.
func (p *parser) lookupField(n *yaml.Node, name string) (salesbyte.Field, bool) {
	if !p.known {
		return salesbyte.Field{}, false
	}
	if name == "uuid" {
		p.errf(n.Line, "uuid must not be in the mapping file; it is a secret: give it with SALESBYTE_UUID or --uuid-file")
		return salesbyte.Field{}, false
	}
	f, ok := salesbyte.LookupField(p.endpoint, name)
	if !ok {
		p.errf(n.Line, "unknown field %q for endpoint %s%s", name, p.endpoint, orList(didYouMean(name, p.fieldNames()), p.fieldNames()))
	}
	return f, ok
}

func (p *parser) parseSet(n *yaml.Node) []setValue {
	if n.Kind != yaml.MappingNode {
		if n.Tag == "!!null" {
			return nil
		}
		p.errf(n.Line, "set: must hold `field: value` lines, e.g. quote_profile_id: 115")
		return nil
	}
	var out []setValue
	for _, e := range p.orderedEntries(n, nil, "field") {
		f, ok := p.lookupField(e.key, e.key.Value)
		if !ok {
			continue
		}
		p.given[f.Name] = true
		v, ok := p.typedConstant(e.value, f)
		if ok && p.placeholder(e.value.Line, f.Name, v) {
			ok = false
		}
		if ok {
			ok = p.checkAPIValue(e.value.Line, f.Name, f.Name, v)
		}
		if ok {
			out = append(out, setValue{field: f.Name, value: v, line: e.key.Line})
		}
	}
	return out
}

// placeholder reports a set: value that is still one of init's
// placeholders (a TODO text, an id of 0), so it is never sent as it is.
func (p *parser) placeholder(line int, field string, v any) bool {
	switch x := v.(type) {
	case string:
		if strings.Contains(strings.ToUpper(x), "TODO") {
			p.errf(line, "%s: still says %q; put the real value there", field, x)
			return true
		}
	case int64:
		if strings.HasSuffix(field, "_id") && x <= 0 {
			p.errf(line, "%s: %d is not an id (ids are whole numbers from 1); put your real %s there", field, x, strings.ReplaceAll(strings.TrimSuffix(field, "_id"), "_", " ")+" id")
			return true
		}
	}
	return false
}

// kindExample gives what a field of a kind looks like in the mapping.
func kindExample(f salesbyte.Field) string {
	switch f.Kind {
	case salesbyte.KindInt:
		return "a whole number, e.g. " + f.Name + ": 115"
	case salesbyte.KindBool:
		return "true or false, e.g. " + f.Name + ": true"
	case salesbyte.KindDate:
		return "a date, e.g. " + f.Name + ": 2026-12-31"
	case salesbyte.KindEmail:
		return "an e-mail address, e.g. " + f.Name + ": anna@example.se"
	case salesbyte.KindPhone:
		return "a phone number, e.g. " + f.Name + ": \"+46701234567\""
	case salesbyte.KindStringList:
		return "an e-mail address or a list of them, e.g. " + f.Name + ": [anna@example.se, bo@example.se]"
	case salesbyte.KindList:
		return "a list"
	case salesbyte.KindObject:
		return "a set of name: value lines"
	}
	return "a text, e.g. " + f.Name + ": \"some text\""
}

// typedConstant checks a set: value against the field's kind.
func (p *parser) typedConstant(n *yaml.Node, f salesbyte.Field) (any, bool) {
	wrong := func(what string) (any, bool) {
		p.errf(n.Line, "%s: %s; expected %s", f.Name, what, kindExample(f))
		return nil, false
	}
	if n.Tag == "!!null" {
		return wrong("has no value (remove the line to leave it out)")
	}
	switch f.Kind {
	case salesbyte.KindList, salesbyte.KindObject:
		return nodeValue(n), true
	case salesbyte.KindStringList:
		if n.Kind == yaml.SequenceNode {
			var list []string
			for _, c := range n.Content {
				if c.Kind != yaml.ScalarNode || c.Tag == "!!null" || strings.TrimSpace(c.Value) == "" {
					return wrong("every item of the list must be a text")
				}
				list = append(list, strings.TrimSpace(c.Value))
			}
			return list, true
		}
	}
	if n.Kind != yaml.ScalarNode {
		return wrong("is not a single value")
	}
	v := n.Value
	switch f.Kind {
	case salesbyte.KindInt:
		switch n.Tag {
		case "!!int":
			i, err := strconv.ParseInt(strings.ReplaceAll(v, "_", ""), 0, 64)
			if err != nil {
				return wrong(fmt.Sprintf("%q is not a whole number", v))
			}
			return i, true
		case "!!float":
			fl, err := strconv.ParseFloat(v, 64)
			if err == nil && fl == math.Trunc(fl) && math.Abs(fl) < 1<<53 {
				return int64(fl), true
			}
			return wrong(fmt.Sprintf("%s is not a whole number", v))
		case "!!str":
			if _, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
				return wrong(fmt.Sprintf("%q is quoted, so it is a text; remove the quotes", v))
			}
		}
		return wrong(fmt.Sprintf("%q is not a whole number", v))
	case salesbyte.KindBool:
		if n.Tag == "!!bool" {
			b, err := strconv.ParseBool(strings.ToLower(v))
			if err == nil {
				return b, true
			}
		}
		return wrong(fmt.Sprintf("%q is not true or false (the mapping file takes only those two, without quotes)", v))
	case salesbyte.KindDate:
		d, err := ParseDate(v)
		if err != nil {
			return wrong(err.Error())
		}
		return d, true
	case salesbyte.KindEmail:
		e, err := ParseEmail(v)
		if err != nil {
			return wrong(err.Error())
		}
		return e, true
	case salesbyte.KindPhone:
		ph, err := ParsePhone(v)
		if err != nil {
			return wrong(err.Error())
		}
		return ph, true
	}
	// text
	if n.Tag == "!!bool" {
		return wrong(fmt.Sprintf("%s is a yes/no value, not a text (quote it if you mean the text)", v))
	}
	if strings.TrimSpace(v) == "" {
		return wrong("is empty (remove the line to leave it out)")
	}
	return strings.TrimSpace(v), true
}

// nodeValue turns YAML into JSON-ready Go values (int64, float64, bool,
// string, []any, map[string]any).
func nodeValue(n *yaml.Node) any {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) > 0 {
			return nodeValue(n.Content[0])
		}
		return nil
	case yaml.AliasNode:
		return nodeValue(n.Alias)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			out = append(out, nodeValue(c))
		}
		return out
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			out[n.Content[i].Value] = nodeValue(n.Content[i+1])
		}
		return out
	}
	switch n.Tag {
	case "!!null":
		return nil
	case "!!bool":
		b, _ := strconv.ParseBool(strings.ToLower(n.Value))
		return b
	case "!!int":
		if i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err == nil {
			return i
		}
	case "!!float":
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return f
		}
	}
	return n.Value
}

// defaultAs gives the conversion a field's API kind implies.
func defaultAs(k salesbyte.FieldKind) valueType {
	switch k {
	case salesbyte.KindInt:
		return asInt
	case salesbyte.KindBool:
		return asBool
	case salesbyte.KindDate:
		return asDate
	case salesbyte.KindEmail:
		return asEmail
	case salesbyte.KindPhone:
		return asPhone
	}
	return asText
}

// asAllowed says which as: types fit a field's kind.
func asAllowed(k salesbyte.FieldKind) []valueType {
	switch k {
	case salesbyte.KindInt:
		return []valueType{asInt}
	case salesbyte.KindBool:
		return []valueType{asBool}
	case salesbyte.KindDate:
		return []valueType{asDate}
	case salesbyte.KindEmail:
		return []valueType{asEmail, asText}
	case salesbyte.KindPhone:
		return []valueType{asPhone, asText}
	case salesbyte.KindStringList:
		return []valueType{asText, asEmail, asList}
	}
	return []valueType{asText, asEmail, asPhone, asDate}
}

func (p *parser) parseFields(n *yaml.Node) []fieldSource {
	if n.Kind != yaml.MappingNode {
		if n.Tag == "!!null" {
			return nil
		}
		p.errf(n.Line, "fields: must hold `field: Column` lines, e.g. customer_email: E-post")
		return nil
	}
	var out []fieldSource
	for _, e := range p.orderedEntries(n, nil, "field") {
		name := e.key.Value
		f, ok := p.lookupField(e.key, name)
		if !ok {
			continue
		}
		p.given[name] = true
		switch f.Kind {
		case salesbyte.KindList, salesbyte.KindObject:
			p.errf(e.key.Line, "%s is not filled under fields:; give it its own top-level block `%s:`", name, name)
			continue
		}
		src := p.parseSource(e.value, defaultAs(f.Kind), name, sourceOpts{scalarIsColumn: true, allowed: asAllowed(f.Kind)})
		if src != nil && !p.checkSourceValues(src, name) {
			src = nil
		}
		if src != nil {
			out = append(out, fieldSource{field: name, src: src})
		}
	}
	return out
}

// sourceOpts tune parseSource for where the source appears.
type sourceOpts struct {
	scalarIsColumn bool        // a plain scalar names a column (else it is a constant)
	free           bool        // the API takes any type: constants keep their YAML type
	allowed        []valueType // as: types that fit; nil = any
	extraKeys      []string    // more keys the object form may have
	extra          map[string]*yaml.Node
}

var sourceKeys = []string{"column", "template", "value", "as", "split", "default", "map", "when"}

// parseSource reads a value source: a column header, a text with
// {Column} placeholders, a constant, or the object form.
func (p *parser) parseSource(n *yaml.Node, as valueType, what string, o sourceOpts) *source {
	s := &source{line: n.Line, as: as, free: o.free}
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			p.errf(n.Line, "%s has no value; name a column, e.g. %s: E-post", what, what)
			return nil
		}
		if strings.Contains(n.Value, "{") {
			if !p.setTemplate(s, n, what) {
				return nil
			}
		} else if o.scalarIsColumn {
			s.column = strings.TrimSpace(n.Value)
			if s.column == "" {
				p.errf(n.Line, "%s names an empty column; write the column's header, e.g. %s: E-post", what, what)
				return nil
			}
		} else {
			s.constant, s.isConst = nodeValue(n), true
		}
	case yaml.SequenceNode:
		if o.scalarIsColumn {
			p.errf(n.Line, "%s: a list is not a column; name one column, or use {column: X, split: \",\"}", what)
			return nil
		}
		s.constant, s.isConst = nodeValue(n), true
	case yaml.MappingNode:
		if k, ok := bracedName(n); ok {
			// `customer_email: {E-post}` reads as an object in YAML.
			p.errf(n.Line, "%s: {%s} without quotes is not a placeholder in YAML; write %s: %s for the column, or put a text with placeholders in quotes: %s: \"{%s}\"", what, k, what, k, what, k)
			return nil
		}
		valid := append(append([]string{}, sourceKeys...), o.extraKeys...)
		entries := p.mapEntries(n, valid, "key in "+what)
		if o.extra != nil {
			for _, k := range o.extraKeys {
				if e, ok := entries[k]; ok {
					o.extra[k] = e.value
				}
			}
		}
		count := 0
		if e, ok := entries["column"]; ok {
			count++
			s.column = strings.TrimSpace(e.value.Value)
			if e.value.Kind != yaml.ScalarNode || s.column == "" {
				p.errf(e.value.Line, "%s: column: must be one column header, e.g. column: E-post", what)
				return nil
			}
		}
		if e, ok := entries["template"]; ok {
			count++
			if e.value.Kind != yaml.ScalarNode || !p.setTemplate(s, e.value, what) {
				if e.value.Kind != yaml.ScalarNode {
					p.errf(e.value.Line, "%s: template: must be a text with {Column} placeholders", what)
				}
				return nil
			}
		}
		if e, ok := entries["value"]; ok {
			count++
			s.constant, s.isConst = nodeValue(e.value), true
		}
		if count != 1 {
			p.errf(n.Line, "%s: give exactly one of column:, template: or value:", what)
			return nil
		}
		if e, ok := entries["as"]; ok {
			name := strings.TrimSpace(e.value.Value)
			if !contains(asNames, name) {
				p.errf(e.value.Line, "%s: unknown type as: %q%s", what, name, orList(didYouMean(name, asNames), asNames))
				return nil
			}
			s.as, s.asSet = valueType(name), true
		}
		if e, ok := entries["split"]; ok {
			if e.value.Kind != yaml.ScalarNode || e.value.Value == "" {
				p.errf(e.value.Line, "%s: split: must be the separator, e.g. split: \",\"", what)
				return nil
			}
			s.split = e.value.Value
			if _, hasAs := entries["as"]; !hasAs && s.as != asSKUs {
				s.as = asList
			}
		}
		if e, ok := entries["default"]; ok {
			if e.value.Kind != yaml.ScalarNode || e.value.Tag == "!!null" {
				p.errf(e.value.Line, "%s: default: must be a single value", what)
				return nil
			}
			s.def, s.hasDef = e.value.Value, true
		}
		if e, ok := entries["map"]; ok {
			if e.value.Kind != yaml.MappingNode || len(e.value.Content) == 0 {
				p.errf(e.value.Line, "%s: map: must hold `cell value: replacement` lines, e.g. map: {Guld: 7, Silver: 8}", what)
				return nil
			}
			s.lookup = map[string]string{}
			for _, me := range p.orderedEntries(e.value, nil, "map entry") {
				if me.value.Kind != yaml.ScalarNode {
					p.errf(me.value.Line, "%s: map: %q must map to a single value", what, me.key.Value)
					continue
				}
				s.lookup[fold(me.key.Value)] = me.value.Value
				s.mapKeys = append(s.mapKeys, me.key.Value)
				s.mapLns = append(s.mapLns, me.value.Line)
			}
		}
		if e, ok := entries["when"]; ok {
			s.when = strings.TrimSpace(e.value.Value)
			s.whenLn = e.value.Line
			if e.value.Kind != yaml.ScalarNode || s.when == "" {
				p.errf(e.value.Line, "%s: when: must name a column, e.g. when: Artiklar", what)
				return nil
			}
		}
	default:
		p.errf(n.Line, "%s: expected a column header or {column: …}", what)
		return nil
	}
	if s.split != "" && s.as != asList && s.as != asSKUs {
		p.errf(n.Line, "%s: split: only goes with as: list", what)
		return nil
	}
	if o.allowed != nil && !containsType(o.allowed, s.as) {
		names := make([]string, len(o.allowed))
		for i, a := range o.allowed {
			names[i] = string(a)
		}
		p.errf(n.Line, "%s: as: %s does not fit this field; use %s", what, s.as, strings.Join(names, " or "))
		return nil
	}
	if s.as == asList && s.split == "" {
		s.split = ","
	}
	if s.as == asSKUs && s.split == "" {
		s.split = ","
	}
	// A constant is typed now; it and a default must convert.
	if s.isConst && !(s.free && !s.asSet) {
		list, isList := s.constant.([]any)
		switch {
		case isList && s.as == asSKUs:
			for _, it := range list {
				switch it.(type) {
				case int64, string:
				default:
					p.errf(n.Line, "%s: every sku must be a number or a text, not %v", what, it)
					return nil
				}
			}
		case isList && s.as == asList:
			strs := make([]string, 0, len(list))
			for _, it := range list {
				strs = append(strs, fmt.Sprint(it))
			}
			s.constant = strs
		case isList:
			p.errf(n.Line, "%s: a list does not fit here; give a single value", what)
			return nil
		default:
			v, err := convertText(fmt.Sprint(s.constant), s.as, s.split)
			if err != nil {
				p.errf(n.Line, "%s: value %v: %v", what, s.constant, err)
				return nil
			}
			s.constant = v
		}
	}
	if s.hasDef {
		text := s.def
		if s.lookup != nil {
			if r, ok := s.lookup[fold(text)]; ok {
				text = r
			}
		}
		if _, err := convertText(text, s.as, s.split); err != nil {
			p.errf(n.Line, "%s: default %q: %v", what, s.def, err)
			return nil
		}
	}
	if s.lookup != nil {
		for k, v := range s.lookup {
			if _, err := convertText(v, s.as, s.split); err != nil {
				p.errf(n.Line, "%s: map: the value for %q: %v", what, k, err)
				return nil
			}
		}
	}
	return s
}

func containsType(list []valueType, t valueType) bool {
	for _, x := range list {
		if x == t {
			return true
		}
	}
	return false
}

// setTemplate parses "{Förnamn} {Efternamn}"; "{{" and "}}" are literal
// braces.
func (p *parser) setTemplate(s *source, n *yaml.Node, what string) bool {
	text := n.Value
	var parts []part
	var lit strings.Builder
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '{' && i+1 < len(text) && text[i+1] == '{':
			lit.WriteByte('{')
			i++
		case c == '}' && i+1 < len(text) && text[i+1] == '}':
			lit.WriteByte('}')
			i++
		case c == '{':
			end := strings.IndexByte(text[i:], '}')
			if end < 0 {
				p.errf(n.Line, "%s: %q has a { without its }; write {Column} (or {{ for a brace)", what, text)
				return false
			}
			col := strings.TrimSpace(text[i+1 : i+end])
			if col == "" {
				p.errf(n.Line, "%s: %q has an empty {}; put a column header inside", what, text)
				return false
			}
			if strings.Contains(col, "{") {
				p.errf(n.Line, "%s: %q has a { without its }; write {Column} (or {{ for a brace)", what, text)
				return false
			}
			if lit.Len() > 0 {
				parts = append(parts, part{lit: lit.String()})
				lit.Reset()
			}
			parts = append(parts, part{column: col, isCol: true})
			i += end
		case c == '}':
			p.errf(n.Line, "%s: %q has a } without its {; write {Column} (or }} for a brace)", what, text)
			return false
		default:
			lit.WriteByte(c)
		}
	}
	if lit.Len() > 0 {
		parts = append(parts, part{lit: lit.String()})
	}
	hasCol := false
	for _, pt := range parts {
		hasCol = hasCol || pt.isCol
	}
	if !hasCol {
		// Only literal braces: a plain column or constant after all.
		s.column = strings.TrimSpace(lit.String())
		return true
	}
	s.template, s.text = parts, text
	return true
}

var altKeys = []string{"title", "sort_order", "bundle_id", "skus", "when"}

func (p *parser) parseAlternatives(n *yaml.Node) []alternative {
	if n.Kind != yaml.SequenceNode {
		if n.Tag == "!!null" {
			return nil
		}
		p.errf(n.Line, "alternatives: must be a list of items, each starting with `- title: …`")
		return nil
	}
	var out []alternative
	for i, item := range n.Content {
		what := fmt.Sprintf("alternative %d", i+1)
		if item.Kind != yaml.MappingNode {
			p.errf(item.Line, "%s: expected title:, sort_order: and bundle_id: or skus:", what)
			continue
		}
		a := alternative{line: item.Line, index: i + 1}
		ok := true
		for _, e := range p.orderedEntries(item, altKeys, "key in "+what) {
			k := e.key.Value
			if k == "when" {
				if e.value.Kind != yaml.ScalarNode || strings.TrimSpace(e.value.Value) == "" {
					p.errf(e.value.Line, "%s: when: must name a column, e.g. when: Artiklar", what)
					ok = false
					continue
				}
				a.when = strings.TrimSpace(e.value.Value)
				continue
			}
			as := asText
			allowed := []valueType{asText}
			switch k {
			case "sort_order", "bundle_id":
				as, allowed = asInt, []valueType{asInt}
			case "skus":
				as, allowed = asSKUs, []valueType{asSKUs, asList}
			}
			src := p.parseSource(e.value, as, what+" "+k, sourceOpts{allowed: allowed})
			if src == nil {
				ok = false
				continue
			}
			if src.as == asList {
				src.as = asSKUs
			}
			a.parts = append(a.parts, namedSource{name: k, src: src})
		}
		if !ok {
			continue
		}
		has := map[string]bool{}
		for _, pt := range a.parts {
			has[pt.name] = true
		}
		if !has["title"] {
			p.errf(item.Line, "%s has no title:; add e.g. title: Grundpaket", what)
		}
		if has["bundle_id"] && has["skus"] {
			p.errf(item.Line, "%s has both bundle_id: and skus:; keep one", what)
		}
		if !has["bundle_id"] && !has["skus"] {
			p.errf(item.Line, "%s needs bundle_id: or skus:, e.g. skus: {column: Artiklar, split: \",\"}", what)
		}
		if !has["sort_order"] {
			a.parts = append(a.parts, namedSource{name: "sort_order", src: &source{line: item.Line, as: asInt, constant: int64(i + 1), isConst: true}})
		}
		out = append(out, a)
	}
	return out
}

var customKeys = []string{"required", "editable_by_contact", "hide_from_contact"}

func (p *parser) parseCustomFields(n *yaml.Node) []customField {
	if n.Kind != yaml.MappingNode {
		if n.Tag == "!!null" {
			return nil
		}
		p.errf(n.Line, "custom_fields: must hold `name: Column` or `name: {column: X, hide_from_contact: true}` lines")
		return nil
	}
	var out []customField
	for _, e := range p.orderedEntries(n, nil, "custom field") {
		what := "custom_fields." + e.key.Value
		extra := map[string]*yaml.Node{}
		src := p.parseSource(e.value, asText, what, sourceOpts{scalarIsColumn: true, free: true, extraKeys: customKeys, extra: extra})
		if src == nil {
			continue
		}
		cf := customField{name: e.key.Value, src: src}
		for _, k := range customKeys {
			v, ok := extra[k]
			if !ok {
				continue
			}
			if v.Tag != "!!bool" {
				p.errf(v.Line, "%s: %s: must be true or false, not %q", what, k, v.Value)
				continue
			}
			b, _ := strconv.ParseBool(strings.ToLower(v.Value))
			switch k {
			case "required":
				cf.required = b
			case "editable_by_contact":
				cf.editable = b
			case "hide_from_contact":
				cf.hideContact = b
			}
		}
		out = append(out, cf)
	}
	return out
}

func (p *parser) parseNamedSources(n *yaml.Node, section string) []namedSource {
	if n.Kind != yaml.MappingNode {
		if n.Tag == "!!null" {
			return nil
		}
		p.errf(n.Line, "%s: must hold `name: Column` lines", section)
		return nil
	}
	var out []namedSource
	for _, e := range p.orderedEntries(n, nil, "name") {
		src := p.parseSource(e.value, asText, section+"."+e.key.Value, sourceOpts{scalarIsColumn: true, free: true})
		if src != nil {
			out = append(out, namedSource{name: e.key.Value, src: src})
		}
	}
	return out
}

// checkFields reports fields given twice and required fields with no
// source.
func (p *parser) checkFields(s *Spec, rootLine int) {
	inSet := map[string]int{}
	for _, v := range s.set {
		inSet[v.field] = v.line
	}
	has := map[string]bool{}
	for f := range inSet {
		has[f] = true
	}
	for f := range p.given {
		has[f] = true
	}
	for _, f := range s.fields {
		if l, ok := inSet[f.field]; ok {
			p.errf(f.src.line, "%s is both in set: (line %d) and in fields:; keep one", f.field, l)
		}
		has[f.field] = true
	}
	if len(s.alternatives) > 0 {
		if l, ok := inSet["alternatives"]; ok {
			p.errf(l, "alternatives is both in set: and a top-level alternatives: block; keep one")
		}
		has["alternatives"] = true
	}
	if len(s.customFields) > 0 {
		if l, ok := inSet["custom_fields"]; ok {
			p.errf(l, "custom_fields is both in set: and a top-level custom_fields: block; keep one")
		}
		has["custom_fields"] = true
	}
	if len(s.customerFields) > 0 {
		if l, ok := inSet["customer_fields"]; ok {
			p.errf(l, "customer_fields is both in set: and a top-level customer_fields: block; keep one")
		}
		has["customer_fields"] = true
	}
	var missing []salesbyte.Field
	for _, f := range salesbyte.Fields(s.endpoint) {
		if f.Required && !has[f.Name] {
			missing = append(missing, f)
		}
	}
	line := rootLine
	if s.fieldsLine > 0 {
		line = s.fieldsLine
	}
	for _, f := range missing {
		where := "add it under set: (" + kindExample(f) + ")"
		if f.Kind == salesbyte.KindString || f.Kind == salesbyte.KindEmail || f.Kind == salesbyte.KindPhone {
			where = "add it under fields: (e.g. " + f.Name + ": Column) or set:"
		}
		p.errf(line, "%s is required by endpoint %s but the mapping gives it no value; %s", f.Name, s.endpoint, where)
	}
}

// choicesOf lists the values a field takes when the API allows only a
// fixed set (quote's send_type), as salesbyte's rules hold them; nil for
// any other field. It only words the message: salesbyte.Validate decides.
func choicesOf(e salesbyte.Endpoint, field string) []string {
	if e == salesbyte.Quote && field == "send_type" {
		return salesbyte.QuoteSendTypes
	}
	return nil
}

// valueProblem checks a typed value of one field with salesbyte.Validate,
// the rules every row is checked with, and says what is wrong with it ("" when nothing),
// naming the closest valid choice for a field with a fixed set.
func valueProblem(e salesbyte.Endpoint, field string, v any) string {
	var msgs []string
	for _, fe := range salesbyte.Validate(e, map[string]any{field: v}) {
		if fe.Field == field || strings.HasPrefix(fe.Field, field+".") {
			msgs = append(msgs, fe.Message)
		}
	}
	if len(msgs) == 0 {
		return ""
	}
	if choices := choicesOf(e, field); choices != nil {
		if s, ok := v.(string); ok {
			return fmt.Sprintf("%q is not one of %s%s", s, strings.Join(choices, ", "), didYouMean(s, choices))
		}
	}
	return strings.Join(msgs, "; ")
}

// checkAPIValue reports a value the API would refuse on every row.
func (p *parser) checkAPIValue(line int, what, field string, v any) bool {
	msg := valueProblem(p.endpoint, field, v)
	if msg != "" {
		p.errf(line, "%s: %s", what, msg)
	}
	return msg == ""
}

// checkSourceValues checks the values a source of fields: can give
// whatever the row holds (its constant, its map: replacements, its
// default:) against the API's rules for the field.
func (p *parser) checkSourceValues(s *source, field string) bool {
	if !p.known {
		return true
	}
	if s.isConst {
		return p.checkAPIValue(s.line, field, field, s.constant)
	}
	ok := true
	for i, k := range s.mapKeys {
		if v, err := convertText(s.lookup[fold(k)], s.as, s.split); err == nil {
			ok = p.checkAPIValue(s.mapLns[i], fmt.Sprintf("%s: map: the value for %q", field, k), field, v) && ok
		}
	}
	if s.hasDef {
		text := s.def
		if r, mapped := s.lookup[fold(text)]; mapped {
			text = r
		}
		if v, err := convertText(text, s.as, s.split); err == nil {
			ok = p.checkAPIValue(s.line, fmt.Sprintf("%s: default %q", field, s.def), field, v) && ok
		}
	}
	return ok
}
