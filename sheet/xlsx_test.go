package sheet

import (
	"errors"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// rawRows reads every row of an XLSX sheet through the reader's own
// pipeline (ISO dates, plain numbers) but without header checks, for
// corpus files whose first row is not a usable header.
func rawRows(t *testing.T, path, sheetName string) map[int][]string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := isoDates(f); err != nil {
		t.Fatal(err)
	}
	rows, err := f.Rows(sheetName)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int][]string{}
	for n := 1; rows.Next(); n++ {
		cells, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		if !blank(cells) {
			for i := range cells {
				cells[i] = isoDateTime(cells[i])
			}
			out[n] = cells
		}
	}
	return out
}

func TestXLSXCorpus(t *testing.T) {
	cal := func(name string) string { return filepath.Join(corpus, "calamine", name) }
	exc := func(name string) string { return filepath.Join(corpus, "excelize", name) }
	tests := []struct {
		path   string
		opt    Options
		sheet  string
		header []string
		rows   [][]string
		lines  []int
	}{
		{path: cal("date.xlsx"), sheet: "Sheet1", header: []string{"2021-01-01", "15"},
			rows: [][]string{{"2021-01-02", "16"}, {"255:10:10", "17"}}, lines: []int{2, 3}},
		{path: cal("date_1904.xlsx"), sheet: "Sheet1", header: []string{"2021-01-01", "15"},
			rows: [][]string{{"2021-01-02", "16"}, {"35343:10:10", "17"}}, lines: []int{2, 3}},
		{path: cal("date_iso.xlsx"), sheet: "Sheet", header: []string{"2021-01-01"},
			rows: [][]string{{"2021-01-01 10:10:10"}, {"10:10:10"},
				{"This workbook contains datetime in ISO 8601"},
				{"Please, check source code of the file, if you resave it"},
				{"Created with openpyxl, see https://openpyxl.readthedocs.io/en/latest/datetime.html#using-the-iso-8601-format"}},
			lines: []int{2, 3, 4, 5, 6}},
		{path: cal("header-row.xlsx"), opt: Options{HeaderRow: 9}, sheet: "Sheet1",
			header: []string{"Columns", "Column A", "Column B", "Column C"},
			rows:   [][]string{{"put data here", "1", "2", "3"}}, lines: []int{10}},
		{path: cal("any_sheets.xlsx"), sheet: "Visible", header: []string{"1", "2"},
			rows:  [][]string{{"3", "4"}, {"5", "6"}, {"This workbook contains 4 sheets: Visible, Hidden, VeryHidden and Chart", ""}},
			lines: []int{2, 3, 5}},
		{path: cal("errors.xlsx"), sheet: "Feuil1", header: []string{"#DIV/0!"},
			rows: [][]string{{"#NAME?"}, {"#VALUE!"}, {"#NULL!"}, {"#REF!"}, {"#NUM!"}, {"#N/A"}}, lines: []int{2, 3, 4, 5, 6, 7}},
		{path: cal("has_x000D_.xlsx"), sheet: "Sheet1", header: []string{"ABC\r\nDEF"}},
		{path: cal("empty_shared_string.xlsx"), sheet: "Sheet1", header: []string{"abc"}},
		{path: cal("encoded_entities.xlsx"), sheet: "Sheet1", header: []string{"&"}},
		{path: cal("inlineStr_cdata.xlsx"), sheet: "Sheet1", header: []string{"Hello CDATA", "World"},
			rows: [][]string{{"12345", "NormalText"}}, lines: []int{2}},
		{path: cal("nonstandard-xml-ns-prefix.xlsx"), sheet: "Sheet1", header: []string{"a", "b"},
			rows: [][]string{{"1", "3"}, {"2", "4"}}, lines: []int{2, 3}},
		{path: cal("hyperlinks.xlsx"), sheet: "Links", header: []string{"calamine repo", "mail link"},
			rows: [][]string{{"Rust Programming Language", ""}, {"go to other sheet", ""}, {"book2", ""},
				{"sales book2", ""}, {"temp book1", ""}, {"book2 sheet1 a1", ""}, {"sales data range", ""}},
			lines: []int{2, 3, 4, 5, 6, 7, 8}},
		{path: exc("OverflowNumericCell.xlsx"), sheet: "Sheet1", header: []string{"8595602512225"}},
		{path: exc("SharedStrings.xlsx"), opt: Options{Sheet: "sheet2"}, sheet: "Sheet2", header: []string{"Test Weight (Kgs)"}},
	}
	for _, tc := range tests {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			r, err := Open(tc.path, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if f := r.Format(); f.Kind != "xlsx" || f.Sheet != tc.sheet {
				t.Errorf("Format() = %+v; want xlsx, sheet %q", f, tc.sheet)
			}
			if got := r.Header(); !reflect.DeepEqual(got, tc.header) {
				t.Errorf("Header() = %q; want %q", got, tc.header)
			}
			rows := readAll(t, r)
			if got := cellsOf(rows); (len(got) > 0 || len(tc.rows) > 0) && !reflect.DeepEqual(got, tc.rows) {
				t.Errorf("rows = %q; want %q", got, tc.rows)
			}
			for i, row := range rows {
				if i < len(tc.lines) && row.Line != tc.lines[i] {
					t.Errorf("row %d: Line = %d; want %d", i, row.Line, tc.lines[i])
				}
			}
		})
	}
}

