package mapping

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/sbimport/sbimport/salesbyte"
)

// Result is one row mapped to a request body.
type Result struct {
	// Payload is the request body without uuid, in JSON-ready Go values
	// (string, int64, float64, bool, []string, []any, map[string]any).
	// Constant values from set: may be shared between rows: do not modify.
	Payload map[string]any
	// Key identifies the customer row across reruns and duplicates:
	// trimmed and lower-cased.
	Key string
	// Problems lists every problem of the row; empty means valid.
	Problems []Problem
}

// Problem is one thing wrong with a row.
type Problem struct {
	Column  string // the column (or {placeholder} text) that fed the field; "" for set: values
	Field   string // the body field, e.g. customer_phone, alternatives[1].skus
	Value   string // the cell's text as read
	Message string // what is wrong and what was expected, with an example
}

func (p Problem) String() string {
	switch {
	case p.Column != "" && p.Field != "":
		return fmt.Sprintf("column %q (%s): %s", p.Column, p.Field, p.Message)
	case p.Column != "":
		return fmt.Sprintf("column %q: %s", p.Column, p.Message)
	case p.Field != "":
		return p.Field + ": " + p.Message
	}
	return p.Message
}

// Mapper maps the rows of one sheet; Spec.Compile makes it.
type Mapper struct {
	endpoint  salesbyte.Endpoint
	consts    []setValue
	fields    []cfield
	alts      []calt
	customs   []ccustom
	customers []cfield
	key       *csrc
	columnOf  map[string]string // body field → column label, for validation problems
	size      int
}

type cfield struct {
	name string
	src  csrc
}

type calt struct {
	index int
	when  int
	parts []cfield
	names []string // "alternatives[1].skus", by part
	field string   // "alternatives[1]"
}

type ccustom struct {
	name string
	src  csrc
	attr map[string]any
}

// csrc is a source whose columns are resolved to cell indexes.
type csrc struct {
	s     *source
	col   int
	parts []cpart
	when  int
	label string
}

type cpart struct {
	lit string
	col int // -1 for a literal
}

// Endpoint is the endpoint the rows are mapped for.
func (m *Mapper) Endpoint() salesbyte.Endpoint { return m.endpoint }

type ref struct {
	column string
	line   int
}

func (s *source) refs() []ref {
	if s == nil {
		return nil
	}
	var out []ref
	if s.column != "" {
		out = append(out, ref{s.column, s.line})
	}
	for _, p := range s.template {
		if p.isCol {
			out = append(out, ref{p.column, s.line})
		}
	}
	if s.when != "" {
		out = append(out, ref{s.when, s.whenLn})
	}
	return out
}

func (s *Spec) refs() []ref {
	var out []ref
	for _, f := range s.fields {
		out = append(out, f.src.refs()...)
	}
	for _, a := range s.alternatives {
		if a.when != "" {
			out = append(out, ref{a.when, a.line})
		}
		for _, p := range a.parts {
			out = append(out, p.src.refs()...)
		}
	}
	for _, c := range s.customFields {
		out = append(out, c.src.refs()...)
	}
	for _, c := range s.customerFields {
		out = append(out, c.src.refs()...)
	}
	out = append(out, s.key.refs()...)
	return out
}

// headerIndex resolves column names against a sheet's header.
type headerIndex struct {
	header []string
	exact  map[string][]int
	folded map[string][]int // by lower case
}

func newHeaderIndex(header []string) *headerIndex {
	h := &headerIndex{header: header, exact: map[string][]int{}, folded: map[string][]int{}}
	for i, name := range header {
		name = strings.TrimSpace(name)
		h.exact[name] = append(h.exact[name], i)
		low := strings.ToLower(name)
		h.folded[low] = append(h.folded[low], i)
	}
	return h
}

