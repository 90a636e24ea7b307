package sheet

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// tenRows is a worksheet of a header (shared strings 0 and 1) and nine
// data rows, 2 to 10. Row 6's name is "Åsa 6".
func tenRows() string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	b.WriteString(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>`)
	for i := 2; i <= 10; i++ {
		fmt.Fprintf(&b, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>Åsa %d</t></is></c><c r="B%d"><v>%d</v></c></row>`, i, i, i, i, i)
	}
	b.WriteString(`</sheetData></worksheet>`)
	return b.String()
}

const twoStrings = `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2"><si><t>Namn</t></si><si><t>Nr</t></si></sst>`

// book writes a workbook of one sheet "Blad1" with the given sheet and
// shared-strings XML.
func book(t *testing.T, sheetXML, sst string) string {
	t.Helper()
	return writeZip(t, filepath.Join(t.TempDir(), "kunder.xlsx"), map[string]string{
		"[Content_Types].xml":        ctTypes,
		"_rels/.rels":                rootRels,
		"xl/workbook.xml":            wbXML,
		"xl/_rels/workbook.xml.rels": wbRels,
		"xl/sharedStrings.xml":       sst,
		"xl/worksheets/sheet1.xml":   sheetXML,
	})
}

// inRow6 changes the text of row 6's name cell.
func inRow6(with string) string {
	return strings.Replace(tenRows(), "<t>Åsa 6</t>", "<t>Åsa "+with+"</t>", 1)
}

func TestXLSXUndamagedReadsEveryRow(t *testing.T) {
	r, err := Open(book(t, tenRows(), twoStrings), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rows := readAll(t, r); len(rows) != 9 || rows[4].Line != 6 || rows[4].Cells[0] != "Åsa 6" {
		t.Fatalf("rows = %+v; want 9 rows, row 6 Åsa 6", rows)
	}
}

// A damaged worksheet is refused with the row where the damage is; excelize
// alone stops there silently and yields the rows before it.
func TestXLSXDamagedSheetRefused(t *testing.T) {
	whole := tenRows()
	row6 := strings.Index(whole, `<row r="6">`)
	tests := []struct {
		name, sheet string
		row         int
		where       string
	}{
		{"vertical tab", inRow6("\v6"), 6, "at row 6 (illegal character code U+000B)"},
		{"undefined entity", inRow6("&nbsp;6"), 6, "at row 6"},
		{"bare ampersand", inRow6("& 6"), 6, "at row 6"},
		{"mismatched tag", strings.Replace(whole, `<v>6</v>`, `<v>6</x>`, 1), 6, "at row 6"},
		{"cut in row 6", whole[:row6+40], 6, "at row 6 (it ends in the middle)"},
		{"cut after row 5", whole[:row6], 5, "after row 5 (it ends in the middle)"},
		{"no sheetData end", whole[:row6] + "</worksheet>", 5, "after row 5"},
		{"DOCTYPE", strings.Replace(whole, "<worksheet", `<!DOCTYPE worksheet [<!ENTITY a "aaaa">]><worksheet`, 1), 0,
			"before its first row (a DOCTYPE declaration, which workbooks never hold)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := book(t, tc.sheet, twoStrings)
			r, err := Open(p, Options{})
			if err == nil {
				rows := readAll(t, r)
				t.Fatalf("Open succeeded with %d rows; want the damaged sheet refused", len(rows))
			}
			var fe *FileError
			if !errors.As(err, &fe) || fe.Path != p || fe.Row != tc.row {
				t.Fatalf("error %#v; want a *FileError for %s at row %d", err, p, tc.row)
			}
			for _, want := range []string{`sheet "Blad1" is damaged ` + tc.where, "save it again as .xlsx"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

// A damaged shared-strings table is refused, never read in part.
func TestXLSXDamagedSharedStringsRefused(t *testing.T) {
	tests := map[string]string{
		"vertical tab": strings.Replace(twoStrings, "<t>Nr</t>", "<t>N\vr</t>", 1),
		"cut":          twoStrings[:len(twoStrings)-30],
		"entity":       strings.Replace(twoStrings, "<t>Nr</t>", "<t>&x;</t>", 1),
		"DOCTYPE":      strings.Replace(twoStrings, "<sst", `<!DOCTYPE sst [<!ENTITY x "Nr">]><sst`, 1),
	}
	for name, sst := range tests {
		t.Run(name, func(t *testing.T) {
			r, err := Open(book(t, tenRows(), sst), Options{})
			if err == nil {
				r.Close()
				t.Fatal("Open succeeded; want the damaged shared strings refused")
			}
			for _, want := range []string{"has a damaged table of text values (xl/sharedStrings.xml: ", "save it again as .xlsx"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

// The reader does not trust the end of excelize's iteration: should it end
// before the last row the check saw, that is an error, not the end.
func TestXLSXEndBeforeLastRowIsAnError(t *testing.T) {
	r, err := Open(book(t, tenRows(), twoStrings), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	xr := r.(*xlsxReader)
	if xr.lastRow != 10 {
		t.Fatalf("lastRow = %d; want 10", xr.lastRow)
	}
	xr.lastRow = 12 // as if excelize had stopped two rows early
	n := 0
	for ; ; n++ {
		_, err = r.Next()
		if err != nil {
			break
		}
	}
	var fe *FileError
	if n != 9 || !errors.As(err, &fe) || fe.Row != 11 || !strings.Contains(err.Error(), `sheet "Blad1" cannot be read from row 11 on, though it has rows up to 12`) {
		t.Errorf("after %d rows: %v; want an error at row 11 after 9 rows", n, err)
	}
}