// Corpus workbooks whose first row is not a usable header: their values are
// checked through the same pipeline, and Open refuses the header clearly.
func TestXLSXCorpusValues(t *testing.T) {
	cal := func(name string) string { return filepath.Join(corpus, "calamine", name) }
	tests := []struct {
		path, sheet string
		row         int
		want        []string
		openErr     string
	}{
		{cal("richtext-after-plain.xlsx"), "Sheet1", 2, []string{"tvalrval1rval2", "rval1rval2", "rval1rval2", "rval1rval2"},
			`has two columns named "abcd" (A and B); rename one`},
		{cal("richtext-namespaced.xlsx"), "Sheet1", 1, []string{"inline string\nLine 2\nLine 3", "", "", "", "", "", "", "shared string\nLine 2\nLine 3"},
			"columns B, C, D, E, F, G have no name"},
		{cal("inlineStr_with_value.xlsx"), "Requirements", 2, []string{"1", "+", "", "1.", "RQ11610", "requirement", "Textual Requirement", "test"},
			"column C has no name"},
		{cal("merged_range.xlsx"), "Sheet1", 3, []string{"A3", "B3", "C3", "", "E3", "F3", "G3", "H3"}, "column D has no name"},
		{cal("whitespace_trim.xlsx"), "SharedStrings", 1, []string{"  trimmed value", "  preserved value  ", " \t\n", "clean text"}, ""},
		{cal("strict_iso_paths.xlsx"), "ml_out", 2, []string{"150-031260-001_B", "1.5", "7", "4", "5", "2", "78.46", "2153.93", "1516.12",
			"1051527.39333333", "2190", "496.64", "2158", "244", "269.56", "12.61832872", "1577291.09", "104"}, ""},
		{filepath.Join(corpus, "excelize", "Book1.xlsx"), "Sheet2", 2, []string{"> 23 Inch", "19", "HP", "200"}, ""},
	}
	for _, tc := range tests {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			rows := rawRows(t, tc.path, tc.sheet)
			if got := rows[tc.row]; !reflect.DeepEqual(got, tc.want) {
				t.Errorf("row %d = %q; want %q", tc.row, got, tc.want)
			}
			if tc.openErr == "" {
				return
			}
			_, err := Open(tc.path, Options{Sheet: tc.sheet})
			if err == nil || !strings.Contains(err.Error(), tc.openErr) {
				t.Errorf("Open error %v; want one containing %q", err, tc.openErr)
			}
		})
	}
}

