package mapping

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sbimport/sbimport/salesbyte"
)

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
// {Column} placeholders, a constant, or the object form. It reports every
// problem and returns nil when the source cannot be used.
func (p *parser) parseSource(n *yaml.Node, as valueType, what string, o sourceOpts) *source {
	s := &source{line: n.Line, as: as, free: o.free}
	var ok bool
	switch n.Kind {
	case yaml.ScalarNode:
		ok = p.scalarSource(s, n, what, o)
	case yaml.SequenceNode:
		ok = p.listSource(s, n, what, o)
	case yaml.MappingNode:
		ok = p.objectSource(s, n, what, o)
	default:
		p.errf(n.Line, "%s: expected a column header or {column: …}", what)
	}
	if !ok || !p.finishSource(s, n.Line, what, o) {
		return nil
	}
	return s
}

// scalarSource reads `field: E-post`, `field: "{Förnamn} {Efternamn}"`
// or, where a plain value is a constant, `title: Grundpaket`.
func (p *parser) scalarSource(s *source, n *yaml.Node, what string, o sourceOpts) bool {
	switch {
	case n.Tag == "!!null":
		p.errf(n.Line, "%s has no value; name a column, e.g. %s: E-post", what, what)
		return false
	case strings.Contains(n.Value, "{"):
		return p.setTemplate(s, n, what)
	case o.scalarIsColumn:
		s.column = strings.TrimSpace(n.Value)
		if s.column == "" {
			p.errf(n.Line, "%s names an empty column; write the column's header, e.g. %s: E-post", what, what)
			return false
		}
		return true
	}
	s.constant, s.isConst = nodeValue(n), true
	return true
}

// listSource reads a YAML list: a constant, where constants are allowed.
func (p *parser) listSource(s *source, n *yaml.Node, what string, o sourceOpts) bool {
	if o.scalarIsColumn {
		p.errf(n.Line, "%s: a list is not a column; name one column, or use {column: X, split: \",\"}", what)
		return false
	}
	s.constant, s.isConst = nodeValue(n), true
	return true
}

// objectSource reads the object form {column | template | value, as,
// split, default, map, when} and the extra keys o allows.
func (p *parser) objectSource(s *source, n *yaml.Node, what string, o sourceOpts) bool {
	if k, ok := bracedName(n); ok {
		// `customer_email: {E-post}` reads as an object in YAML.
		p.errf(n.Line, "%s: {%s} without quotes is not a placeholder in YAML; write %s: %s for the column, or put a text with placeholders in quotes: %s: \"{%s}\"", what, k, what, k, what, k)
		return false
	}
	entries := p.mapEntries(n, slices.Concat(sourceKeys, o.extraKeys), "key in "+what)
	for _, k := range o.extraKeys {
		if e, ok := entries[k]; ok && o.extra != nil {
			o.extra[k] = e.value
		}
	}
	return p.sourceOrigin(s, n, entries, what) &&
		p.sourceAs(s, entries, what) &&
		p.sourceSplit(s, entries, what) &&
		p.sourceDefault(s, entries, what) &&
		p.sourceMap(s, entries, what) &&
		p.sourceWhen(s, entries, what)
}

// sourceOrigin reads the one of column:, template: or value: an object
// source must have.
func (p *parser) sourceOrigin(s *source, n *yaml.Node, entries map[string]entry, what string) bool {
	count := 0
	if e, ok := entries["column"]; ok {
		count++
		s.column = strings.TrimSpace(e.value.Value)
		if e.value.Kind != yaml.ScalarNode || s.column == "" {
			p.errf(e.value.Line, "%s: column: must be one column header, e.g. column: E-post", what)
			return false
		}
	}
	if e, ok := entries["template"]; ok {
		count++
		if e.value.Kind != yaml.ScalarNode {
			p.errf(e.value.Line, "%s: template: must be a text with {Column} placeholders", what)
			return false
		}
		if !p.setTemplate(s, e.value, what) {
			return false
		}
	}
	if e, ok := entries["value"]; ok {
		count++
		s.constant, s.isConst = nodeValue(e.value), true
	}
	if count != 1 {
		p.errf(n.Line, "%s: give exactly one of column:, template: or value:", what)
		return false
	}
	return true
}

func (p *parser) sourceAs(s *source, entries map[string]entry, what string) bool {
	e, ok := entries["as"]
	if !ok {
		return true
	}
	name := strings.TrimSpace(e.value.Value)
	if !slices.Contains(asNames, name) {
		p.errf(e.value.Line, "%s: unknown type as: %q%s", what, name, orList(didYouMean(name, asNames), asNames))
		return false
	}
	s.as, s.asSet = valueType(name), true
	return true
}