// resolve finds a column; an exact match wins, then a unique match that
// differs only in case.
func (h *headerIndex) resolve(name string) (int, string) {
	if idx := h.exact[name]; len(idx) == 1 {
		return idx[0], ""
	} else if len(idx) > 1 {
		return -1, fmt.Sprintf("column %q appears %d times in the sheet's header (columns %s); rename all but one", name, len(idx), columnLetters(idx))
	}
	if idx := h.folded[strings.ToLower(name)]; len(idx) == 1 {
		return idx[0], ""
	}
	var nonEmpty []string
	for _, c := range h.header {
		if strings.TrimSpace(c) != "" {
			nonEmpty = append(nonEmpty, c)
		}
	}
	if s := closest(name, nonEmpty); s != "" {
		return -1, fmt.Sprintf("column %q is not in the sheet; did you mean %q?", name, s)
	}
	return -1, fmt.Sprintf("column %q is not in the sheet; its columns are: %s", name, strings.Join(quoteAll(nonEmpty), ", "))
}

func quoteAll(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = strconv.Quote(s)
	}
	return out
}

// columnLetters names column positions as a spreadsheet does (A, B, …, AA).
func columnLetters(idx []int) string {
	var out []string
	for _, i := range idx {
		name := ""
		for n := i + 1; n > 0; n = (n - 1) / 26 {
			name = string(rune('A'+(n-1)%26)) + name
		}
		out = append(out, name)
	}
	return strings.Join(out, ", ")
}

// Compile checks every column the mapping reads against the sheet's
// header and returns a Mapper for its rows. All missing columns are
// reported at once, each with the closest header.
func (s *Spec) Compile(header []string) (*Mapper, error) {
	h := newHeaderIndex(header)
	var problems []string
	seen := map[string]bool{}
	resolve := func(name string, line int) int {
		i, msg := h.resolve(name)
		if msg != "" && !seen[name] {
			seen[name] = true
			problems = append(problems, fmt.Sprintf("%s:%d: %s", s.file, line, msg))
		}
		return i
	}
	compile := func(src *source) csrc {
		c := csrc{s: src, col: -1, when: -1}
		if src.column != "" {
			c.col = resolve(src.column, src.line)
			c.label = src.column
		}
		for _, p := range src.template {
			if p.isCol {
				c.parts = append(c.parts, cpart{col: resolve(p.column, src.line)})
			} else {
				c.parts = append(c.parts, cpart{lit: p.lit, col: -1})
			}
		}
		if src.template != nil {
			c.label = src.text
		}
		if src.when != "" {
			c.when = resolve(src.when, src.whenLn)
			if c.label == "" {
				c.label = src.when
			}
		}
		return c
	}
	m := &Mapper{endpoint: s.endpoint, consts: s.set, columnOf: map[string]string{}}
	for _, f := range s.fields {
		c := compile(f.src)
		m.fields = append(m.fields, cfield{name: f.field, src: c})
		m.columnOf[f.field] = c.label
	}
	for _, a := range s.alternatives {
		ca := calt{index: a.index, when: -1, field: fmt.Sprintf("alternatives[%d]", a.index)}
		if a.when != "" {
			ca.when = resolve(a.when, a.line)
		}
		for _, p := range a.parts {
			c := compile(p.src)
			ca.parts = append(ca.parts, cfield{name: p.name, src: c})
			ca.names = append(ca.names, fmt.Sprintf("alternatives[%d].%s", a.index, p.name))
			if c.label != "" {
				m.columnOf[fmt.Sprintf("alternatives.%d.%s", a.index-1, p.name)] = c.label
				if m.columnOf["alternatives"] == "" {
					m.columnOf["alternatives"] = c.label
				}
			}
		}
		m.alts = append(m.alts, ca)
	}
	for _, cf := range s.customFields {
		c := compile(cf.src)
		m.customs = append(m.customs, ccustom{name: cf.name, src: c, attr: map[string]any{
			"required": cf.required, "editableByContact": cf.editable, "hideFromContact": cf.hideContact,
		}})
		m.columnOf["custom_fields."+cf.name] = c.label
		if m.columnOf["custom_fields"] == "" {
			m.columnOf["custom_fields"] = c.label
		}
	}
	for _, cf := range s.customerFields {
		c := compile(cf.src)
		m.customers = append(m.customers, cfield{name: cf.name, src: c})
		m.columnOf["customer_fields."+cf.name] = c.label
		if m.columnOf["customer_fields"] == "" {
			m.columnOf["customer_fields"] = c.label
		}
	}
	if s.key != nil {
		c := compile(s.key)
		m.key = &c
	}
	if len(problems) > 0 {
		return nil, &Error{File: s.file, Problems: problems}
	}
	m.size = len(m.consts) + len(m.fields) + 2
	return m, nil
}

