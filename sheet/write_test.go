package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

var outHeader = []string{"Namn", "Telefon", "sb_status", "sb_id", "sb_link_edit", "sb_error"}

var outRows = [][]string{
	{"Åsa Öberg", "0701234567", "created", "115", "https://app.salesbyte.se/q/1?a=1&b=\"2\"", ""},
	{"Bo; \"Bosse\"", "46701234567", "failed", "", "", "rad 3: 422\nfel e-post"},
	{"Cia", "", "invalid", "", "", "column Mobil: '08-12' is not a phone number"},
	{"Dan", "  ", "unknown", "", "", "timeout"},
	{"Eva", "08-12 34 56", "skipped", "", "", ""},
}

func TestCSVWriterRoundTrip(t *testing.T) {
	tests := []struct {
		in      Format
		bom     bool
		delim   rune
		wantEnc string
	}{
		{Format{Kind: "csv", Delimiter: ';', Encoding: "windows-1252"}, true, ';', "utf-8-bom"},
		{Format{Kind: "csv", Delimiter: '\t', Encoding: "utf-16le"}, true, '\t', "utf-8-bom"},
		{Format{Kind: "csv", Delimiter: ',', Encoding: "utf-8-bom"}, true, ',', "utf-8-bom"},
		{Format{Kind: "csv", Delimiter: '|', Encoding: "utf-8"}, false, '|', "utf-8"},
		{Format{Kind: "xlsx", Sheet: "Blad1"}, false, ',', "utf-8"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s-%q", tc.in.Encoding, tc.delim), func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "out.csv")
			if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			w, err := Create(p, outHeader, tc.in, Top{})
			if err != nil {
				t.Fatal(err)
			}
			for _, row := range outRows {
				if err := w.Write(Row{Cells: row}); err != nil {
					t.Fatal(err)
				}
			}
			if b, _ := os.ReadFile(p); string(b) != "old" {
				t.Fatal("the target changed before Commit")
			}
			if err := w.Commit([][]string{{"ignored"}}); err != nil {
				t.Fatal(err)
			}
			if err := w.Write(Row{Cells: outRows[0]}); err == nil {
				t.Error("Write after Commit succeeded")
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if got := bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")); got != tc.bom {
				t.Errorf("BOM = %v; want %v", got, tc.bom)
			}
			assertOnlyFile(t, dir, "out.csv")
			r, err := Open(p, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if f := r.Format(); f.Delimiter != tc.delim || f.Encoding != tc.wantEnc {
				t.Errorf("read back as %+v; want delimiter %q, encoding %s", f, tc.delim, tc.wantEnc)
			}
			if !reflect.DeepEqual(r.Header(), outHeader) {
				t.Errorf("header %q; want %q", r.Header(), outHeader)
			}
			if got := cellsOf(readAll(t, r)); !reflect.DeepEqual(got, outRows) {
				t.Errorf("rows %q;\nwant %q", got, outRows)
			}
		})
	}
}

func assertOnlyFile(t *testing.T, dir, name string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !reflect.DeepEqual(names, []string{name}) {
		t.Errorf("folder holds %q; want only %q (no temporary files)", names, name)
	}
}

func TestWriterAbort(t *testing.T) {
	for _, name := range []string{"out.csv", "out.xlsx"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			w, err := Create(p, outHeader, Format{}, Top{})
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Write(Row{Cells: outRows[0]}); err != nil {
				t.Fatal(err)
			}
			if err := w.Abort(); err != nil {
				t.Fatal(err)
			}
			if err := w.Commit(nil); err == nil {
				t.Error("Commit after Abort succeeded")
			}
			if b, _ := os.ReadFile(p); string(b) != "old" {
				t.Errorf("target = %q; want it untouched", b)
			}
			assertOnlyFile(t, dir, name)
		})
	}
}

func TestCreateInMissingFolder(t *testing.T) {
	p := filepath.Join(t.TempDir(), "nope", "out.csv")
	_, err := Create(p, outHeader, Format{}, Top{})
	var fe *FileError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "check that the folder exists") {
		t.Errorf("Create = %v; want a FileError about the folder", err)
	}
}

