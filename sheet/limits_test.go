package sheet

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// openErr opens and reads p, which must be refused, and returns the error.
func openErr(t *testing.T, p string) error {
	t.Helper()
	r, err := Open(p, Options{})
	for n := 0; err == nil; n++ {
		if _, err = r.Next(); err == io.EOF {
			t.Fatalf("read %d rows and no error; want one", n)
		}
		if err != nil {
			r.Close()
		}
	}
	var fe *FileError
	if !errors.As(err, &fe) || fe.Path != p {
		t.Fatalf("error %#v; want a *FileError for %s", err, p)
	}
	return err
}

func wantIn(t *testing.T, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%q does not contain %q", got, w)
		}
	}
}

// A workbook whose shared strings say they unpack to 1 GiB from a file of a
// few hundred bytes is refused from the zip's directory, before anything
// is unpacked. (The entry's data is a few bytes: nothing is inflated.)
func TestXLSXInflatedRefused(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bomb.xlsx")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	z := zip.NewWriter(f)
	for name, content := range map[string]string{"[Content_Types].xml": ctTypes, "_rels/.rels": rootRels,
		"xl/workbook.xml": wbXML, "xl/_rels/workbook.xml.rels": wbRels, "xl/worksheets/sheet1.xml": tenRows()} {
		w, _ := z.Create(name)
		w.Write([]byte(content))
	}
	var data bytes.Buffer
	fw, _ := flate.NewWriter(&data, flate.BestSpeed)
	fw.Write([]byte("<sst>"))
	fw.Close()
	w, err := z.CreateRaw(&zip.FileHeader{Name: "xl/sharedStrings.xml", Method: zip.Deflate,
		CompressedSize64: uint64(data.Len()), UncompressedSize64: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data.Bytes())
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	wantIn(t, openErr(t, p).Error(), "would unpack to more than 1,024 MB (xl/sharedStrings.xml alone to 1,024 MB), far more than any real workbook", "right file")
}

// One shared string of 2 MiB is more than any cell holds: refused, never
// held whole (the scan stops at 1 MiB of text).
func TestXLSXHugeSharedStringRefused(t *testing.T) {
	sst := strings.Replace(twoStrings, "<t>Nr</t>", "<t>"+strings.Repeat("a", 2<<20)+"</t>", 1)
	wantIn(t, openErr(t, book(t, tenRows(), sst)).Error(),
		"holds a text value longer than any spreadsheet cell can hold (in xl/sharedStrings.xml)")
}

// Far more shared strings than the sheets could use: refused before
// excelize indexes them all.
func TestXLSXTooManySharedStrings(t *testing.T) {
	var b strings.Builder
	b.WriteString(strings.TrimSuffix(twoStrings, "</sst>"))
	for i := 0; i < 100_000; i++ {
		b.WriteString("<si><t>x</t></si>")
	}
	b.WriteString("</sst>")
	wantIn(t, openErr(t, book(t, tenRows(), b.String())).Error(), "has more text values (over 1,", "than its sheets can hold")
}

// A row holding more than maxRowBytes is refused with its number, though
// each of its values is under the text limit.
func TestXLSXRowTooLong(t *testing.T) {
	big := strings.Repeat("b", 900<<10)
	var cells strings.Builder
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&cells, `<c t="inlineStr"><is><t>%s</t></is></c>`, big)
	}
	sheet := strings.Replace(tenRows(), `<row r="3">`, `<row r="3">`+cells.String(), 1)
	err := openErr(t, book(t, sheet, twoStrings))
	wantIn(t, err.Error(), `sheet "Blad1", row 3 holds more than 8 MB`)
	if fe := err.(*FileError); fe.Row != 3 {
		t.Errorf("Row = %d; want 3", fe.Row)
	}
}

