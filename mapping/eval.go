package mapping

import (
	"fmt"
	"strconv"
	"strings"
)

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
