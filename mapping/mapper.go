package mapping

import (
	"encoding/json"
	"fmt"
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

// Map turns one row's cells (aligned with the header given to Compile)
// into a request body, its key, and every problem found. It is checked
// against the endpoint's rules with salesbyte.Validate.
func (m *Mapper) Map(cells []string) Result {
	r := rowMap{cells: cells}
	m.mapRow(&r)
	return Result{Payload: r.payload, Key: m.rowKey(cells, r.payload), Problems: r.problems}
}

// Trace maps one row as Map does, and also says where each value of the
// body came from: the fields: first, then the set: constants, then the
// alternatives, custom_fields and customer_fields, each as the API
// receives it.
func (m *Mapper) Trace(cells []string) (Result, []FieldValue) {
	r := rowMap{cells: cells, tracing: true}
	m.mapRow(&r)
	return Result{Payload: r.payload, Key: m.rowKey(cells, r.payload), Problems: r.problems}, r.trace
}

// mapRow maps r.cells into r.
func (m *Mapper) mapRow(r *rowMap) {
	r.payload = make(map[string]any, m.size)
	for _, c := range m.consts {
		r.payload[c.field] = c.value
	}
	for i := range m.fields {
		f := &m.fields[i]
		if v, ok := r.eval(&f.src, f.name, f.name); ok {
			r.payload[f.name] = v
		}
	}
	if r.tracing {
		for _, c := range m.consts {
			r.note(c.field, c.value, Source{Kind: FromSet})
		}
	}
	m.mapAlternatives(r)
	m.mapCustomFields(r)
	m.mapCustomerFields(r)
	m.validate(r)
}

// rowMap is one row being mapped.
type rowMap struct {
	cells    []string
	payload  map[string]any
	problems []Problem
	bad      map[string]bool // top-level fields with a problem of their own
	tracing  bool            // record where each value came from in trace
	trace    []FieldValue
}

// note records where a value of the body came from, when tracing.
func (r *rowMap) note(path string, v any, src Source) {
	if r.tracing {
		r.trace = append(r.trace, FieldValue{Path: path, Value: v, Source: src})
	}
}

func (r *rowMap) fail(top string, p Problem) {
	r.problems = append(r.problems, p)
	if r.bad == nil {
		r.bad = map[string]bool{}
	}
	r.bad[top] = true
}

// eval gives a source's value for the row; ok is false when the value is
// left out or has a problem, which is then recorded against top.
func (r *rowMap) eval(c *csrc, top, field string) (any, bool) {
	return r.evalAt(c, top, field, "")
}

// evalAt is eval for a value the body holds at field+suffix.
func (r *rowMap) evalAt(c *csrc, top, field, suffix string) (any, bool) {
	v, raw, ok, err := c.eval(r.cells)
	if err != nil {
		r.fail(top, Problem{Column: c.label, Field: field, Value: raw, Message: err.Error()})
		return nil, false
	}
	if ok && r.tracing {
		r.note(field+suffix, v, c.source(raw))
	}
	return v, ok
}

func (m *Mapper) mapAlternatives(r *rowMap) {
	var list []any
	for ai := range m.alts {
		a := &m.alts[ai]
		if a.when >= 0 && strings.TrimSpace(cell(r.cells, a.when)) == "" {
			continue
		}
		if item, ok := a.mapItem(r, len(list)); ok {
			list = append(list, item)
		}
	}
	if len(list) > 0 {
		r.payload["alternatives"] = list
	}
}

// mapItem maps one alternative, to be item at of the body's list; ok is
// false when it has a problem.
func (a *calt) mapItem(r *rowMap, at int) (map[string]any, bool) {
	item := make(map[string]any, len(a.parts))
	itemBad := false
	var productCols []string
	var trace []FieldValue
	for pi := range a.parts {
		p := &a.parts[pi]
		v, raw, ok, err := p.src.eval(r.cells)
		switch {
		case err != nil:
			r.fail("alternatives", Problem{Column: p.src.label, Field: a.names[pi], Value: raw, Message: err.Error()})
			itemBad = true
		case ok:
			item[p.name] = v
			if r.tracing {
				trace = append(trace, FieldValue{Path: fmt.Sprintf("alternatives[%d].%s", at, p.name), Value: v, Source: p.src.source(raw)})
			}
		case p.name == "skus" || p.name == "bundle_id":
			productCols = append(productCols, p.src.label)
		}
	}
	if itemBad {
		return nil, false
	}
	_, hasSKUs := item["skus"]
	_, hasBundle := item["bundle_id"]
	if !hasSKUs && !hasBundle {
		col := strings.Join(productCols, ", ")
		r.fail("alternatives", Problem{Column: col, Field: a.field,
			Message: fmt.Sprintf("alternative %d has neither skus nor bundle_id on this row; fill in the cell, or add `when: %s` to the alternative to leave it out on such rows", a.index, col)})
		return nil, false
	}
	r.trace = append(r.trace, trace...)
	return item, true
}

func (m *Mapper) mapCustomFields(r *rowMap) {
	if len(m.customs) == 0 {
		return
	}
	obj := make(map[string]any, len(m.customs))
	for i := range m.customs {
		c := &m.customs[i]
		if v, ok := r.evalAt(&c.src, "custom_fields", "custom_fields."+c.name, ".value"); ok {
			obj[c.name] = map[string]any{"value": v, "attribute": c.attr}
			if r.tracing {
				r.note("custom_fields."+c.name+".attribute", c.attr, Source{Kind: FromValue})
			}
		}
	}
	if len(obj) > 0 {
		r.payload["custom_fields"] = obj
	}
}

func (m *Mapper) mapCustomerFields(r *rowMap) {
	if len(m.customers) == 0 {
		return
	}
	obj := make(map[string]any, len(m.customers))
	for i := range m.customers {
		c := &m.customers[i]
		if v, ok := r.eval(&c.src, "customer_fields", "customer_fields."+c.name); ok {
			obj[c.name] = v
		}
	}
	if len(obj) > 0 {
		r.payload["customer_fields"] = obj
	}
}

// validate adds what salesbyte.Validate finds, each problem with the
// column that fed the field, except for fields whose cell already had one.
func (m *Mapper) validate(r *rowMap) {
	for _, fe := range salesbyte.Validate(m.endpoint, r.payload) {
		top := topField(fe.Field)
		if r.bad[top] {
			continue // already reported with the cell's own problem
		}
		col, ok := m.columnOf[fe.Field]
		if !ok {
			col = m.columnOf[top]
		}
		msg := fe.Message
		if col != "" && strings.HasPrefix(msg, "is required") && r.payload[top] == nil {
			msg = "the cell is empty, but " + fe.Field + " " + msg
		}
		r.problems = append(r.problems, Problem{Column: col, Field: fe.Field, Value: valueText(r.payload[top]), Message: msg})
	}
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