func TestXLSXWriter(t *testing.T) {
	for _, n := range []int{len(outRows), 250} { // fewer and more rows than are buffered for sizing
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "out.xlsx")
			w, err := Create(p, outHeader, Format{Kind: "xlsx"}, Top{})
			if err != nil {
				t.Fatal(err)
			}
			var want [][]string
			for i := 0; i < n; i++ {
				row := outRows[i%len(outRows)]
				if err := w.Write(Row{Cells: row}); err != nil {
					t.Fatal(err)
				}
				want = append(want, row)
			}
			summary := [][]string{{"Status", "Rader"}, {"created", "1"}, {"failed", "1"}, {"Indatafil", "kunder.xlsx"}}
			if err := w.Commit(summary); err != nil {
				t.Fatal(err)
			}
			assertOnlyFile(t, dir, "out.xlsx")

			// Round trip through Open: the values as they were written.
			r, err := Open(p, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if r.Format().Sheet != "Result" || !reflect.DeepEqual(r.Header(), outHeader) {
				t.Errorf("read back %+v %q", r.Format(), r.Header())
			}
			if got := cellsOf(readAll(t, r)); !reflect.DeepEqual(got, want) {
				t.Errorf("rows %q;\nwant %q", got[:min(len(got), 5)], want[:5])
			}

			f, err := excelize.OpenFile(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{"Result", "Summary"}) {
				t.Errorf("sheets %q; want Result, Summary", got)
			}
			style := func(sheet, cell string) *excelize.Style {
				t.Helper()
				id, err := f.GetCellStyle(sheet, cell)
				if err != nil {
					t.Fatal(err)
				}
				s, err := f.GetStyle(id)
				if err != nil {
					t.Fatal(err)
				}
				return s
			}
			if s := style("Result", "A1"); s.Font == nil || !s.Font.Bold {
				t.Error("header A1 is not bold")
			}
			panes, err := f.GetPanes("Result")
			if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
				t.Errorf("panes %+v, %v; want the first row frozen", panes, err)
			}
			names := f.GetDefinedName()
			wantRef := fmt.Sprintf("'Result'!$A$1:$F$%d", n+1)
			if len(names) != 1 || names[0].Name != "_xlnm._FilterDatabase" || names[0].RefersTo != wantRef {
				t.Errorf("defined names %+v; want the filter database %s", names, wantRef)
			}
			if xml := zipPart(t, p, "xl/worksheets/sheet1.xml"); !strings.Contains(xml, fmt.Sprintf(`<autoFilter ref="$A$1:$F$%d"`, n+1)) {
				t.Errorf("sheet has no autoFilter over A1:F%d", n+1)
			}
			formula, err := f.GetCellFormula("Result", "E2")
			if err != nil || formula != `HYPERLINK("https://app.salesbyte.se/q/1?a=1&b=""2""","https://app.salesbyte.se/q/1?a=1&b=""2""")` {
				t.Errorf("E2 formula %q, %v; want a HYPERLINK", formula, err)
			}
			if s := style("Result", "E2"); s.Font == nil || s.Font.Underline != "single" {
				t.Error("link E2 is not underlined")
			}
			tint := func(cell string) string {
				s := style("Result", cell)
				if s.Fill.Pattern != 1 || len(s.Fill.Color) == 0 {
					return ""
				}
				return s.Fill.Color[0]
			}
			for cell, want := range map[string]string{"A2": "", "A3": "FFC7CE", "A4": "FFE0B2", "A5": "FFF2CC", "A6": ""} {
				if got := tint(cell); got != want {
					t.Errorf("%s tint %q; want %q", cell, got, want)
				}
			}
			// An empty cell in a failed row is tinted by the row's style.
			if xml := zipPart(t, p, "xl/worksheets/sheet1.xml"); !strings.Contains(xml, `<row r="3" s="`) {
				t.Error("failed row 3 has no row style")
			}
			if v, _ := f.GetCellValue("Result", "B2"); v != "0701234567" {
				t.Errorf("B2 = %q; want the text 0701234567", v)
			}
			if typ, _ := f.GetCellType("Result", "B2"); typ == excelize.CellTypeNumber {
				t.Error("B2 was written as a number")
			}
			if xml := zipPart(t, p, "xl/worksheets/sheet1.xml"); !strings.Contains(xml, `<cols><col min="1" max="`) {
				t.Error("the column widths do not start with column A")
			}
			// The link column is narrow and sb_error wide, so the error is in
			// view; sb_status fits its values.
			for col, want := range map[string]float64{"C": 13, "E": linkWidth, "F": errorWidth} {
				if got, err := f.GetColWidth("Result", col); err != nil || got != want {
					t.Errorf("column %s width %v, %v; want %v", col, got, err, want)
				}
			}
			got, err := f.GetRows("Summary")
			if err != nil || !reflect.DeepEqual(got, summary) {
				t.Errorf("Summary = %q, %v; want %q", got, err, summary)
			}
			if s := style("Summary", "A2"); s.Font == nil || !s.Font.Bold {
				t.Error("Summary A2 is not bold")
			}
			if s := style("Summary", "B2"); s.Font != nil && s.Font.Bold {
				t.Error("Summary B2 is bold")
			}
		})
	}
}

func zipPart(t *testing.T, path, part string) string {
	t.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	for _, f := range z.File {
		if f.Name == part {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatalf("%s has no %s", path, part)
	return ""
}

func TestXLSXWriterEmpty(t *testing.T) {
	p := filepath.Join(t.TempDir(), "empty.xlsx")
	w, err := Create(p, outHeader, Format{Sheet: "Ut"}, Top{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(nil); err != nil {
		t.Fatal(err)
	}
	r, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Format().Sheet != "Ut" || len(readAll(t, r)) != 0 {
		t.Errorf("read back %+v; want sheet Ut with no rows", r.Format())
	}
}
