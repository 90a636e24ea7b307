package sheet

import (
	"archive/zip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// sheetRows is a sheet's rows that hold cells, by row number, and the
// number of its last row element.
type sheetRows struct {
	rows map[int][]string
	last int
}

func collectRows(t *testing.T, src rowSource) sheetRows {
	t.Helper()
	out := sheetRows{rows: map[int][]string{}}
	for {
		num, cells, err := src.next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("next after row %d: %v", out.last, err)
		}
		if num <= out.last {
			t.Fatalf("row %d after row %d", num, out.last)
		}
		out.last = num
		if len(cells) > 0 {
			out.rows[num] = cells
		}
	}
}

// bothReaders reads sheet of path with excelize's Rows and with fastRows,
// each on a workbook opened and given ISO dates as openXLSX does.
func bothReaders(t *testing.T, path, sheet string) (want, got sheetRows) {
	t.Helper()
	open := func() (*excelize.File, int) {
		f, err := excelize.OpenFile(path, excelize.Options{UnzipXMLSizeLimit: xmlInMemoryLimit})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		rawID, err := isoDates(f)
		if err != nil {
			t.Fatal(err)
		}
		return f, rawID
	}
	f, _ := open()
	legacy, err := openExcelizeRows(f, sheet)
	if err != nil {
		t.Fatal(err)
	}
	defer legacy.Close()
	want = collectRows(t, legacy)

	f, rawID := open()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	fast, err := openFastRows(zr, f, sheet, rawID, f.GetSheetList())
	if err != nil {
		zr.Close()
		t.Fatal(err)
	}
	defer fast.Close()
	return want, collectRows(t, fast)
}

func compareReaders(t *testing.T, path, sheet string) {
	t.Helper()
	want, got := bothReaders(t, path, sheet)
	if got.last != want.last {
		t.Errorf("%s, sheet %q: last row %d; excelize's %d", filepath.Base(path), sheet, got.last, want.last)
	}
	for n, w := range want.rows {
		if g := got.rows[n]; !reflect.DeepEqual(g, w) {
			t.Errorf("%s, sheet %q, row %d:\n got %q\nwant %q (excelize)", filepath.Base(path), sheet, n, g, w)
		}
	}
	for n, g := range got.rows {
		if _, ok := want.rows[n]; !ok {
			t.Errorf("%s, sheet %q, row %d: got %q; excelize has no such row", filepath.Base(path), sheet, n, g)
		}
	}
}

