package mapping

import (
	"fmt"
	"strconv"
	"strings"
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
