package mapping

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sbimport/sbimport/salesbyte"
)

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
		if a, ok := p.parseAlternative(item, i+1); ok {
			out = append(out, a)
		}
	}
	return out
}

// parseAlternative reads item index (1-based) of alternatives:; its
// sort_order defaults to index.
func (p *parser) parseAlternative(item *yaml.Node, index int) (alternative, bool) {
	what := fmt.Sprintf("alternative %d", index)
	if item.Kind != yaml.MappingNode {
		p.errf(item.Line, "%s: expected title:, sort_order: and bundle_id: or skus:", what)
		return alternative{}, false
	}
	a := alternative{line: item.Line, index: index}
	ok := true
	for _, e := range p.orderedEntries(item, altKeys, "key in "+what) {
		k := e.key.Value
		if k == "when" {
			a.when = strings.TrimSpace(e.value.Value)
			if e.value.Kind != yaml.ScalarNode || a.when == "" {
				p.errf(e.value.Line, "%s: when: must name a column, e.g. when: Artiklar", what)
				ok = false
			}
			continue
		}
		src := p.parseAltPart(e.value, k, what)
		if src == nil {
			ok = false
			continue
		}
		a.parts = append(a.parts, namedSource{name: k, src: src})
	}
	if !ok {
		return alternative{}, false
	}
	p.checkAltParts(&a, what)
	return a, true
}

// parseAltPart reads title:, sort_order:, bundle_id: or skus: of an
// alternative; there a plain value is a constant.
func (p *parser) parseAltPart(n *yaml.Node, key, what string) *source {
	as, allowed := asText, []valueType{asText}
	switch key {
	case "sort_order", "bundle_id":
		as, allowed = asInt, []valueType{asInt}
	case "skus":
		as, allowed = asSKUs, []valueType{asSKUs, asList}
	}
	src := p.parseSource(n, as, what+" "+key, sourceOpts{allowed: allowed})
	if src != nil && src.as == asList {
		src.as = asSKUs
	}
	return src
}

// checkAltParts reports a missing title: and a product given twice or
// not at all, and gives the alternative its default sort_order.
func (p *parser) checkAltParts(a *alternative, what string) {
	has := map[string]bool{}
	for _, pt := range a.parts {
		has[pt.name] = true
	}
	if !has["title"] {
		p.errf(a.line, "%s has no title:; add e.g. title: Grundpaket", what)
	}
	if has["bundle_id"] && has["skus"] {
		p.errf(a.line, "%s has both bundle_id: and skus:; keep one", what)
	}
	if !has["bundle_id"] && !has["skus"] {
		p.errf(a.line, "%s needs bundle_id: or skus:, e.g. skus: {column: Artiklar, split: \",\"}", what)
	}
	if !has["sort_order"] {
		a.parts = append(a.parts, namedSource{name: "sort_order", src: &source{line: a.line, as: asInt, constant: int64(a.index), isConst: true}})
	}
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
