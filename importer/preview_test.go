package importer

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/sbimport/sbimport/mapping"
	"github.com/sbimport/sbimport/sandbox"
)

const previewMapping = `endpoint: quote
set:
  quote_profile_id: 115
  send_type: email
  signable: true
  workflows_enabled: false
  allow_customer_document_upload: true
fields:
  customer_name: "{Förnamn} {Efternamn}"
  customer_email: E-post
  customer_phone: Mobil
  signable_until: Giltig till
custom_fields:
  bank_name: Bank
key: E-post
`

func previewImport(t *testing.T, sheet string, mode Mode) *Import {
	t.Helper()
	e := newEnv(t, sandbox.Options{}, nil)
	e.mapping = e.write("mapping.yaml", previewMapping)
	e.input = e.write("kunder.csv", sheet)
	cfg := e.config()
	cfg.Read.Delimiter = ','
	imp, err := Prepare(context.Background(), cfg, mode)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { imp.Close() })
	return imp
}

const previewSheet = "Förnamn,Efternamn,E-post,Mobil,Giltig till,Bank\n" +
	"Anna,Berg,anna@example.se,070-123 45 67,31/12/2026,SEB\n" + // line 2
	"Bo,Ek,inte-en-adress,0701234568,2026-12-31,\n" + // line 3: invalid
	"Cia,Ask,cia@example.se,+46 (0)70 123 45 69,31.01.2027,Nordea\n" + // line 4
	"Dan,Al,dan@example.se,0701234570,,\n" // line 5

// Preview gives the first valid rows as the API receives them: the phone
// normalised, the date ISO, the custom field, each value with its column.
func TestPreviewValidRows(t *testing.T) {
	imp := previewImport(t, previewSheet, Validating)
	rows, err := imp.Preview(context.Background(), 2, PreviewValid)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Line != 2 || rows[1].Line != 4 {
		t.Fatalf("rows %+v; want lines 2 and 4 (line 3 is invalid)", rows)
	}
	col := func(c string) mapping.Source { return mapping.Source{Kind: mapping.FromColumn, Column: c} }
	want := []mapping.FieldValue{
		{Path: "customer_name", Value: "Cia Ask", Source: mapping.Source{Kind: mapping.FromTemplate, Column: "{Förnamn} {Efternamn}"}},
		{Path: "customer_email", Value: "cia@example.se", Source: col("E-post")},
		{Path: "customer_phone", Value: "+46701234569", Source: col("Mobil")},
		{Path: "signable_until", Value: "2027-01-31", Source: col("Giltig till")},
		{Path: "quote_profile_id", Value: int64(115), Source: mapping.Source{Kind: mapping.FromSet}},
		{Path: "send_type", Value: "email", Source: mapping.Source{Kind: mapping.FromSet}},
		{Path: "signable", Value: true, Source: mapping.Source{Kind: mapping.FromSet}},
		{Path: "workflows_enabled", Value: false, Source: mapping.Source{Kind: mapping.FromSet}},
		{Path: "allow_customer_document_upload", Value: true, Source: mapping.Source{Kind: mapping.FromSet}},
		{Path: "custom_fields.bank_name.value", Value: "Nordea", Source: col("Bank")},
	}
	got := rows[1].Fields
	// The custom field's attributes follow its value.
	if len(got) != len(want)+1 || got[len(got)-1].Path != "custom_fields.bank_name.attribute" {
		t.Fatalf("fields %+v", got)
	}
	if !reflect.DeepEqual(got[:len(want)], want) {
		t.Errorf("row 4:\n got %+v\nwant %+v", got[:len(want)], want)
	}
	for _, r := range rows {
		if len(r.Problems) != 0 {
			t.Errorf("line %d: problems %v on a valid row", r.Line, r.Problems)
		}
		for _, f := range r.Fields {
			if strings.Contains(strings.ToLower(f.Path), "uuid") || f.Value == testUUID {
				t.Errorf("line %d holds the uuid: %+v", r.Line, f)
			}
		}
	}
}

// Preview of invalid rows gives each with its problems, typed.
func TestPreviewInvalidRows(t *testing.T) {
	imp := previewImport(t, previewSheet+"Eva,Ny,eva@example.se,0701234571,i morgon,\n", Sending)
	rows, err := imp.Preview(context.Background(), 5, PreviewInvalid)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Line != 3 || rows[1].Line != 6 {
		t.Fatalf("rows %+v; want lines 3 and 6", rows)
	}
	p := rows[0].Problems
	if len(p) != 1 || p[0].Column != "E-post" || p[0].Field != "customer_email" || p[0].Value != "inte-en-adress" {
		t.Errorf("line 3 problems %+v; want one on column E-post, customer_email, value inte-en-adress", p)
	}
	p = rows[1].Problems
	if len(p) != 1 || p[0].Column != "Giltig till" || p[0].Field != "signable_until" {
		t.Errorf("line 6 problems %+v; want one on column Giltig till", p)
	}
}

// Preview stops reading after the n-th row: a row it never reaches, here
// one the CSV reader cannot read, does not matter.
func TestPreviewStopsAfterN(t *testing.T) {
	imp := previewImport(t, previewSheet+"Fel,\"Rad,x@example.se\nmer,text\nän,mer\n", Validating)
	rows, err := imp.Preview(context.Background(), 3, PreviewValid)
	if err != nil || len(rows) != 3 || rows[2].Line != 5 {
		t.Fatalf("Preview(3) = %+v, %v; want lines 2, 4, 5 and no error", rows, err)
	}
	if _, err := imp.Preview(context.Background(), 4, PreviewValid); err == nil {
		t.Error("Preview(4) read the broken row without an error")
	}
}

// A row already created in an earlier run is not previewed as to send:
// Preview decides rows as Send does.
func TestPreviewSkipsRowsAlreadyCreated(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.mapping = e.write("mapping.yaml", previewMapping)
	e.input = e.write("kunder.csv", previewSheet)
	sum, err := Run(context.Background(), e.config())
	if err != nil || sum.Counts[Created] != 3 {
		t.Fatalf("first run: %v, %v", sum, err)
	}
	cfg := e.config()
	cfg.Input = sum.Output
	// The output sheet, with the new row appended by hand.
	b := readFile(t, sum.Output) + "Fia,Ny,fia@example.se,0701234572,," + strings.Repeat(",", len(ResultColumns)) + "\n"
	e.write("kunder-result.csv", b)
	imp, err := Prepare(context.Background(), cfg, Sending)
	if err != nil {
		t.Fatal(err)
	}
	defer imp.Close()
	rows, err := imp.Preview(context.Background(), 10, PreviewValid)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Line != 6 {
		t.Errorf("rows %+v; want only the new line 6", rows)
	}
}
