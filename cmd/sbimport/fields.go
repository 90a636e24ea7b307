package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sbimport/sbimport/salesbyte"
)

// fieldsWidth is the width the fields listing keeps within.
const fieldsWidth = 100

const whichEndpoint = `Which endpoint? Use quote for a finished quote the customer can read and
sign: each row chooses its products (alternatives, by bundle id or SKUs),
how it is sent, and whether it can be signed. Use template when a quote
template in SalesByte already holds the products and the texts: each row
only names the customer and the template, and SalesByte copies the rest.
Use lead for a first contact to follow up (a brand-awareness lead): no
products and no signing, but tags and up to ten custom fields. The
integration uuid is not a field of the mapping: sbimport sends it from
SALESBYTE_UUID or --uuid-file.`

var endpointUse = map[salesbyte.Endpoint]string{
	salesbyte.Lead:     "a lead to follow up",
	salesbyte.Quote:    "a quote with its own products",
	salesbyte.Template: "a quote copied from a template",
}

func newFieldsCmd(s streams) *cobra.Command {
	var endpoint string
	var jsonOut bool
	cmd := &cobra.Command{
		Use:   "fields [--endpoint quote] [--json]",
		Short: "List the fields an endpoint takes: type, required, allowed values, what each does",
		Long: `fields lists every field a mapping can fill for an endpoint: its type,
whether it is required (always, or when another field says so), the only
values it accepts where there is such a list, and what it does. Without
--endpoint it says when to use lead, quote or template, and lists each
one's fields in short.`,
		Example: `  sbimport fields
  sbimport fields --endpoint quote
  sbimport fields --endpoint template --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			eps := salesbyte.Endpoints
			if cmd.Flags().Changed("endpoint") {
				ep, err := salesbyte.ParseEndpoint(endpoint)
				if err != nil {
					return usageErr("--endpoint: %v", err)
				}
				eps = []salesbyte.Endpoint{ep}
			}
			switch {
			case jsonOut:
				return writeFieldsJSON(s.Out, eps, len(eps) == 1)
			case len(eps) == 1:
				writeFieldsTable(s.Out, eps[0])
			default:
				writeFieldsOverview(s.Out)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&endpoint, "endpoint", "", "lead, quote or template (default: a summary of all three)")
	cmd.Flags().BoolVar(&jsonOut, "json", false, "print the fields as JSON on stdout")
	return cmd
}

// required is a field's REQUIRED column: yes, no, or the condition.
func required(d salesbyte.FieldDoc) string {
	switch {
	case d.Required:
		return "yes"
	case d.RequiredIf != "":
		return "if " + d.RequiredIf
	}
	return "no"
}

// writeFieldsTable lists one endpoint's fields in aligned columns, each
// field's description and allowed values indented below it.
func writeFieldsTable(w io.Writer, e salesbyte.Endpoint) {
	docs := salesbyte.Docs(e)
	nameW, typeW := len("FIELD"), len("TYPE")
	for _, d := range docs {
		nameW = max(nameW, len(d.Name))
		typeW = max(typeW, len(d.Kind.String()))
	}
	fmt.Fprintf(w, "%s: %s (POST %s)\n\n", e, endpointUse[e], e.Path())
	row := func(a, b, c string) {
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("%-*s  %-*s  %s", nameW, a, typeW, b, c), " "))
	}
	row("FIELD", "TYPE", "REQUIRED")
	for _, d := range docs {
		row(d.Name, d.Kind.String(), required(d))
		for _, line := range wrapWords(d.About, fieldsWidth-4) {
			fmt.Fprintln(w, "    "+line)
		}
		if d.Allowed != nil {
			for _, line := range wrapWords("values: "+strings.Join(d.Allowed, ", "), fieldsWidth-4) {
				fmt.Fprintln(w, "    "+line)
			}
		}
	}
}

// writeFieldsOverview says when to use which endpoint, then names each
// one's required and optional fields.
func writeFieldsOverview(w io.Writer) {
	fmt.Fprintln(w, whichEndpoint)
	for _, e := range salesbyte.Endpoints {
		var req, opt []string
		for _, d := range salesbyte.Docs(e) {
			switch {
			case d.Required:
				req = append(req, d.Name)
			case d.RequiredIf != "":
				opt = append(opt, d.Name+" (if "+d.RequiredIf+")")
			default:
				opt = append(opt, d.Name)
			}
		}
		fmt.Fprintf(w, "\n%s: %s (POST %s)\n", e, endpointUse[e], e.Path())
		writeIndented(w, "required: "+strings.Join(req, ", "))
		writeIndented(w, "optional: "+strings.Join(opt, ", "))
	}
	fmt.Fprintln(w, "\nEvery field, its type, allowed values and what it does: sbimport fields --endpoint quote")
}

// writeIndented writes text indented two spaces, its continuation lines
// four, within fieldsWidth.
func writeIndented(w io.Writer, text string) {
	lines := wrapWords(text, fieldsWidth-2)
	if len(lines) == 0 {
		return
	}
	fmt.Fprintln(w, "  "+lines[0])
	for _, line := range wrapWords(strings.Join(lines[1:], " "), fieldsWidth-4) {
		fmt.Fprintln(w, "    "+line)
	}
}

type jsonField struct {
	Name       string   `json:"name"`
	Type       string   `json:"type"`
	Required   bool     `json:"required"`
	RequiredIf string   `json:"required_if,omitempty"`
	Allowed    []string `json:"allowed,omitempty"`
	About      string   `json:"about"`
}

type jsonEndpoint struct {
	Endpoint string      `json:"endpoint"`
	Path     string      `json:"path"`
	Use      string      `json:"use"`
	Fields   []jsonField `json:"fields"`
}

// writeFieldsJSON writes one endpoint as an object, or several as a list.
func writeFieldsJSON(w io.Writer, eps []salesbyte.Endpoint, one bool) error {
	out := make([]jsonEndpoint, 0, len(eps))
	for _, e := range eps {
		je := jsonEndpoint{Endpoint: string(e), Path: e.Path(), Use: endpointUse[e], Fields: []jsonField{}}
		for _, d := range salesbyte.Docs(e) {
			je.Fields = append(je.Fields, jsonField{
				Name: d.Name, Type: d.Kind.String(), Required: d.Required,
				RequiredIf: d.RequiredIf, Allowed: d.Allowed, About: d.About,
			})
		}
		out = append(out, je)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if one {
		return enc.Encode(out[0])
	}
	return enc.Encode(out)
}

// wrapWords breaks text into lines of at most width characters, at
// spaces; a word longer than width gets a line of its own.
func wrapWords(text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case len([]rune(line))+1+len([]rune(word)) <= width:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
