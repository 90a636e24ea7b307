package mapping

import (
	"errors"
	"strings"
	"testing"
)

const whereBody = `set:
  quote_profile_id: 115
  send_type: none
  signable: true
  workflows_enabled: false
  allow_customer_document_upload: false
fields:
  customer_name: Namn
`

// The mapping remembers where the rows are: sheet:, header_row: and the
// optional campaign: are read and given back.
func TestParseSheetHeaderRowCampaign(t *testing.T) {
	s, err := Parse("m.yaml", []byte("endpoint: quote\nsheet: Kunder 2026\nheader_row: 3\ncampaign: vinter-2026\n"+whereBody))
	if err != nil {
		t.Fatal(err)
	}
	if s.Sheet() != "Kunder 2026" || s.HeaderRow() != 3 || s.Campaign() != "vinter-2026" {
		t.Errorf("Sheet, HeaderRow, Campaign = %q, %d, %q; want Kunder 2026, 3, vinter-2026", s.Sheet(), s.HeaderRow(), s.Campaign())
	}
	s, err = Parse("m.yaml", []byte("endpoint: quote\n"+whereBody))
	if err != nil {
		t.Fatal(err)
	}
	if s.Sheet() != "" || s.HeaderRow() != 0 || s.Campaign() != "" {
		t.Errorf("without the keys: %q, %d, %q; want all unset", s.Sheet(), s.HeaderRow(), s.Campaign())
	}
}

func TestParseHeaderRowProblems(t *testing.T) {
	for _, c := range []struct{ line, want string }{
		{"header_row: 0", `m.yaml:2: header_row: must be the number of the row that holds the column names, 1 or more (e.g. header_row: 3), not "0"`},
		{"header_row: -2", `m.yaml:2: header_row: must be`},
		{"header_row: tre", `m.yaml:2: header_row: must be`},
		{"header_row: 2.5", `m.yaml:2: header_row: must be`},
		{`header_row: "3"`, `m.yaml:2: header_row: must be`},
		{"header_row: [3]", `m.yaml:2: header_row: must be`},
		{"sheet:", `m.yaml:2: sheet: must be the name of the workbook's sheet`},
		{"sheet: [a, b]", `m.yaml:2: sheet: must be`},
		{"campaign: {a: b}", `m.yaml:2: campaign: must be a name`},
		{"header_rows: 3", `m.yaml:2: unknown top-level key "header_rows"; did you mean "header_row"?`},
	} {
		_, err := Parse("m.yaml", []byte("endpoint: quote\n"+c.line+"\n"+whereBody))
		var me *Error
		if !errors.As(err, &me) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want a *mapping.Error with %q", c.line, err, c.want)
		}
	}
}