// A value over Excel's 32,767 characters makes its row invalid, naming the
// column; one of exactly 32,767 (multi-byte) characters is fine.
func TestXLSXLongCellInvalid(t *testing.T) {
	sst := strings.Replace(twoStrings, "</sst>", "<si><t>"+strings.Repeat("ö", maxCellChars+1)+"</t></si></sst>", 1)
	sheet := strings.Replace(tenRows(), "<t>Åsa 4</t>", "<t>"+strings.Repeat("ä", maxCellChars)+"</t>", 1)
	sheet = strings.Replace(sheet, `<c r="B5"><v>5</v></c>`, `<c r="B5" t="s"><v>2</v></c>`, 1)
	r, err := Open(book(t, sheet, sst), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range readAll(t, r) {
		switch {
		case row.Line == 5:
			wantIn(t, row.Problem, `column B "Nr" holds 32,768 characters, more than the 32,767 a spreadsheet cell can hold`)
		case row.Problem != "":
			t.Errorf("row %d: problem %q; want none", row.Line, row.Problem)
		}
	}
}

func TestCSVLongCellInvalid(t *testing.T) {
	p := filepath.Join(t.TempDir(), "long.csv")
	content := "Namn;Anteckning\nÅsa;" + strings.Repeat("ä", maxCellChars) + "\nBo;" + strings.Repeat("x", 40_000) + "\n"
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rows := readAll(t, r)
	if len(rows) != 2 || rows[0].Problem != "" {
		t.Fatalf("rows %d, first problem %q; want 2 rows, the first fine", len(rows), rows[0].Problem)
	}
	wantIn(t, rows[1].Problem, `column B "Anteckning" holds 40,000 characters, more than the 32,767`)
}

// writeBigCSV writes a header, one ordinary row, then line 3: start, then
// n bytes of filler, then a line end, then a last row.
func writeBigCSV(t *testing.T, start string, n int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "big.csv")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString("Namn,Nr\nÅsa,1\n" + start)
	line := strings.Repeat("y", 1023) + "\n"
	if !strings.HasPrefix(start, `"`) {
		line = strings.Repeat("y", 1024) // one long line
	}
	for i := 0; i < n/1024; i++ {
		w.WriteString(line)
	}
	w.WriteString("\nBo,2\n")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return p
}

// A CSV row far beyond any real row (a 12 MB line, or a quote never closed
// before 12 MB of lines) is refused with its line, without reading it whole.
func TestCSVRowTooLong(t *testing.T) {
	for name, start := range map[string]string{"long line": "Bo,", "unclosed quote": `Bo,"`} {
		t.Run(name, func(t *testing.T) {
			p := writeBigCSV(t, start, 12<<20)
			err := openErr(t, p)
			wantIn(t, err.Error(), "the row from line 3 on is longer than 8 MB", "never closed")
			if fe := err.(*FileError); fe.Row != 3 {
				t.Errorf("Row = %d; want 3", fe.Row)
			}
		})
	}
	// Just under the limit, the row is read.
	r, err := Open(writeBigCSV(t, "Bo,", 7<<20), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rows := readAll(t, r); len(rows) != 3 {
		t.Errorf("%d rows; want 3", len(rows))
	}
}

// A value too long for a cell, written to an XLSX output, is cut with a
// mark; read back, the mark makes its row invalid, so the cut value is
// never sent as if it were the whole.
func TestCutValueIsNeverReadAsWhole(t *testing.T) {
	long := strings.Repeat("å", maxCellChars+10)
	path := filepath.Join(t.TempDir(), "out.xlsx")
	w, err := Create(path, []string{"Namn", "Anteckning"}, Format{Kind: "xlsx"}, Top{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(Row{Line: 2, Cells: []string{"Åsa", long}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(nil); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	row, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if got := utf8.RuneCountInString(row.Cells[1]); got > maxCellChars || !strings.HasSuffix(row.Cells[1], cutMark) {
		t.Errorf("the cell holds %d characters, ending %q; want at most %d, marked as cut", got, row.Cells[1][len(row.Cells[1])-20:], maxCellChars)
	}
	if !strings.Contains(row.Problem, "was cut to fit a spreadsheet cell") {
		t.Errorf("row problem %q; want the cut value to make the row invalid", row.Problem)
	}
}