func cell(cells []string, i int) string {
	if i < 0 || i >= len(cells) {
		return ""
	}
	return cells[i]
}

// text gives the source's text for a row: the cell, or the filled-in
// template (trimmed; runs of spaces collapsed where a placeholder was
// empty; "" when every placeholder was empty).
func (c *csrc) text(cells []string) string {
	if c.parts == nil {
		return strings.TrimSpace(cell(cells, c.col))
	}
	var b strings.Builder
	filled, empty := false, false
	for _, p := range c.parts {
		if p.col < 0 {
			b.WriteString(p.lit)
			continue
		}
		v := strings.TrimSpace(cell(cells, p.col))
		if v == "" {
			empty = true
		} else {
			filled = true
		}
		b.WriteString(v)
	}
	if !filled {
		return ""
	}
	out := strings.TrimSpace(b.String())
	if empty {
		out = strings.Join(strings.Fields(out), " ")
	}
	return out
}

// eval gives the source's value for a row; present is false when the
// value is to be left out (empty cell without default, or when: empty).
func (c *csrc) eval(cells []string) (v any, raw string, present bool, err error) {
	if c.when >= 0 && strings.TrimSpace(cell(cells, c.when)) == "" {
		return nil, "", false, nil
	}
	s := c.s
	if s.isConst {
		return s.constant, "", true, nil
	}
	raw = c.text(cells)
	t := raw
	if t == "" {
		if !s.hasDef {
			return nil, "", false, nil
		}
		t = s.def
	}
	if s.lookup != nil {
		r, ok := s.lookup[fold(t)]
		if !ok && raw == "" {
			r, ok = t, true // a default that is not a map: key is the value itself
		}
		if !ok {
			return nil, raw, false, fmt.Errorf("%q is not in the map: of the mapping file; expected one of %s (add it to map: or fix the cell)", t, strings.Join(s.mapKeys, ", "))
		}
		t = r
	}
	v, err = convertText(t, s.as, s.split)
	if err != nil {
		return nil, raw, false, err
	}
	switch l := v.(type) {
	case []string:
		if len(l) == 0 {
			return nil, raw, false, nil
		}
	case []any:
		if len(l) == 0 {
			return nil, raw, false, nil
		}
	}
	return v, raw, true, nil
}

// convertText turns a cell's text into the value of a type.
func convertText(t string, as valueType, split string) (any, error) {
	switch as {
	case asInt:
		return ParseInt(t)
	case asNumber:
		return ParseNumber(t)
	case asBool:
		return ParseBool(t)
	case asDate:
		return ParseDate(t)
	case asEmail:
		return ParseEmail(t)
	case asPhone:
		return ParsePhone(t)
	case asList:
		return splitList(t, split), nil
	case asSKUs:
		items := splitList(t, split)
		out := make([]any, len(items))
		allInts := true
		for i, it := range items {
			n, err := strconv.ParseInt(it, 10, 64)
			if err != nil {
				allInts = false
				break
			}
			out[i] = n
		}
		if !allInts {
			for i, it := range items {
				out[i] = it
			}
		}
		return out, nil
	}
	return strings.TrimSpace(t), nil
}

