package mapping

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sbimport/sbimport/salesbyte"
)

// Draft is a mapping as a form holds it: for each top-level field, a
// column, a text combining columns, or a fixed value. Draft.YAML writes it
// as the mapping file the command line reads; DraftFromYAML reads such a
// file back when it holds no more than a form can show.
type Draft struct {
	Endpoint salesbyte.Endpoint    `json:"endpoint"`
	Fields   map[string]DraftField `json:"fields"`
	Key      string                `json:"key,omitempty"` // a column, or a {placeholder} text; "" = the default key
}

// DraftField is where one field's value comes from. At most one of
// Column, Combine and Value is used, in that order.
type DraftField struct {
	Column  string `json:"column,omitempty"`  // a column header
	Combine string `json:"combine,omitempty"` // a text with {Column} placeholders
	As      string `json:"as,omitempty"`      // text, int, number, bool, date, phone, email, list ("" = the field's own)
	Value   string `json:"value,omitempty"`   // the same value on every row, under set:
}

// DraftFields are the fields a Draft can hold for e: every top-level
// field but the nested ones (alternatives, custom_fields,
// customer_fields), which need the YAML itself.
func DraftFields(e salesbyte.Endpoint) []salesbyte.Field {
	var out []salesbyte.Field
	for _, f := range salesbyte.Fields(e) {
		if f.Kind != salesbyte.KindList && f.Kind != salesbyte.KindObject {
			out = append(out, f)
		}
	}
	return out
}

// YAML writes the draft as a mapping file, fields in the API's order.
// What it writes is parsed by Parse as it stands; a value of the wrong
// type is written as text so that Parse names the problem.
func (d Draft) YAML() []byte {
	var set, fields []string
	for _, f := range DraftFields(d.Endpoint) {
		c, ok := d.Fields[f.Name]
		if !ok {
			continue
		}
		switch {
		case strings.TrimSpace(c.Column) != "":
			fields = append(fields, fmt.Sprintf("  %s: %s", f.Name, draftRef(strings.TrimSpace(c.Column), c.As)))
		case strings.TrimSpace(c.Combine) != "":
			fields = append(fields, fmt.Sprintf("  %s: %s", f.Name, draftCombine(c.Combine, c.As)))
		case strings.TrimSpace(c.Value) != "":
			set = append(set, fmt.Sprintf("  %s: %s", f.Name, typedScalar(f.Kind, strings.TrimSpace(c.Value))))
		}
	}
	var b strings.Builder
	b.WriteString("# Mapping written by `sbimport ui`; `sbimport run -m` reads it as it is.\n")
	fmt.Fprintf(&b, "endpoint: %s\n", d.Endpoint)
	if len(set) > 0 {
		b.WriteString("set:                 # the same value on every row\n" + strings.Join(set, "\n") + "\n")
	}
	if len(fields) > 0 {
		b.WriteString("fields:              # field: column header, or a text with {Column} placeholders\n" + strings.Join(fields, "\n") + "\n")
	}
	if k := strings.TrimSpace(d.Key); k != "" {
		if strings.ContainsAny(k, "{}") {
			fmt.Fprintf(&b, "key: %s\n", strconv.Quote(k))
		} else {
			fmt.Fprintf(&b, "key: %s\n", yamlScalar(k))
		}
	}
	return []byte(b.String())
}

// draftRef is a column reference with an optional type.
func draftRef(col, as string) string {
	if as == "" && !strings.ContainsAny(col, "{}") {
		return yamlScalar(col)
	}
	ref := "{column: " + strconv.Quote(col)
	if as != "" {
		ref += ", as: " + yamlScalar(as)
	}
	if as == "list" {
		ref += `, split: ","`
	}
	return ref + "}"
}

// draftCombine is a {placeholder} text with an optional type.
func draftCombine(text, as string) string {
	if as == "" {
		return strconv.Quote(text)
	}
	return fmt.Sprintf("{template: %s, as: %s}", strconv.Quote(text), yamlScalar(as))
}

// typedScalar writes a set: value: bare when it already reads as the
// field's type, quoted text otherwise.
func typedScalar(k salesbyte.FieldKind, v string) string {
	switch k {
	case salesbyte.KindInt:
		if _, err := strconv.ParseInt(v, 10, 64); err == nil {
			return v
		}
	case salesbyte.KindBool:
		if b, err := ParseBool(v); err == nil {
			return strconv.FormatBool(b)
		}
	}
	return strconv.Quote(v)
}

// DraftFromYAML reads a mapping file into a Draft. simple is false when
// the file holds more than a Draft can (alternatives, custom fields, map:,
// split:, default:, when:, …): the file must then be edited as YAML.
func DraftFromYAML(data []byte) (d Draft, simple bool, err error) {
	var top map[string]yaml.Node
	if err := yaml.Unmarshal(data, &top); err != nil {
		return Draft{}, false, err
	}
	d.Fields = map[string]DraftField{}
	simple = true
	for k, n := range top {
		switch k {
		case "endpoint":
			d.Endpoint = salesbyte.Endpoint(strings.TrimSpace(n.Value))
		case "key":
			d.Key = n.Value
			simple = simple && n.Kind == yaml.ScalarNode
		case "set":
			simple = draftSet(&n, d.Fields) && simple
		case "fields":
			simple = draftFieldNodes(&n, d.Fields) && simple
		default:
			simple = false
		}
	}
	return d, simple, nil
}

func draftSet(n *yaml.Node, out map[string]DraftField) bool {
	if n.Kind != yaml.MappingNode {
		return false
	}
	ok := true
	for i := 0; i+1 < len(n.Content); i += 2 {
		v := n.Content[i+1]
		if v.Kind != yaml.ScalarNode {
			ok = false
			continue
		}
		out[n.Content[i].Value] = DraftField{Value: v.Value}
	}
	return ok
}

func draftFieldNodes(n *yaml.Node, out map[string]DraftField) bool {
	if n.Kind != yaml.MappingNode {
		return false
	}
	ok := true
	for i := 0; i+1 < len(n.Content); i += 2 {
		name, v := n.Content[i].Value, n.Content[i+1]
		f, good := draftField(v)
		if !good {
			ok = false
			continue
		}
		out[name] = f
	}
	return ok
}

// draftField reads one fields: entry: a column, a {placeholder} text, or
// {column|template: …, as: …} with nothing else.
func draftField(v *yaml.Node) (DraftField, bool) {
	if v.Kind == yaml.ScalarNode {
		if strings.Contains(v.Value, "{") {
			return DraftField{Combine: v.Value}, true
		}
		return DraftField{Column: v.Value}, true
	}
	if v.Kind != yaml.MappingNode {
		return DraftField{}, false
	}
	var f DraftField
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := v.Content[i].Value, v.Content[i+1]
		if val.Kind != yaml.ScalarNode {
			return DraftField{}, false
		}
		switch k {
		case "column":
			f.Column = val.Value
		case "template":
			f.Combine = val.Value
		case "as":
			f.As = val.Value
		case "split":
			if val.Value != "," || f.As != "list" && f.As != "" {
				return DraftField{}, false
			}
		default:
			return DraftField{}, false
		}
	}
	return f, true
}
