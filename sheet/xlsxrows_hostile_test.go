package sheet

import (
	"archive/zip"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// allocatedBy is the bytes of memory fn allocates.
func allocatedBy(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// A cell at the last column (XFD) on every row of a one-column sheet: the
// reader does not make each row 16,384 cells wide (which took minutes on
// a sheet of 200,000 such rows, a file of 1 MB), and the rows read right.
func TestXLSXCellAtLastColumnCostsNoWideRows(t *testing.T) {
	const rows = 300
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	b.WriteString(`<row r="1"><c r="A1" t="s"><v>0</v></c></row>`)
	for i := 2; i <= rows; i++ {
		fmt.Fprintf(&b, `<row r="%d"><c r="A%d"><v>%d</v></c><c r="XFD%d" t="s"><v>1</v></c></row>`, i, i, i, i)
	}
	b.WriteString(`</sheetData></worksheet>`)
	r, err := Open(book(t, b.String(), twoStrings), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var got []Row
	alloc := allocatedBy(func() { got = readAll(t, r) })
	if len(got) != rows-1 {
		t.Fatalf("read %d rows; want %d", len(got), rows-1)
	}
	for _, row := range got {
		if want := fmt.Sprint(row.Line); len(row.Cells) != 1 || row.Cells[0] != want {
			t.Fatalf("row %d = %q; want [%s]", row.Line, row.Cells, want)
		}
	}
	// 16,384 cells a row would be over 256 KB a row, 75 MB in all.
	if alloc > 16<<20 {
		t.Errorf("reading %d rows allocated %d MB: the rows were made as wide as their last cell", rows, alloc>>20)
	}
}

// Elements nested thousands deep (a few bytes each, a file of kilobytes
// could nest millions and hold all of them open: 64 KB took 830 MB) are
// refused in the sheet and in the table of text values, in words, before
// any row is read; twenty deep is read.
func TestXLSXDeeplyNestedPartsAreRefused(t *testing.T) {
	nest := func(n int) string { return strings.Repeat("<a>", n) + strings.Repeat("</a>", n) }
	sheetAt := func(n int) string {
		return strings.Replace(tenRows(), "<sheetData>", nest(n)+"<sheetData>", 1)
	}
	stringsAt := func(n int) string {
		return strings.Replace(twoStrings, "</sst>", "<si><t>x</t>"+nest(n)+"</si></sst>", 1)
	}
	if r, err := Open(book(t, sheetAt(20), stringsAt(20)), Options{}); err != nil {
		t.Fatalf("nested 20 deep: %v", err)
	} else {
		r.Close()
	}
	for name, p := range map[string]string{
		"sheet":           book(t, sheetAt(maxXMLDepth), twoStrings),
		"text values":     book(t, tenRows(), stringsAt(maxXMLDepth)),
		"sheet, in a row": book(t, strings.Replace(tenRows(), "<c r=\"A3\"", nest(maxXMLDepth)+"<c r=\"A3\"", 1), twoStrings),
	} {
		_, err := Open(p, Options{})
		var fe *FileError
		if !errors.As(err, &fe) || !strings.Contains(fe.Problem, "nested") {
			t.Errorf("%s nested %d deep: Open = %v; want it refused as nested too deep", name, maxXMLDepth, err)
		}
	}
}

// XML has one top element, which encoding/xml does not check. A table of
// text values with a string item before its sst element would number
// every text value one off in fastRows (excelize refused it): a part with
// two top elements is refused in words.
func TestXLSXSecondTopElementIsRefused(t *testing.T) {
	stray := strings.Replace(twoStrings, "<sst ", "<si><t>stray</t></si><sst ", 1)
	twoSheets := tenRows() + `<worksheet><sheetData><row r="11"><c r="A11"><v>1</v></c></row></sheetData></worksheet>`
	for name, p := range map[string]string{
		"text values": book(t, tenRows(), stray),
		"sheet":       book(t, twoSheets, twoStrings),
	} {
		_, err := Open(p, Options{})
		var fe *FileError
		if !errors.As(err, &fe) || !strings.Contains(fe.Problem, "second top element") || fe.Hint != reSave {
			t.Errorf("%s with a second top element: Open = %v; want it refused", name, err)
		}
	}
}

// A text value that cannot be read back from the temporary file of a
// large table (a disk error) makes the row fail; it is never read as its
// index, as excelize reads it, which would be sent as the customer's value.
func TestXLSXTextValueNotReadBackFails(t *testing.T) {
	defer func(limit int) { sstMemoryLimit = limit }(sstMemoryLimit)
	sstMemoryLimit = 1
	p := book(t, tenRows(), twoStrings)
	f, err := excelize.OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rawID, err := isoDates(f)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(p)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := openFastRows(zr, f, "Blad1", rawID, f.GetSheetList())
	if err != nil {
		zr.Close()
		t.Fatal(err)
	}
	defer rows.Close()
	if rows.vals.sst.file == nil {
		t.Fatal("the table is in memory; the test needs it in its file")
	}
	rows.vals.sst.file.Close() // every read from it now fails
	num, cells, err := rows.next()
	if err == nil {
		t.Fatalf("row %d read as %q; want an error", num, cells)
	}
}

// An attribute given twice in one tag is not XML, and encoding/xml does
// not check it: excelize dropped the value of <c s="E15" s="7"> (it stops
// at the first s), fastRows formatted it with the second; a row's number
// given twice made the readers put it at different rows. It is refused.
func TestXLSXAttributeTwiceIsRefused(t *testing.T) {
	for name, body := range map[string]string{
		"s twice on a cell":            `<row r="1"><c r="A1" s="E15" s="7"><v>1.5E-7</v></c></row>`,
		"r twice on a row":             `<row r="2" r="5"><c><v>1</v></c></row>`,
		"r twice on a cell, in quotes": `<row r="1"><c r='A1' r="C1"><v>1</v></c></row>`,
	} {
		_, err := Open(bookWith(t, oddSheet(body), trickySST), Options{})
		var fe *FileError
		if !errors.As(err, &fe) || !strings.Contains(fe.Problem, "attribute given twice") || fe.Hint != reSave {
			t.Errorf("%s: Open = %v; want it refused", name, err)
		}
	}
	p := bookWith(t, oddSheet(`<row r="1"><c r="A1" x:r="C1"><v>1</v></c></row>`), trickySST)
	if _, err := scanWorkbook(p, "Blad1"); err != nil {
		t.Errorf("r and x:r are two attributes, in XML: %v", err)
	}
}