// sourceSplit reads split:, which alone implies as: list.
func (p *parser) sourceSplit(s *source, entries map[string]entry, what string) bool {
	e, ok := entries["split"]
	if !ok {
		return true
	}
	if e.value.Kind != yaml.ScalarNode || e.value.Value == "" {
		p.errf(e.value.Line, "%s: split: must be the separator, e.g. split: \",\"", what)
		return false
	}
	s.split = e.value.Value
	if _, hasAs := entries["as"]; !hasAs && s.as != asSKUs {
		s.as = asList
	}
	return true
}

func (p *parser) sourceDefault(s *source, entries map[string]entry, what string) bool {
	e, ok := entries["default"]
	if !ok {
		return true
	}
	if e.value.Kind != yaml.ScalarNode || e.value.Tag == "!!null" {
		p.errf(e.value.Line, "%s: default: must be a single value", what)
		return false
	}
	s.def, s.hasDef = e.value.Value, true
	return true
}

// sourceMap reads map: {cell value: replacement}; an entry that does not
// map to a single value is reported and left out.
func (p *parser) sourceMap(s *source, entries map[string]entry, what string) bool {
	e, ok := entries["map"]
	if !ok {
		return true
	}
	if e.value.Kind != yaml.MappingNode || len(e.value.Content) == 0 {
		p.errf(e.value.Line, "%s: map: must hold `cell value: replacement` lines, e.g. map: {Guld: 7, Silver: 8}", what)
		return false
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
	return true
}

func (p *parser) sourceWhen(s *source, entries map[string]entry, what string) bool {
	e, ok := entries["when"]
	if !ok {
		return true
	}
	s.when = strings.TrimSpace(e.value.Value)
	s.whenLn = e.value.Line
	if e.value.Kind != yaml.ScalarNode || s.when == "" {
		p.errf(e.value.Line, "%s: when: must name a column, e.g. when: Artiklar", what)
		return false
	}
	return true
}

// finishSource checks that the type fits where the source is and that
// split: goes with it, and converts a constant, a default and the map:
// replacements now, so a mistake in them is reported before any row.
func (p *parser) finishSource(s *source, line int, what string, o sourceOpts) bool {
	if s.split != "" && s.as != asList && s.as != asSKUs {
		p.errf(line, "%s: split: only goes with as: list", what)
		return false
	}
	if o.allowed != nil && !slices.Contains(o.allowed, s.as) {
		names := make([]string, len(o.allowed))
		for i, a := range o.allowed {
			names[i] = string(a)
		}
		p.errf(line, "%s: as: %s does not fit this field; use %s", what, s.as, strings.Join(names, " or "))
		return false
	}
	if (s.as == asList || s.as == asSKUs) && s.split == "" {
		s.split = ","
	}
	if s.isConst && !(s.free && !s.asSet) && !p.typeConstant(s, line, what) {
		return false
	}
	return p.checkDefault(s, line, what) && p.checkMapValues(s, line, what)
}

// typeConstant converts a constant source's value to its type.
func (p *parser) typeConstant(s *source, line int, what string) bool {
	list, isList := s.constant.([]any)
	switch {
	case isList && s.as == asSKUs:
		for _, it := range list {
			switch it.(type) {
			case int64, string:
			default:
				p.errf(line, "%s: every sku must be a number or a text, not %v", what, it)
				return false
			}
		}
	case isList && s.as == asList:
		strs := make([]string, 0, len(list))
		for _, it := range list {
			strs = append(strs, fmt.Sprint(it))
		}
		s.constant = strs
	case isList:
		p.errf(line, "%s: a list does not fit here; give a single value", what)
		return false
	default:
		v, err := convertText(fmt.Sprint(s.constant), s.as, s.split)
		if err != nil {
			p.errf(line, "%s: value %v: %v", what, s.constant, err)
			return false
		}
		s.constant = v
	}
	return true
}

// checkDefault converts default: (through map: when it is a key there).
func (p *parser) checkDefault(s *source, line int, what string) bool {
	if !s.hasDef {
		return true
	}
	text := s.def
	if r, ok := s.lookup[fold(text)]; ok {
		text = r
	}
	if _, err := convertText(text, s.as, s.split); err != nil {
		p.errf(line, "%s: default %q: %v", what, s.def, err)
		return false
	}
	return true
}

// checkMapValues converts every map: replacement; the first that does
// not convert is reported.
func (p *parser) checkMapValues(s *source, line int, what string) bool {
	for k, v := range s.lookup {
		if _, err := convertText(v, s.as, s.split); err != nil {
			p.errf(line, "%s: map: the value for %q: %v", what, k, err)
			return false
		}
	}
	return true
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
