package sheet

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
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
