package sheet

import (
	"path/filepath"
	"reflect"
	"testing"
)

// TestLibreOfficeWorkbook reads a workbook LibreOffice Calc wrote
// (testdata/sheets/make-libreoffice.sh): shared strings, a date serial with
// LibreOffice's own date style, numbers LibreOffice made of digit strings,
// and text it left alone.
func TestLibreOfficeWorkbook(t *testing.T) {
	r, err := Open(filepath.Join("..", "testdata", "sheets", "libreoffice.xlsx"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got, want := r.Header(), []string{"Förnamn", "Efternamn", "E-post", "Mobil", "Antal", "Pris", "Giltig till", "Kundnummer"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("header %q; want %q", got, want)
	}
	want := [][]string{
		// LibreOffice stored 0701234567 and 00123 as numbers: the zeros
		// are gone from the file itself; the phone still parses.
		{"Anna", "Ström", "anna@example.se", "701234567", "3", "1234,50", "2026-12-31", "123"},
		{"Björn", "Öberg", "bjorn@example.se", "+46 70 765 43 21", "1", "99", "31/12/2026", "456"},
		{"Åsa", "Ek", "asa@example.se", "070-111 22 33", "12", "0,5", "2027-01-15", "7890"},
	}
	if got := cellsOf(readAll(t, r)); !reflect.DeepEqual(got, want) {
		t.Errorf("rows\n%q\nwant\n%q", got, want)
	}
	if f := r.Format(); f.Kind != "xlsx" || f.Sheet != "kunder" {
		t.Errorf("format %+v", f)
	}
}
