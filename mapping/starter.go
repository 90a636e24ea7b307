package mapping

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sbimport/sbimport/salesbyte"
)

// headerSynonyms maps folded header names (see fold) to body fields.
// "firstname" and "lastname" are the two halves of customer_name.
var headerSynonyms = map[string]string{}

func init() {
	add := func(field string, names ...string) {
		for _, n := range names {
			headerSynonyms[fold(n)] = field
		}
	}
	add("customer_name", "Namn", "Kund", "Kundnamn", "Fullständigt namn", "Kontaktperson", "Kontakt",
		"Name", "Customer", "Customer name", "Full name", "Contact", "Contact name")
	add("firstname", "Förnamn", "First name", "Firstname", "Given name")
	add("lastname", "Efternamn", "Last name", "Lastname", "Surname", "Family name")
	add("customer_email", "E-post", "Epost", "E-postadress", "Epostadress", "Mail", "Mailadress", "E-mail",
		"Email", "Email address", "E-mail address")
	add("customer_phone", "Telefon", "Telefonnummer", "Tel", "Telnr", "Tfn", "Mobil", "Mobilnummer", "Mobilnr",
		"Mobiltelefon", "Phone", "Phone number", "Mobile", "Mobile phone", "Cell", "Cellphone")
	add("customer_company", "Företag", "Företagsnamn", "Bolag", "Organisation", "Organization", "Company",
		"Company name", "Firma")
	add("salesperson_email", "Säljare", "Säljarens e-post", "Ansvarig säljare", "Salesperson", "Sales rep", "Seller")
	add("message", "Meddelande", "Message")
	add("signable_until", "Giltig till", "Giltigt till", "Sista signeringsdag", "Valid until", "Expires")
	for i := 1; i <= 10; i++ {
		add(fmt.Sprintf("tag_%d", i), fmt.Sprintf("Tagg %d", i), fmt.Sprintf("Tag %d", i))
	}
}

// starterConst is the placeholder set: value a starter mapping gives a
// required field no column matched.
func starterConst(e salesbyte.Endpoint, f salesbyte.Field) (string, string) {
	switch f.Name {
	case "quote_profile_id":
		return "0", "TODO: your quote profile id"
	case "quote_template_id":
		return "0", "TODO: the id of the template to clone"
	case "send_type":
		if e == salesbyte.Quote {
			return "none", "TODO: email, sms, dual, auto or none (none: nothing is sent to customers)"
		}
		return "email", "TODO: how customers are told, e.g. email or sms"
	case "type":
		return "TODO", "TODO: the kind of brand-awareness lead"
	case "signable":
		return "true", "TODO: check: " + f.Doc
	case "customer_name":
		return "TODO", "TODO: no column looked like a name; map one under fields:"
	}
	switch f.Kind {
	case salesbyte.KindInt:
		return "0", "TODO: " + f.Doc
	case salesbyte.KindBool:
		return "false", "TODO: check: " + f.Doc
	}
	return "TODO", "TODO: " + f.Doc
}

// yamlScalar writes s so that YAML reads it back as the same text.
func yamlScalar(s string) string {
	var n yaml.Node
	if s != "" && !strings.ContainsAny(s, "{}[]\"'\n\t") && yaml.Unmarshal([]byte("v: "+s), &n) == nil &&
		len(n.Content) == 1 && len(n.Content[0].Content) == 2 {
		v := n.Content[0].Content[1]
		if v.Kind == yaml.ScalarNode && v.Tag == "!!str" && v.Value == s && v.Style == 0 {
			return s
		}
	}
	return strconv.Quote(s)
}

// columnRef writes a column reference for fields:; a header with braces
// uses the {column: …} form so it is not read as a template.
func columnRef(h, as string) string {
	if as == "" && !strings.ContainsAny(h, "{}") {
		return yamlScalar(h)
	}
	ref := "{column: " + yamlScalar(h)
	if as != "" {
		ref += ", as: " + as
	}
	if as == "list" {
		ref += `, split: ","`
	}
	return ref + "}"
}

// Starter writes a starter mapping for a sheet's header (`sbimport
// init`): headers matched to fields by their Swedish or English names,
// every required field present (a TODO placeholder under set: where no
// column fits), a key, and a commented line for each header it could not
// match. The result parses, and compiles against header.
func Starter(header []string, e salesbyte.Endpoint) []byte {
	return StarterAt(header, e, Where{})
}

// Where says where a sheet's rows are: what a mapping's sheet: and
// header_row: hold.
type Where struct {
	Sheet     string // "" = the first visible sheet
	HeaderRow int    // 0 or 1 = the first row
}

// StarterAt is Starter for a sheet whose rows are not on its first
// sheet's first row: the mapping remembers the sheet and the header row,
// so no command needs them again.
func StarterAt(header []string, e salesbyte.Endpoint, w Where) []byte {
	m := matchHeader(header, e)
	var b strings.Builder
	fmt.Fprintf(&b, "# Starter mapping for endpoint %s, written by `sbimport init`.\n", e)
	b.WriteString("# Check every line marked TODO, then try it with `sbimport validate`.\n")
	fmt.Fprintf(&b, "endpoint: %s\n", e)
	if w.Sheet != "" {
		fmt.Fprintf(&b, "sheet: %s  # the workbook sheet that holds the rows\n", yamlScalar(w.Sheet))
	}
	if w.HeaderRow > 1 {
		fmt.Fprintf(&b, "header_row: %d  # the row that holds the column names\n", w.HeaderRow)
	}
	writeBlock(&b, "set:                 # the same value on every row", m.setLines(e))
	writeBlock(&b, "fields:              # field: column header, or a text with {Column} placeholders", m.fieldLines(e))
	b.WriteString(m.keyLine())
	return []byte(b.String())
}

