package mapping

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

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
// required field no column matched, and its comment: what to put there,
// the values allowed, and where to find it.
func starterConst(e salesbyte.Endpoint, f salesbyte.Field) (string, string) {
	switch f.Name {
	case "quote_profile_id":
		return "0", "TODO: the id (a number) of the quote profile to create in; ask your SalesByte administrator which one"
	case "quote_template_id":
		return "0", "TODO: the id (a number) of the quote template to clone; ask your SalesByte administrator (the uuid must be one tied to this template)"
	case "send_type":
		if e == salesbyte.Quote {
			return "none", "TODO: one of " + strings.Join(salesbyte.QuoteSendTypes, ", ") + " (email: e-mailed to the customer, sms: texted, dual: both, auto: SalesByte picks, none: nothing is sent)"
		}
		return "none", "TODO: how customers are told, e.g. email or sms (SalesByte lists no fixed set; none tells them nothing)"
	case "type":
		return "TODO", "TODO: the kind of brand-awareness lead; SalesByte lists no fixed values: ask your SalesByte administrator which your account uses"
	case "signable":
		return "true", "TODO: check (true or false): " + f.Doc
	case "customer_name":
		return "TODO", "TODO: no column looked like a name; map one under fields:"
	}
	switch f.Kind {
	case salesbyte.KindInt:
		return "0", "TODO: " + f.Doc
	case salesbyte.KindBool:
		return "false", "TODO: check (true or false): " + f.Doc
	}
	return "TODO", "TODO: " + f.Doc
}

// starterIntro is the head of a starter mapping: what the endpoints are
// and where the secrets go.
const starterIntro = `# Check every line marked TODO, then try it with ` + "`sbimport validate`" + `.
#
# lead: a brand-awareness lead, a first contact without products.
# quote: a quote with its alternatives (products) and custom fields.
# template: a quote cloned from a quote template made in SalesByte, its
# customer fields filled in from the sheet.
#
# The integration uuid is a secret and never goes in this file: set
# SALESBYTE_UUID, or put it in a file and give --uuid-file. reconcile needs
# a Quotes API token too (SALESBYTE_API_TOKEN or --token-file). Ask your
# SalesByte administrator for both, and for the ids marked TODO below.
`

// campaignLine is a commented campaign: line, explaining scopes.
const campaignLine = "#campaign: vinter-2026  # rows created in one campaign are not sent again in it; another campaign may reach the same customers\n"

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
	b.WriteString(starterIntro)
	fmt.Fprintf(&b, "endpoint: %s\n", e)
	if w.Sheet != "" {
		fmt.Fprintf(&b, "sheet: %s  # the workbook sheet that holds the rows\n", yamlScalar(w.Sheet))
	}
	if w.HeaderRow > 1 {
		fmt.Fprintf(&b, "header_row: %d  # the row that holds the column names\n", w.HeaderRow)
	}
	b.WriteString(campaignLine)
	writeBlock(&b, "set:                 # the same value on every row", m.setLines(e))
	writeBlock(&b, "fields:              # field: column header, or a text with {Column} placeholders", m.fieldLines(e))
	b.WriteString(m.extraBlock(e))
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

// fieldLines gives a line per matched field, then, for a lead, a
// commented custom_field_N_content line per column left over (the others
// go to extraBlock), and a commented line per column whose name repeats.
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
	if e == salesbyte.Lead {
		lines = append(lines, m.leadCustomLines()...)
	}
	for _, h := range m.skipped {
		lines = append(lines, fmt.Sprintf("  # FIELD: %s  # TODO: this header appears more than once in the sheet; rename the copies first", columnRef(h, "")))
	}
	return lines
}

// leadCustomLines offers each column left over as one of the lead's ten
// custom fields not yet used, commented out; the rest as FIELD lines.
func (m *headerMatch) leadCustomLines() []string {
	var lines []string
	n := 1
	for _, h := range m.unmatched {
		for n <= 10 && m.fieldCol[fmt.Sprintf("custom_field_%d_content", n)] != "" {
			n++
		}
		if n > 10 {
			lines = append(lines, fmt.Sprintf("  # FIELD: %s  # TODO: no field matched this column; to send it, replace FIELD with a field name (e.g. a tag_N) and remove the #", columnRef(h, "")))
			continue
		}
		lines = append(lines, fmt.Sprintf("  #custom_field_%d_content: %s  # TODO: no field matched this column; remove the first # to send it as custom field %d", n, columnRef(h, ""), n))
		n++
	}
	return lines
}

// extraBlock writes a quote's custom_fields: or a template's
// customer_fields: block holding the columns no field matched, commented
// out, so sending one is removing two #.
func (m *headerMatch) extraBlock(e salesbyte.Endpoint) string {
	if len(m.unmatched) == 0 || e == salesbyte.Lead {
		return ""
	}
	var b strings.Builder
	switch e {
	case salesbyte.Quote:
		b.WriteString("#custom_fields:       # TODO: no field matched these columns; to send one as a custom field of the quote, remove the # before custom_fields: and the one before its line\n")
		b.WriteString("#                     # name: Column, or {column: Column, required: true, editable_by_contact: true, hide_from_contact: true} (each true or false)\n")
	case salesbyte.Template:
		b.WriteString("#customer_fields:     # TODO: no field matched these columns; to fill in one of the template's customer fields, remove the # before customer_fields: and the one before its line,\n")
		b.WriteString("#                     # and write the field's name as the template has it on the left\n")
	}
	used := map[string]bool{}
	for _, h := range m.unmatched {
		name := customName(h, used)
		fmt.Fprintf(&b, "#  %s: %s\n", yamlScalar(name), columnRef(h, ""))
	}
	return b.String()
}

// customName makes a field name from a header: lower case, words joined
// by _, unique among used.
func customName(h string, used map[string]bool) string {
	var b strings.Builder
	gap := false
	for _, r := range strings.ToLower(h) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if gap && b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
			gap = false
		} else {
			gap = true
		}
	}
	name := b.String()
	if name == "" {
		name = "field"
	}
	for i, base := 2, name; used[name]; i++ {
		name = fmt.Sprintf("%s_%d", base, i)
	}
	used[name] = true
	return name
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
