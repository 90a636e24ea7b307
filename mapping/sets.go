package mapping

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sbimport/sbimport/salesbyte"
)

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
	v, why := constantValue(n, f)
	if why != "" {
		p.errf(n.Line, "%s: %s; expected %s", f.Name, why, kindExample(f))
		return nil, false
	}
	return v, true
}

// constantValue types a set: value for the field's kind, or says why it
// does not fit.
func constantValue(n *yaml.Node, f salesbyte.Field) (any, string) {
	if n.Tag == "!!null" {
		return nil, "has no value (remove the line to leave it out)"
	}
	switch f.Kind {
	case salesbyte.KindList, salesbyte.KindObject:
		return nodeValue(n), ""
	case salesbyte.KindStringList:
		if n.Kind == yaml.SequenceNode {
			return constantTexts(n)
		}
	}
	if n.Kind != yaml.ScalarNode {
		return nil, "is not a single value"
	}
	v := n.Value
	switch f.Kind {
	case salesbyte.KindInt:
		return constantInt(n)
	case salesbyte.KindBool:
		if b, err := strconv.ParseBool(strings.ToLower(v)); err == nil && n.Tag == "!!bool" {
			return b, ""
		}
		return nil, fmt.Sprintf("%q is not true or false (the mapping file takes only those two, without quotes)", v)
	case salesbyte.KindDate:
		return parsed(ParseDate(v))
	case salesbyte.KindEmail:
		return parsed(ParseEmail(v))
	case salesbyte.KindPhone:
		return parsed(ParsePhone(v))
	}
	// text
	if n.Tag == "!!bool" {
		return nil, fmt.Sprintf("%s is a yes/no value, not a text (quote it if you mean the text)", v)
	}
	if strings.TrimSpace(v) == "" {
		return nil, "is empty (remove the line to leave it out)"
	}
	return strings.TrimSpace(v), ""
}

func parsed(v string, err error) (any, string) {
	if err != nil {
		return nil, err.Error()
	}
	return v, ""
}

// constantTexts reads a YAML list of texts.
func constantTexts(n *yaml.Node) (any, string) {
	var list []string
	for _, c := range n.Content {
		if c.Kind != yaml.ScalarNode || c.Tag == "!!null" || strings.TrimSpace(c.Value) == "" {
			return nil, "every item of the list must be a text"
		}
		list = append(list, strings.TrimSpace(c.Value))
	}
	return list, ""
}

// constantInt reads a whole number written without quotes.
func constantInt(n *yaml.Node) (any, string) {
	v := n.Value
	switch n.Tag {
	case "!!int":
		i, err := strconv.ParseInt(strings.ReplaceAll(v, "_", ""), 0, 64)
		if err != nil {
			return nil, fmt.Sprintf("%q is not a whole number", v)
		}
		return i, ""
	case "!!float":
		fl, err := strconv.ParseFloat(v, 64)
		if err == nil && fl == math.Trunc(fl) && math.Abs(fl) < 1<<53 {
			return int64(fl), ""
		}
		return nil, fmt.Sprintf("%s is not a whole number", v)
	case "!!str":
		if _, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			return nil, fmt.Sprintf("%q is quoted, so it is a text; remove the quotes", v)
		}
	}
	return nil, fmt.Sprintf("%q is not a whole number", v)
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
