package mapping

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

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
	if s, ok := Closest(name, nonEmpty); ok {
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

// columnLetters names column positions as a spreadsheet does (A, B, …,
// AA), with the same function the sheet writer uses; a position past
// the last spreadsheet column (XFD, possible in a CSV) is its number.
func columnLetters(idx []int) string {
	out := make([]string, len(idx))
	for k, i := range idx {
		name, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			name = strconv.Itoa(i + 1)
		}
		out[k] = name
	}
	return strings.Join(out, ", ")
}

// Compile checks every column the mapping reads against the sheet's
// header and returns a Mapper for its rows. All missing columns are
// reported at once, each with the closest header.
func (s *Spec) Compile(header []string) (*Mapper, error) {
	c := &compiler{file: s.file, h: newHeaderIndex(header), seen: map[string]bool{}}
	m := &Mapper{endpoint: s.endpoint, consts: s.set, columnOf: map[string]string{}}
	for _, f := range s.fields {
		src := c.source(f.src)
		m.fields = append(m.fields, cfield{name: f.field, src: src})
		m.columnOf[f.field] = src.label
	}
	for _, a := range s.alternatives {
		m.alts = append(m.alts, c.alternative(a, m.columnOf))
	}
	for _, cf := range s.customFields {
		src := c.source(cf.src)
		m.customs = append(m.customs, ccustom{name: cf.name, src: src, attr: map[string]any{
			"required": cf.required, "editableByContact": cf.editable, "hideFromContact": cf.hideContact,
		}})
		setColumn(m.columnOf, "custom_fields", "custom_fields."+cf.name, src.label)
	}
	for _, cf := range s.customerFields {
		src := c.source(cf.src)
		m.customers = append(m.customers, cfield{name: cf.name, src: src})
		setColumn(m.columnOf, "customer_fields", "customer_fields."+cf.name, src.label)
	}
	if s.key != nil {
		src := c.source(s.key)
		m.key = &src
	}
	if len(c.problems) > 0 {
		return nil, &Error{File: s.file, Problems: c.problems}
	}
	m.size = len(m.consts) + len(m.fields) + 2
	return m, nil
}

// compiler resolves a mapping's columns against one header, reporting
// each missing column once.
type compiler struct {
	file     string
	h        *headerIndex
	problems []string
	seen     map[string]bool
}

func (c *compiler) resolve(name string, line int) int {
	i, msg := c.h.resolve(name)
	if msg != "" && !c.seen[name] {
		c.seen[name] = true
		c.problems = append(c.problems, fmt.Sprintf("%s:%d: %s", c.file, line, msg))
	}
	return i
}

// source resolves a source's columns; its label names them in problems.
func (c *compiler) source(src *source) csrc {
	out := csrc{s: src, col: -1, when: -1}
	if src.column != "" {
		out.col = c.resolve(src.column, src.line)
		out.label = src.column
	}
	for _, p := range src.template {
		if p.isCol {
			out.parts = append(out.parts, cpart{col: c.resolve(p.column, src.line)})
		} else {
			out.parts = append(out.parts, cpart{lit: p.lit, col: -1})
		}
	}
	if src.template != nil {
		out.label = src.text
	}
	if src.when != "" {
		out.when = c.resolve(src.when, src.whenLn)
		if out.label == "" {
			out.label = src.when
		}
	}
	return out
}

// alternative resolves one alternative and records the columns of its
// parts for validation problems.
func (c *compiler) alternative(a alternative, columnOf map[string]string) calt {
	ca := calt{index: a.index, when: -1, field: fmt.Sprintf("alternatives[%d]", a.index)}
	if a.when != "" {
		ca.when = c.resolve(a.when, a.line)
	}
	for _, p := range a.parts {
		src := c.source(p.src)
		ca.parts = append(ca.parts, cfield{name: p.name, src: src})
		ca.names = append(ca.names, fmt.Sprintf("alternatives[%d].%s", a.index, p.name))
		if src.label != "" {
			setColumn(columnOf, "alternatives", fmt.Sprintf("alternatives.%d.%s", a.index-1, p.name), src.label)
		}
	}
	return ca
}

// setColumn records the column of a nested field, and the first such
// column as its block's.
func setColumn(columnOf map[string]string, block, field, label string) {
	columnOf[field] = label
	if columnOf[block] == "" {
		columnOf[block] = label
	}
}