// Every workbook in the repository's testdata that opens, every sheet of
// it: fastRows gives the cells excelize gives, row by row.
func TestFastRowsMatchExcelizeOnTestdata(t *testing.T) {
	var books []string
	err := filepath.WalkDir(filepath.Join("..", "testdata"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".xlsx") {
			books = append(books, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sheets := 0
	for _, p := range books {
		f, err := excelize.OpenFile(p)
		if err != nil {
			continue // encrypted, or no workbook at all
		}
		names := f.GetSheetList()
		f.Close()
		charts := chartSheets(p)
		for _, name := range names {
			if charts[name] {
				continue
			}
			if _, err := scanWorkbook(p, name); err != nil {
				continue // damaged: refused before any row is read
			}
			compareReaders(t, p, name)
			sheets++
		}
	}
	if sheets < 25 {
		t.Errorf("compared %d sheets of %d workbooks; the testdata holds more", sheets, len(books))
	}
}

// trickyStyles gives cell styles 1 to 14 number formats of every kind: a
// custom date, date and time, time, time with a text section, built-in
// date, date-time, times and durations, decimals, text, percent.
const trickyStyles = `<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
	`<numFmts count="4"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/><numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/>` +
	`<numFmt numFmtId="166" formatCode="h:mm:ss"/><numFmt numFmtId="167" formatCode="h:mm;;;&quot;txt &quot;@"/></numFmts>` +
	`<fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders>` +
	`<cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs><cellXfs count="15"><xf numFmtId="0"/>` +
	`<xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="166"/><xf numFmtId="167"/><xf numFmtId="14"/><xf numFmtId="22"/>` +
	`<xf numFmtId="20"/><xf numFmtId="46"/><xf numFmtId="2"/><xf numFmtId="49"/><xf numFmtId="10"/><xf numFmtId="47"/><xf numFmtId="21"/><xf/>` +
	`</cellXfs></styleSheet>`

const trickySST = `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
	`<si><t>Namn</t></si><si><r><t>Fet</t></r><t>plain</t></si><si><t>a_x0041__x005F_x0042_b_xD800_c</t></si>` +
	`<si><t xml:space="preserve"> rad1&#13;&#10;rad2&#x9;&amp;&lt;&gt;&quot;&apos; </t></si><si><t><![CDATA[cdata <b>&amp;]]></t></si>` +
	`<si><t>2021-01-01</t><rPh><t>phonetic</t></rPh></si><si/><si><t>0042</t></si><si><t>45000.5</t></si></sst>`

// trickyCells is one row's cells, each of every type, all of style s.
func trickyCells(row, s int) string {
	cells := []string{
		`<v>45000.5</v>`, `<v>-3.25</v>`, `<v>12345678901234567890</v>`, `<v>0.1</v>`, `<v>1.5E-7</v>`, `<v>45000</v>`,
		`<v>100000000000000000000000</v>`, `<v>0.30000000000000004</v>`, `<v> 7 </v>`, `<v>x_1</v>`, `<v></v>`,
	}
	typed := []string{
		`t="s"><v>0</v>`, `t="s"><v>1</v>`, `t="s"><v>2</v>`, `t="s"><v>3</v>`, `t="s"><v>4</v>`, `t="s"><v>5</v>`,
		`t="s"><v>6</v>`, `t="s"><v>7</v>`, `t="s"><v>8</v>`, `t="s"><v>99</v>`, `t="s"><v>x</v>`,
		`t="b"><v>1</v>`, `t="b"><v>0</v>`, `t="b"><v>2</v>`, `t="e"><v>#N/A</v>`, `t="str"><v>45000</v>`,
		`t="str"><f>A1</f><v>Från formel</v>`, `t="inlineStr"><is><r><rPr><b/></rPr><t>Åsa </t></r><r><t>Öberg</t></r></is>`,
		`t="inlineStr"><is><t>1234</t></is>`, `t="inlineStr"><v>only v</v>`, `t="d"><v>2021-01-01T10:10:10Z</v>`,
		`t="d"><v>20210101T101010</v>`, `t="d"><v>2021-01-01T10:10:10</v>`, `t="d"><v>2021-01-01 10:10:10Z</v>`,
		`t="d"><v>1899-06-01T00:00:00Z</v>`, `t="d"><v>12</v>`, `t="d"><v>1.50</v>`, `t="d"><v>x</v>`, `t="n"><v>2</v>`, `><f>1+1</f>`, `><f>1+1</f><v>2</v>`,
	}
	var b strings.Builder
	col := 0
	for _, c := range cells {
		col++
		fmt.Fprintf(&b, `<c r="%s%d" s="%d">%s</c>`, colName(col-1), row, s, c)
	}
	for _, c := range typed {
		col++
		fmt.Fprintf(&b, `<c r="%s%d" s="%d" %s</c>`, colName(col-1), row, s, c)
	}
	return b.String()
}

// prefixed puts prefix before the name of every element of x.
func prefixed(x, prefix string) string {
	x = strings.ReplaceAll(x, "</", "\x00")
	x = strings.ReplaceAll(x, "<!", "\x01")
	x = strings.ReplaceAll(x, "<", "<"+prefix)
	x = strings.ReplaceAll(x, "\x01", "<!")
	return strings.ReplaceAll(x, "\x00", "</"+prefix)
}

func trickySheet(prefix string) string {
	p := prefix
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><%sworksheet xmlns%s="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><%ssheetData>`,
		p, strings.TrimSuffix(":"+p, ":"), p)
	for s := 0; s <= 15; s++ {
		fmt.Fprintf(&b, `<%srow r="%d">%s</%srow>`, p, 2*s+1, prefixed(trickyCells(2*s+1, s), p), p)
	}
	// rows without a number, a row numbered below the last, cells without
	// a reference or out of order, an empty row element, comments.
	b.WriteString(prefixed(`<row><!-- c --><c t="s"><v>0</v></c><c><v>5</v></c></row>`+
		`<row r="3"><c r="C3"><v>1</v></c><c r="A3"><v>2</v></c><c><v>3</v></c></row>`+
		`<row r="60" spans="1:3"/><row r="70"><c r="B70" s="1"/><c r="D70" t="s"><v>0</v></c></row>`+
		"<row r=\"71\">\r\n<c r=\"A71\" t=\"inlineStr\"><is><t>rad1\r\nrad2\rrad3</t></is></c></row>", p))
	fmt.Fprintf(&b, `</%ssheetData></%sworksheet>`, p, p)
	return b.String()
}

func trickyBook(t *testing.T, name, sheetXML, workbook string) string {
	t.Helper()
	return writeZip(t, filepath.Join(t.TempDir(), name), map[string]string{
		"[Content_Types].xml":        ctTypes,
		"_rels/.rels":                rootRels,
		"xl/workbook.xml":            workbook,
		"xl/_rels/workbook.xml.rels": strings.Replace(wbRels, `</Relationships>`, `<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`, 1),
		"xl/sharedStrings.xml":       trickySST,
		"xl/styles.xml":              trickyStyles,
		"xl/worksheets/sheet1.xml":   sheetXML,
	})
}

// Cells of every type in every kind of number format, in a sheet written
// plainly, with a namespace prefix, and in a 1904 workbook: fastRows
// gives what excelize gives.
func TestFastRowsMatchExcelizeOnEveryCellKind(t *testing.T) {
	wb1904 := strings.Replace(wbXML, `<sheets>`, `<workbookPr date1904="1"/><sheets>`, 1)
	books := map[string]string{
		"plain.xlsx":    trickyBook(t, "plain.xlsx", trickySheet(""), wbXML),
		"prefixed.xlsx": trickyBook(t, "prefixed.xlsx", trickySheet("x:"), wbXML),
		"1904.xlsx":     trickyBook(t, "1904.xlsx", trickySheet(""), wb1904),
	}
	for name, p := range books {
		t.Run(name, func(t *testing.T) {
			if _, err := scanWorkbook(p, "Blad1"); err != nil {
				t.Fatal(err)
			}
			want, _ := bothReaders(t, p, "Blad1")
			if len(want.rows) < 18 || want.last != 71 {
				t.Fatalf("excelize read %d rows up to %d; the sheet has 20 up to row 71", len(want.rows), want.last)
			}
			compareReaders(t, p, "Blad1")
		})
	}
}

// A table of text values larger than its memory limit is kept in a file,
// and reads back the same.
func TestSharedStringsBeyondMemoryLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	var want []string
	for i := range 3000 {
		s := fmt.Sprintf("värde %d %s", i, strings.Repeat("x", i%50))
		want = append(want, s)
		fmt.Fprintf(&b, `<si><t>%s</t></si>`, s)
	}
	b.WriteString(`</sst>`)
	p := writeZip(t, filepath.Join(t.TempDir(), "sst.zip"), map[string]string{"xl/sharedStrings.xml": b.String()})
	zr, err := zip.OpenReader(p)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	defer func(limit int) { sstMemoryLimit = limit }(sstMemoryLimit)
	sstMemoryLimit = 10_000
	sst, err := loadSharedStrings(zr.File[0])
	if err != nil {
		t.Fatal(err)
	}
	if sst.file == nil {
		t.Fatal("the strings stayed in memory beyond the limit")
	}
	name := sst.file.Name()
	st, err := sst.file.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if perm := st.Mode().Perm(); perm != 0o600 && runtime.GOOS != "windows" {
		t.Errorf("the strings' file has mode %v; want it private (0600)", perm)
	}
	// Where an open file can be removed, it is gone at once: a process
	// killed while reading leaves no copy of the customer's text behind.
	if _, err := os.Stat(name); runtime.GOOS != "windows" && !os.IsNotExist(err) {
		t.Errorf("the strings' file %s is on disk while read (%v)", name, err)
	}
	for i, w := range want {
		if got, ok := sst.get(i); !ok || got != w {
			t.Fatalf("string %d = %q, %v; want %q", i, got, ok, w)
		}
	}
	if _, ok := sst.get(len(want)); ok {
		t.Errorf("string %d is there; the table has %d", len(want), len(want))
	}
	if err := sst.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(name); !os.IsNotExist(err) {
		t.Errorf("the strings' file %s is left behind (%v)", name, err)
	}
	if err := sst.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
}

// A workbook part where the sheet list is not looked for (only its
// package's relationships say where) is still read, by excelize.
func TestXLSXWorkbookElsewhereIsRead(t *testing.T) {
	p := writeZip(t, filepath.Join(t.TempDir(), "elsewhere.xlsx"), map[string]string{
		"[Content_Types].xml":         strings.ReplaceAll(ctTypes, "/xl/", "/bok/"),
		"_rels/.rels":                 strings.Replace(rootRels, "xl/workbook.xml", "bok/workbook.xml", 1),
		"bok/workbook.xml":            wbXML,
		"bok/_rels/workbook.xml.rels": wbRels,
		"bok/worksheets/sheet1.xml": strings.Replace(tenRows(), `<c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>`,
			`<c r="A1" t="inlineStr"><is><t>Namn</t></is></c><c r="B1" t="inlineStr"><is><t>Nr</t></is></c>`, 1),
	})
	r, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, fast := r.(*xlsxReader).rows.(*fastRows); fast {
		t.Fatal("read by fastRows; this workbook is for the excelize reader")
	}
	if got := r.Header(); !reflect.DeepEqual(got, []string{"Namn", "Nr"}) {
		t.Errorf("Header() = %q", got)
	}
	rows := readAll(t, r)
	if len(rows) != 9 || rows[4].Cells[0] != "Åsa 6" || rows[4].Line != 6 || rows[8].Line != 10 {
		t.Errorf("rows = %+v; want 9, Åsa 6 on row 6", rows)
	}
}

// oddSheet is a sheet of rows, as body gives them.
func oddSheet(body string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:x="urn:x"><sheetData>` +
		body + `</sheetData></worksheet>`
}

// XML the checks pass that only odd or hostile writers make: fastRows
// reads it as excelize does (the last of two attributes of the same local
// name in different name spaces, a name with an empty prefix as no name it
// knows, $ in a cell reference), and refuses what excelize misreads or
// refuses.
func TestFastRowsOnOddXML(t *testing.T) {
	same := map[string]string{
		"r and x:r on a cell":     `<row r="1"><c r="A1" x:r="C1"><v>1</v></c></row>`,
		"an attribute named :r":   `<row r="1"><c :r="B1"><v>1</v></c></row>`,
		"an element named :c":     `<row r="1"><:c r="B1"><v>1</v></:c><c r="C1"><v>2</v></c></row>`,
		"$ in a cell reference":   `<row r="1"><c r="$B$1"><v>1</v></c><c r="C$1"><v>2</v></c></row>`,
		"x:c and x:v":             `<row r="1"><x:c r="B1"><x:v>1</x:v></x:c></row>`,
		"rows without r and back": `<row r="5"><c><v>1</v></c></row><row r="2"><c><v>2</v></c></row><row><c><v>3</v></c></row>`,
	}
	for name, body := range same {
		p := bookWith(t, oddSheet(body), trickySST)
		if _, err := scanWorkbook(p, "Blad1"); err != nil {
			t.Fatalf("%s: refused by the check: %v", name, err)
		}
		want, got, wantErr, gotErr := readersOn(t, p)
		if wantErr != nil || gotErr != nil || got.last != want.last || !reflect.DeepEqual(got.rows, want.rows) {
			t.Errorf("%s: fastRows %v up to %d (%v); excelize %v up to %d (%v)", name, got.rows, got.last, gotErr, want.rows, want.last, wantErr)
		}
	}
	refused := map[string]string{
		"a row number with a space":    `<row r=" 2"><c><v>1</v></c></row>`,
		"an empty row number":          `<row r=""><c><v>1</v></c></row>`,
		"a row number below 0":         `<row r="3"><c><v>1</v></c></row><row r="-1"><c><v>2</v></c></row><row><c><v>3</v></c></row>`,
		"a row inside a row":           `<row r="1"><row r="2"><c><v>2</v></c></row><c><v>1</v></c></row>`,
		"a cell inside a cell":         `<row r="1"><x:c r="B1"><c t="s"><v> 2 </v></c><x:v>-3.25</x:v></x:c></row>`,
		"a cell between rows":          `<row r="1"><c><v>1</v></c></row><c t="s"><v>0</v></c><row r="2"><c><v>2</v></c></row>`,
		"a cell after XFD":             `<row r="1"><c r="XFD1"><v>1</v></c><c><v>2</v></c></row>`,
		"a cell reference with no row": `<row r="1"><c r="$B"><v>1</v></c></row>`,
	}
	for name, body := range refused {
		p := bookWith(t, oddSheet(body), trickySST)
		if _, err := scanWorkbook(p, "Blad1"); err != nil {
			t.Fatalf("%s: refused by the check: %v", name, err)
		}
		if _, got, _, err := readersOn(t, p); err == nil {
			t.Errorf("%s: fastRows read %v up to row %d; want it refused", name, got.rows, got.last)
		}
	}
}