func splitList(t, sep string) []string {
	if sep == "" {
		sep = ","
	}
	parts := strings.Split(t, sep)
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Map turns one row's cells (aligned with the header given to Compile)
// into a request body, its key, and every problem found. It is checked
// against the endpoint's rules with salesbyte.Validate.
func (m *Mapper) Map(cells []string) Result {
	payload := make(map[string]any, m.size)
	var problems []Problem
	var bad map[string]bool
	fail := func(top string, p Problem) {
		problems = append(problems, p)
		if bad == nil {
			bad = map[string]bool{}
		}
		bad[top] = true
	}
	for _, c := range m.consts {
		payload[c.field] = c.value
	}
	for i := range m.fields {
		f := &m.fields[i]
		v, raw, ok, err := f.src.eval(cells)
		if err != nil {
			fail(f.name, Problem{Column: f.src.label, Field: f.name, Value: raw, Message: err.Error()})
			continue
		}
		if ok {
			payload[f.name] = v
		}
	}
	if len(m.alts) > 0 {
		var list []any
		for ai := range m.alts {
			a := &m.alts[ai]
			if a.when >= 0 && strings.TrimSpace(cell(cells, a.when)) == "" {
				continue
			}
			item := make(map[string]any, len(a.parts))
			itemBad := false
			var productCols []string
			for pi := range a.parts {
				p := &a.parts[pi]
				field := a.names[pi]
				v, raw, ok, err := p.src.eval(cells)
				if err != nil {
					fail("alternatives", Problem{Column: p.src.label, Field: field, Value: raw, Message: err.Error()})
					itemBad = true
					continue
				}
				if ok {
					item[p.name] = v
				} else if p.name == "skus" || p.name == "bundle_id" {
					productCols = append(productCols, p.src.label)
				}
			}
			if itemBad {
				continue
			}
			_, hasSKUs := item["skus"]
			_, hasBundle := item["bundle_id"]
			if !hasSKUs && !hasBundle {
				col := strings.Join(productCols, ", ")
				fail("alternatives", Problem{Column: col, Field: a.field,
					Message: fmt.Sprintf("alternative %d has neither skus nor bundle_id on this row; fill in the cell, or add `when: %s` to the alternative to leave it out on such rows", a.index, col)})
				continue
			}
			list = append(list, item)
		}
		if len(list) > 0 {
			payload["alternatives"] = list
		}
	}
	if len(m.customs) > 0 {
		obj := make(map[string]any, len(m.customs))
		for i := range m.customs {
			c := &m.customs[i]
			v, raw, ok, err := c.src.eval(cells)
			if err != nil {
				fail("custom_fields", Problem{Column: c.src.label, Field: "custom_fields." + c.name, Value: raw, Message: err.Error()})
				continue
			}
			if ok {
				obj[c.name] = map[string]any{"value": v, "attribute": c.attr}
			}
		}
		if len(obj) > 0 {
			payload["custom_fields"] = obj
		}
	}
	if len(m.customers) > 0 {
		obj := make(map[string]any, len(m.customers))
		for i := range m.customers {
			c := &m.customers[i]
			v, raw, ok, err := c.src.eval(cells)
			if err != nil {
				fail("customer_fields", Problem{Column: c.src.label, Field: "customer_fields." + c.name, Value: raw, Message: err.Error()})
				continue
			}
			if ok {
				obj[c.name] = v
			}
		}
		if len(obj) > 0 {
			payload["customer_fields"] = obj
		}
	}
	for _, fe := range salesbyte.Validate(m.endpoint, payload) {
		top := topField(fe.Field)
		if bad[top] {
			continue // already reported with the cell's own problem
		}
		col, ok := m.columnOf[fe.Field]
		if !ok {
			col = m.columnOf[top]
		}
		msg := fe.Message
		if col != "" && strings.HasPrefix(msg, "is required") && payload[top] == nil {
			msg = "the cell is empty, but " + fe.Field + " " + msg
		}
		problems = append(problems, Problem{Column: col, Field: fe.Field, Value: valueText(payload[top]), Message: msg})
	}
	return Result{Payload: payload, Key: m.rowKey(cells, payload), Problems: problems}
}

// topField is the top-level body field of a validation path such as
// "alternatives.0.skus" or "custom_fields[bank]".
func topField(f string) string {
	if i := strings.IndexAny(f, ".["); i > 0 {
		return f[:i]
	}
	return f
}

func valueText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case []string:
		return strings.Join(v, ", ")
	case int64, float64, bool:
		return fmt.Sprint(v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// rowKey is the key: column or text when it gives a value, else the
// mapped customer_email, else customer_phone, else the canonical JSON of
// the whole body.
func (m *Mapper) rowKey(cells []string, payload map[string]any) string {
	if m.key != nil {
		if k := m.key.text(cells); k != "" {
			return strings.ToLower(k)
		}
	}
	if e, ok := payload["customer_email"].(string); ok && e != "" {
		return strings.ToLower(strings.TrimSpace(e))
	}
	if p, ok := payload["customer_phone"].(string); ok && p != "" {
		return strings.ToLower(strings.TrimSpace(p))
	}
	b, err := json.Marshal(payload) // map keys sorted: canonical
	if err != nil {
		return fmt.Sprint(payload)
	}
	return strings.ToLower(string(b))
}
