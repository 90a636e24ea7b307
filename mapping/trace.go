package mapping

import "strings"

// SourceKind says what kind of source a value of the body came from.
type SourceKind int

const (
	// FromColumn: a column's cell (Source.Column names it).
	FromColumn SourceKind = iota + 1
	// FromTemplate: a text with {Column} placeholders (Source.Column holds
	// the text as written, e.g. "{Förnamn} {Efternamn}").
	FromTemplate
	// FromDefault: the mapping's default:, as the cell (or every
	// placeholder) was empty; Source.Column names the column or text.
	FromDefault
	// FromSet: a constant of the set: block.
	FromSet
	// FromValue: a constant written in the mapping elsewhere: value:, an
	// alternative's title or sort_order, a custom field's attributes.
	FromValue
)

// Source says where one value of a request body comes from.
type Source struct {
	Kind   SourceKind
	Column string // the column, or the {placeholder} text; "" for constants
}

// FieldValue is one value of a mapped body and where it came from.
type FieldValue struct {
	// Path names the value in the body: customer_name,
	// alternatives[0].skus (the index in the list sent),
	// custom_fields.bank_name.value, customer_fields.personnummer.
	Path   string
	Value  any // as the API receives it
	Source Source
}

// source says where the value c gave came from, raw being the cell's text.
func (c *csrc) source(raw string) Source {
	s := c.s
	switch {
	case s.isConst:
		return Source{Kind: FromValue}
	case raw == "" && s.hasDef:
		return Source{Kind: FromDefault, Column: c.label}
	case s.template != nil:
		return Source{Kind: FromTemplate, Column: s.text}
	}
	return Source{Kind: FromColumn, Column: c.label}
}

// ColumnsIn splits the columns the mapping reads (Columns) into those
// header holds and those it lacks, by the rules Compile matches them with.
func (s *Spec) ColumnsIn(header []string) (found, missing []string) {
	h := newHeaderIndex(header)
	for _, c := range s.Columns() {
		if i, _ := h.resolve(c); i >= 0 || len(h.exact[c]) > 1 || len(h.folded[strings.ToLower(c)]) > 1 {
			found = append(found, c)
		} else {
			missing = append(missing, c)
		}
	}
	return found, missing
}