// headerMatch is what Starter found in a header.
type headerMatch struct {
	fieldCol     map[string]string // body field → column
	unmatched    []string          // columns no field matched
	skipped      []string          // columns whose name appears more than once
	nameTemplate string            // customer_name from first and last name, quoted; "" if none
}

// matchHeader matches each header to a field of e by its names.
func matchHeader(header []string, e salesbyte.Endpoint) *headerMatch {
	count := map[string]int{}
	for _, h := range header {
		count[strings.TrimSpace(h)]++
	}
	m := &headerMatch{fieldCol: map[string]string{}}
	used := map[string]bool{}
	for _, raw := range header {
		h := strings.TrimSpace(raw)
		switch {
		case h == "":
		case count[h] > 1:
			if !used[h] {
				m.skipped = append(m.skipped, h)
				used[h] = true
			}
		default:
			field, ok := headerField(h, e)
			if !ok || m.fieldCol[field] != "" {
				m.unmatched = append(m.unmatched, h)
				continue
			}
			m.fieldCol[field] = h
		}
	}
	m.joinName()
	return m
}

// headerField is the field of e a header names, by its synonyms or as
// the field's own name; "firstname" and "lastname" are halves of
// customer_name.
func headerField(h string, e salesbyte.Endpoint) (string, bool) {
	field, ok := headerSynonyms[fold(h)]
	if !ok {
		if f, known := salesbyte.LookupField(e, h); known && f.Kind != salesbyte.KindList && f.Kind != salesbyte.KindObject {
			return f.Name, true
		}
		return "", false
	}
	if field == "firstname" || field == "lastname" {
		return field, true
	}
	_, known := salesbyte.LookupField(e, field)
	return field, known
}

// joinName makes customer_name from first and last name when no single
// column has it; otherwise those columns are unmatched.
func (m *headerMatch) joinName() {
	first, last := m.fieldCol["firstname"], m.fieldCol["lastname"]
	delete(m.fieldCol, "firstname")
	delete(m.fieldCol, "lastname")
	if m.fieldCol["customer_name"] == "" && (first != "" || last != "") && !strings.ContainsAny(first+last, "{}") {
		var parts []string
		for _, c := range []string{first, last} {
			if c != "" {
				parts = append(parts, "{"+c+"}")
			}
		}
		m.nameTemplate = strconv.Quote(strings.Join(parts, " "))
		return
	}
	for _, c := range []string{first, last} {
		if c != "" {
			m.unmatched = append(m.unmatched, c)
		}
	}
}

// setLines gives a TODO placeholder for each required field no column fills.
func (m *headerMatch) setLines(e salesbyte.Endpoint) []string {
	var lines []string
	for _, f := range salesbyte.Fields(e) {
		if !f.Required || m.fieldCol[f.Name] != "" || (f.Name == "customer_name" && m.nameTemplate != "") {
			continue
		}
		v, comment := starterConst(e, f)
		lines = append(lines, fmt.Sprintf("  %s: %s  # %s", f.Name, v, comment))
	}
	return lines
}

// fieldLines gives a line per matched field, then a commented line per
// column left over.
func (m *headerMatch) fieldLines(e salesbyte.Endpoint) []string {
	var lines []string
	for _, f := range salesbyte.Fields(e) {
		if f.Name == "customer_name" && m.nameTemplate != "" {
			lines = append(lines, "  customer_name: "+m.nameTemplate)
			continue
		}
		if col := m.fieldCol[f.Name]; col != "" {
			lines = append(lines, fmt.Sprintf("  %s: %s", f.Name, columnRef(col, starterAs(f.Kind))))
		}
	}
	hint := "no field matched this column; to send it, replace FIELD with a field name and remove the #"
	switch e {
	case salesbyte.Quote:
		hint += " (or add it under custom_fields:)"
	case salesbyte.Template:
		hint += " (or add it under customer_fields:)"
	case salesbyte.Lead:
		hint += " (e.g. custom_field_1_content)"
	}
	for _, h := range m.unmatched {
		lines = append(lines, fmt.Sprintf("  # FIELD: %s  # TODO: %s", columnRef(h, ""), hint))
	}
	for _, h := range m.skipped {
		lines = append(lines, fmt.Sprintf("  # FIELD: %s  # TODO: this header appears more than once in the sheet; rename the copies first", columnRef(h, "")))
	}
	return lines
}

// starterAs is the as: a starter mapping spells out for a field's kind.
func starterAs(k salesbyte.FieldKind) string {
	switch k {
	case salesbyte.KindPhone:
		return "phone"
	case salesbyte.KindDate:
		return "date"
	case salesbyte.KindStringList:
		return "list"
	}
	return ""
}

func (m *headerMatch) keyLine() string {
	for _, f := range []string{"customer_email", "customer_phone"} {
		if col := m.fieldCol[f]; col != "" {
			return fmt.Sprintf("key: %s  # identifies a customer row across reruns\n", columnRef(col, ""))
		}
	}
	return "# key: Kundnummer  # TODO: the column that identifies a customer row across reruns\n"
}

// writeBlock writes a block's heading and its lines; nothing when there
// are no lines.
func writeBlock(b *strings.Builder, heading string, lines []string) {
	if len(lines) == 0 {
		return
	}
	b.WriteString(heading + "\n")
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
}