func TestXLSXRefused(t *testing.T) {
	cal := func(name string) string { return filepath.Join(corpus, "calamine", name) }
	tests := []struct {
		path string
		opt  Options
		want []string
	}{
		{cal("pass_protected.xlsx"), Options{}, []string{"is password-protected", "remove the password"}},
		{filepath.Join(corpus, "excelize", "encryptAES.xlsx"), Options{}, []string{"is password-protected"}},
		{filepath.Join(corpus, "excelize", "BadWorkbook.xlsx"), Options{}, []string{"is damaged", "save it again as .xlsx"}},
		{cal("empty_sheet.xlsx"), Options{}, []string{`sheet "Sheet1" is empty`}},
		{filepath.Join(corpus, "excelize", "Book1.xlsx"), Options{}, []string{`header row 1 of sheet "Sheet1" is empty`, "--header-row"}},
		{cal("any_sheets.xlsx"), Options{Sheet: "Nope"}, []string{`has no sheet named "Nope"`,
			`"Visible", "Hidden" (hidden), "VeryHidden" (hidden), "Chart"`, "--sheet"}},
	}
	for _, tc := range tests {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			r, err := Open(tc.path, tc.opt)
			if err == nil {
				r.Close()
				t.Fatal("Open succeeded; want an error")
			}
			var fe *FileError
			if !errors.As(err, &fe) || fe.Path != tc.path {
				t.Fatalf("error %v; want a *FileError for %s", err, tc.path)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error()+fixFlag(fe.Fix), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	// A hidden sheet may be asked for by name, in any case (this one is empty).
	_, err := Open(cal("any_sheets.xlsx"), Options{Sheet: "hidden"})
	if err == nil || !strings.Contains(err.Error(), `sheet "Hidden" is empty`) {
		t.Errorf("Open(sheet hidden) = %v; want the Hidden sheet, which is empty", err)
	}
	// A chart sheet holds no rows: never picked, and a clear error when asked for.
	if got := chartSheets(cal("any_sheets.xlsx")); !reflect.DeepEqual(got, map[string]bool{"Chart": true}) {
		t.Errorf("chartSheets = %v; want only Chart", got)
	}
	_, err = Open(cal("any_sheets.xlsx"), Options{Sheet: "Chart"})
	if err == nil || !strings.Contains(err.Error(), `sheet "Chart" is a chart, not a table of rows`) {
		t.Errorf("Open(sheet Chart) = %v; want a chart-sheet error", err)
	}
}

// TestXLSXGenerated reads workbooks written with excelize: date styles
// (built-in 14, custom d/m/yyyy and yyyy-mm-dd hh:mm), formulas with cached
// values, numbers, text with leading zeros, trailing empty cells and rows.
func TestXLSXGenerated(t *testing.T) {
	for _, date1904 := range []bool{false, true} {
		name := "1900"
		if date1904 {
			name = "1904"
		}
		t.Run(name, func(t *testing.T) {
			f := excelize.NewFile()
			if date1904 {
				if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: ptr(true)}); err != nil {
					t.Fatal(err)
				}
			}
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			s14, err := f.NewStyle(&excelize.Style{NumFmt: 14})
			must(err)
			sDMY, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("d/m/yyyy")})
			must(err)
			sDT, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("yyyy-mm-dd hh:mm")})
			must(err)
			sTime, err := f.NewStyle(&excelize.Style{NumFmt: 20}) // h:mm
			must(err)
			sMoney, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr(`#,##0.00 "kr"`)})
			must(err)
			sBoldGeneral, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
			must(err)
			must(f.SetSheetRow("Sheet1", "A1", &[]any{"Datum", "Kort", "Tid", "Klocka", "Pris", "Telefon", "Text", "Summa", "Tom"}))
			day := time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
			must(f.SetSheetRow("Sheet1", "A2", &[]any{day, day, day.Add(13*time.Hour + 45*time.Minute), 0.5, 115, 46701234567, "0701234567", nil}))
			must(f.SetCellStyle("Sheet1", "A2", "A2", s14))
			must(f.SetCellStyle("Sheet1", "B2", "B2", sDMY))
			must(f.SetCellStyle("Sheet1", "C2", "C2", sDT))
			must(f.SetCellStyle("Sheet1", "D2", "D2", sTime))
			must(f.SetCellStyle("Sheet1", "E2", "E2", sMoney))
			must(f.SetCellStyle("Sheet1", "F2", "F2", sBoldGeneral))
			must(f.SetCellFormula("Sheet1", "H2", "E2*2"))
			must(f.SetCellValue("Sheet1", "H2", 230)) // the cached value Excel would save
			must(f.SetCellFormula("Sheet1", "H2", "E2*2"))
			must(f.SetCellValue("Sheet1", "A3", "bara text"))
			must(f.SetCellStyle("Sheet1", "A5", "I6", s14)) // styled but empty trailing rows
			p := filepath.Join(t.TempDir(), "gen.xlsx")
			must(f.SaveAs(p))

			r, err := Open(p, Options{})
			must(err)
			rows := readAll(t, r)
			want := [][]string{
				{"2026-12-31", "2026-12-31", "2026-12-31 13:45:00", "12:00", "115", "46701234567", "0701234567", "230", ""},
				{"bara text", "", "", "", "", "", "", "", ""},
			}
			if got := cellsOf(rows); !reflect.DeepEqual(got, want) {
				t.Errorf("rows = %q;\nwant %q", got, want)
			}
			if len(rows) == 2 && (rows[0].Line != 2 || rows[1].Line != 3) {
				t.Errorf("lines %d, %d; want 2, 3", rows[0].Line, rows[1].Line)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

const (
	ctTypes  = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`
	rootRels = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
	wbXML    = `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>`
	wbRels   = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`
	sstXML   = `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4"><si><t>Namn</t></si><si><t>Tel</t></si><si><r><rPr><b/></rPr><t>Fet</t></r><r><t xml:space="preserve"> och vanlig</t></r></si><si><t>rad1_x000D_
rad2</t></si></sst>`
	// Rows as Google Sheets and others write them: inline strings, a rich
	// text shared string, a raw E-notation number, a formula without a
	// cached value, no r attributes on some cells, a gap in the rows.
	sheetXML = `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
		`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="inlineStr"><is><t>Summa</t></is></c></row>` +
		`<row r="2"><c r="A2" t="inlineStr"><is><r><t>Åsa </t></r><r><rPr><i/></rPr><t>Öberg</t></r></is></c><c r="B2"><v>4.6701234567E10</v></c><c r="C2"><f>B2*2</f></c></row>` +
		`<row r="4"><c t="s"><v>2</v></c><c t="inlineStr"><is><t>0701234567</t></is></c><c><v>115.0</v></c></row>` +
		`<row r="5"><c r="A5" t="s"><v>3</v></c><c r="E5" t="inlineStr"><is><t></t></is></c></row>` +
		`</sheetData></worksheet>`
)

func TestXLSXHandAssembled(t *testing.T) {
	p := writeZip(t, filepath.Join(t.TempDir(), "hand.xlsx"), map[string]string{
		"[Content_Types].xml":        ctTypes,
		"_rels/.rels":                rootRels,
		"xl/workbook.xml":            wbXML,
		"xl/_rels/workbook.xml.rels": wbRels,
		"xl/sharedStrings.xml":       sstXML,
		"xl/worksheets/sheet1.xml":   sheetXML,
	})
	r, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.Header(), []string{"Namn", "Tel", "Summa"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Header() = %q; want %q", got, want)
	}
	rows := readAll(t, r)
	want := [][]string{
		{"Åsa Öberg", "46701234567", ""}, // the formula without a saved value reads as empty
		{"Fet och vanlig", "0701234567", "115"},
		{"rad1\r\nrad2", "", ""},
	}
	if got := cellsOf(rows); !reflect.DeepEqual(got, want) {
		t.Errorf("rows = %q; want %q", got, want)
	}
	var lines []int
	for _, row := range rows {
		lines = append(lines, row.Line)
	}
	if !reflect.DeepEqual(lines, []int{2, 4, 5}) {
		t.Errorf("lines %v; want [2 4 5]", lines)
	}
	// The formula without a saved value is not silently empty: its row
	// says so, naming the column.
	if p := rows[0].Problem; !strings.Contains(p, `C ("Summa") holds a formula with no saved value`) {
		t.Errorf("row 2 problem = %q; want the formula in column C named", p)
	}
	if rows[1].Problem != "" || rows[2].Problem != "" {
		t.Errorf("rows without formulas have problems: %q, %q", rows[1].Problem, rows[2].Problem)
	}
}

func TestFormulaGaps(t *testing.T) {
	// Cached values (as Excel saves them), an empty cached value, a shared
	// formula, a namespaced prefix and a sheet with no formula at all.
	sheet := `<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>` +
		`<x:row r="1"><x:c r="A1"><x:f>1+1</x:f><x:v>2</x:v></x:c><x:c r="B1"><x:f>B2</x:f><x:v></x:v></x:c></x:row>` +
		`<x:row r="2"><x:c r="AB2"><x:f t="shared" si="0"/></x:c><x:c r="C2" t="str"><x:f>"a"</x:f><x:v>a</x:v></x:c></x:row>` +
		`</x:sheetData></x:worksheet>`
	p := writeZip(t, filepath.Join(t.TempDir(), "f.xlsx"), map[string]string{
		"[Content_Types].xml":        ctTypes,
		"_rels/.rels":                rootRels,
		"xl/workbook.xml":            wbXML,
		"xl/_rels/workbook.xml.rels": wbRels,
		"xl/worksheets/sheet1.xml":   sheet,
	})
	facts, err := scanWorkbook(p, "Blad1")
	if err != nil {
		t.Fatal(err)
	}
	if want := map[int][]int{1: {1}, 2: {27}}; !reflect.DeepEqual(facts.gaps, want) {
		t.Errorf("gaps = %v; want %v", facts.gaps, want)
	}
	if facts.lastRow != 2 {
		t.Errorf("lastRow = %d; want 2", facts.lastRow)
	}
	if facts, err := scanWorkbook(p, "Other"); err != nil || len(facts.gaps) != 0 {
		t.Errorf("unknown sheet: %v, %v", facts, err)
	}
	// Excel's own files carry cached values: no gaps in the corpus book.
	if facts, err := scanWorkbook(filepath.Join(corpus, "excelize", "Book1.xlsx"), "Sheet1"); err != nil || len(facts.gaps) != 0 {
		t.Errorf("Book1.xlsx facts = %v, %v; want no gaps", facts, err)
	}
}

func TestClassifyFormat(t *testing.T) {
	tests := []struct {
		code string
		want int
	}{
		{"yyyy-mm-dd", fmtDate},
		{`yyyy\-mm\-dd`, fmtDate},
		{"d/m/yyyy", fmtDate},
		{"[$-41D]d mmmm yyyy;@", fmtDate},
		{"mmm-yy", fmtDate},
		{"yyyy-mm-dd hh:mm", fmtDateTime},
		{"m/d/yy h:mm AM/PM", fmtDateTime},
		{"h:mm", fmtTime},
		{"[hh]:mm:ss", fmtTime},
		{"mm:ss", fmtTime},
		{"General", fmtNumber},
		{`#,##0.00 "kr"`, fmtNumber},
		{`0.00E+00`, fmtNumber},
		{`[Red]-#,##0;#,##0`, fmtNumber},
		{`#,##0 "days"`, fmtNumber},
		{`0\d`, fmtNumber},
		{"@", fmtText},
	}
	for _, tc := range tests {
		if got := classifyFormat(tc.code); got != tc.want {
			t.Errorf("classifyFormat(%q) = %d; want %d", tc.code, got, tc.want)
		}
	}
}

func TestXLSXReaderEOF(t *testing.T) {
	r, err := Open(filepath.Join(corpus, "calamine", "nonstandard-xml-ns-prefix.xlsx"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, r)
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("Next after Close = %v; want io.EOF", err)
	}
}
