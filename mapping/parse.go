package mapping

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sbimport/sbimport/salesbyte"
)

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

var topKeys = []string{"endpoint", "sheet", "header_row", "campaign", "set", "fields", "alternatives", "custom_fields", "customer_fields", "key"}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse reads a mapping file's text; name is used in messages. Every
// problem is reported at once, in one *Error.
func Parse(name string, data []byte) (*Spec, error) {
	p := &parser{file: name, given: map[string]bool{}}
	root := p.root(data)
	if root == nil {
		return nil, &Error{File: name, Problems: p.problems}
	}
	top := p.mapEntries(root, topKeys, "top-level key")
	// The endpoint first: everything else is checked against it.
	p.parseEndpoint(top, root.Line)
	spec := &Spec{file: name, endpoint: p.endpoint}
	p.parseSections(spec, top)
	if p.known {
		p.checkFields(spec, root.Line)
	}
	if len(p.problems) > 0 {
		return nil, &Error{File: name, Problems: p.problems}
	}
	return spec, nil
}

// root reads the YAML document and gives its top-level mapping, or nil
// after reporting why there is none.
func (p *parser) root(data []byte) *yaml.Node {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		p.yamlErrors(err, data)
		return nil
	}
	if len(doc.Content) == 0 {
		p.errf(1, "the mapping file is empty; start with `endpoint: quote` (or lead, template) and a fields: block, or run `sbimport init`")
		return nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		p.errf(root.Line, "the mapping file must be a set of `key: value` lines (endpoint:, set:, fields: …)")
		return nil
	}
	return root
}

// yamlErrors reports each of the YAML parser's errors at its line, with a
// hint at the usual cause.
func (p *parser) yamlErrors(err error, data []byte) {
	line := 1
	for _, l := range strings.Split(err.Error(), "\n") {
		l = strings.TrimSpace(l)
		if m := yamlLine.FindStringSubmatch(l); m != nil {
			line, _ = strconv.Atoi(m[1])
			p.errf(line, "not valid YAML: %s%s", m[2], yamlHint(data, line))
		} else if l != "" && l != "yaml: unmarshal errors:" {
			p.errf(line, "not valid YAML: %s", strings.TrimPrefix(l, "yaml: "))
		}
	}
}

func (p *parser) parseEndpoint(top map[string]entry, rootLine int) {
	n, ok := top["endpoint"]
	if !ok {
		p.errf(rootLine, "endpoint: is missing; add a line `endpoint: quote` (or lead, template)")
		return
	}
	if n.value.Kind != yaml.ScalarNode {
		p.errf(n.value.Line, "endpoint: must be one of lead, quote, template")
		return
	}
	e, err := salesbyte.ParseEndpoint(strings.TrimSpace(n.value.Value))
	if err != nil {
		p.errf(n.value.Line, "%v", err)
		return
	}
	p.endpoint, p.known = e, true
}

// parseSections reads every top-level block but endpoint:.
func (p *parser) parseSections(spec *Spec, top map[string]entry) {
	if n, ok := top["set"]; ok {
		spec.set = p.parseSet(n.value)
	}
	if n, ok := top["fields"]; ok {
		spec.fieldsLine = n.key.Line
		spec.fields = p.parseFields(n.value)
	}
	if n, ok := top["alternatives"]; ok && p.sectionAllowed(n.key, "alternatives", salesbyte.Quote) {
		spec.alternatives = p.parseAlternatives(n.value)
	}
	if n, ok := top["custom_fields"]; ok && p.sectionAllowed(n.key, "custom_fields", salesbyte.Quote) {
		spec.customFields = p.parseCustomFields(n.value)
	}
	if n, ok := top["customer_fields"]; ok && p.sectionAllowed(n.key, "customer_fields", salesbyte.Template) {
		spec.customerFields = p.parseNamedSources(n.value, "customer_fields")
	}
	if n, ok := top["key"]; ok {
		spec.key = p.parseSource(n.value, asText, "key", sourceOpts{scalarIsColumn: true})
	}
	p.parseWhere(spec, top)
}

// parseWhere reads sheet:, header_row: and campaign:, which say where the
// rows are and what they belong to rather than what is sent.
func (p *parser) parseWhere(spec *Spec, top map[string]entry) {
	if n, ok := top["sheet"]; ok {
		spec.sheet = p.plainText(n.value, "sheet", "the name of the workbook's sheet, e.g. sheet: Kunder")
	}
	if n, ok := top["header_row"]; ok {
		v := n.value
		row, err := strconv.Atoi(strings.TrimSpace(v.Value))
		if v.Kind != yaml.ScalarNode || v.Tag != "!!int" || err != nil || row < 1 {
			p.errf(v.Line, "header_row: must be the number of the row that holds the column names, 1 or more (e.g. header_row: 3), not %q", v.Value)
		} else {
			spec.headerRow = row
		}
	}
	if n, ok := top["campaign"]; ok {
		spec.campaign = p.plainText(n.value, "campaign", "a name, e.g. campaign: vinter-2026")
	}
}

// plainText reads a top-level key whose value is a single text.
func (p *parser) plainText(v *yaml.Node, key, example string) string {
	text := strings.TrimSpace(v.Value)
	if v.Kind != yaml.ScalarNode || v.Tag == "!!null" || text == "" {
		p.errf(v.Line, "%s: must be %s", key, example)
		return ""
	}
	return text
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
		if valid != nil && !slices.Contains(valid, name) {
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
	if k.Kind != yaml.ScalarNode || v.Kind != yaml.ScalarNode || v.Tag != "!!null" || v.Value != "" || slices.Contains(sourceKeys, k.Value) {
		return "", false
	}
	return k.Value, true
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
		p.errf(n.Line, "uuid must not be in the mapping file; it is a secret: keep it in SALESBYTE_UUID or in a file of its own")
		return salesbyte.Field{}, false
	}
	f, ok := salesbyte.LookupField(p.endpoint, name)
	if !ok {
		p.errf(n.Line, "unknown field %q for endpoint %s%s", name, p.endpoint, orList(didYouMean(name, p.fieldNames()), p.fieldNames()))
	}
	return f, ok
}
