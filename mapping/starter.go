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
	count := map[string]int{}
	for _, h := range header {
		count[strings.TrimSpace(h)]++
	}
	fieldCol := map[string]string{}
	var unmatched, skipped []string
	used := map[string]bool{}
	for _, raw := range header {
		h := strings.TrimSpace(raw)
		if h == "" {
			continue
		}
		if count[h] > 1 {
			if !used[h] {
				skipped = append(skipped, h)
				used[h] = true
			}
			continue
		}
		field, ok := headerSynonyms[fold(h)]
		if !ok {
			if f, known := salesbyte.LookupField(e, h); known && f.Kind != salesbyte.KindList && f.Kind != salesbyte.KindObject {
				field, ok = f.Name, true
			}
		}
		if ok && field != "firstname" && field != "lastname" {
			if _, known := salesbyte.LookupField(e, field); !known {
				ok = false
			}
		}
		if !ok || fieldCol[field] != "" {
			unmatched = append(unmatched, h)
			continue
		}
		fieldCol[field] = h
	}
	// customer_name from first and last name when no single column has it.
	nameTemplate := ""
	first, last := fieldCol["firstname"], fieldCol["lastname"]
	if fieldCol["customer_name"] == "" && (first != "" || last != "") && !strings.ContainsAny(first+last, "{}") {
		var parts []string
		for _, c := range []string{first, last} {
			if c != "" {
				parts = append(parts, "{"+c+"}")
			}
		}
		nameTemplate = strconv.Quote(strings.Join(parts, " "))
	} else {
		for _, c := range []string{first, last} {
			if c != "" {
				unmatched = append(unmatched, c)
			}
		}
	}
	delete(fieldCol, "firstname")
	delete(fieldCol, "lastname")

	var b strings.Builder
	fmt.Fprintf(&b, "# Starter mapping for endpoint %s, written by `sbimport init`.\n", e)
	b.WriteString("# Check every line marked TODO, then try it with `sbimport validate`.\n")
	fmt.Fprintf(&b, "endpoint: %s\n", e)

	fields := salesbyte.Fields(e)
	var setLines []string
	for _, f := range fields {
		if !f.Required || fieldCol[f.Name] != "" || (f.Name == "customer_name" && nameTemplate != "") {
			continue
		}
		v, comment := starterConst(e, f)
		setLines = append(setLines, fmt.Sprintf("  %s: %s  # %s", f.Name, v, comment))
	}
	if len(setLines) > 0 {
		b.WriteString("set:                 # the same value on every row\n")
		for _, l := range setLines {
			b.WriteString(l + "\n")
		}
	}

	var fieldLines []string
	for _, f := range fields {
		if f.Name == "customer_name" && nameTemplate != "" {
			fieldLines = append(fieldLines, "  customer_name: "+nameTemplate)
			continue
		}
		col := fieldCol[f.Name]
		if col == "" {
			continue
		}
		as := ""
		switch f.Kind {
		case salesbyte.KindPhone:
			as = "phone"
		case salesbyte.KindDate:
			as = "date"
		case salesbyte.KindStringList:
			as = "list"
		}
		fieldLines = append(fieldLines, fmt.Sprintf("  %s: %s", f.Name, columnRef(col, as)))
	}
	for _, h := range unmatched {
		hint := "no field matched this column; to send it, replace FIELD with a field name and remove the #"
		switch e {
		case salesbyte.Quote:
			hint += " (or add it under custom_fields:)"
		case salesbyte.Template:
			hint += " (or add it under customer_fields:)"
		case salesbyte.Lead:
			hint += " (e.g. custom_field_1_content)"
		}
		fieldLines = append(fieldLines, fmt.Sprintf("  # FIELD: %s  # TODO: %s", columnRef(h, ""), hint))
	}
	for _, h := range skipped {
		fieldLines = append(fieldLines, fmt.Sprintf("  # FIELD: %s  # TODO: this header appears more than once in the sheet; rename the copies first", columnRef(h, "")))
	}
	if len(fieldLines) > 0 {
		b.WriteString("fields:              # field: column header, or a text with {Column} placeholders\n")
		for _, l := range fieldLines {
			b.WriteString(l + "\n")
		}
	}

	switch {
	case fieldCol["customer_email"] != "":
		fmt.Fprintf(&b, "key: %s  # identifies a customer row across reruns\n", columnRef(fieldCol["customer_email"], ""))
	case fieldCol["customer_phone"] != "":
		fmt.Fprintf(&b, "key: %s  # identifies a customer row across reruns\n", columnRef(fieldCol["customer_phone"], ""))
	default:
		b.WriteString("# key: Kundnummer  # TODO: the column that identifies a customer row across reruns\n")
	}
	return []byte(b.String())
}
