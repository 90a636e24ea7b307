package sheet

import (
	"archive/zip"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// dataSheetXML is the XML of the output's sheet called name, found through
// the workbook's relationships as a reader would find it.
func dataSheetXML(t *testing.T, path, name string) string {
	t.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	files := map[string]*zip.File{}
	for _, f := range z.File {
		files[f.Name] = f
	}
	parts, err := sheetParts(files)
	if err != nil || parts[name] == "" {
		t.Fatalf("sheet %q not found (%v, %v)", name, parts, err)
	}
	return zipPart(t, path, parts[name])
}

var dimensionRe = regexp.MustCompile(`<dimension ref="([^"]*)"/>`)

// The output's data sheet states its real used range (readers such as
// openpyxl in read-only mode trust it) and its column widths in one <col>
// per run of equal widths.
func TestXLSXWriterDimensionAndCols(t *testing.T) {
	header := []string{"Namn", "Ort", "En mycket lång kolumnrubrik"}
	for _, rows := range []int{0, 4, 150} {
		t.Run(fmt.Sprint(rows), func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "ut.xlsx")
			w, err := Create(p, header, Format{Sheet: "Kunder"}, Top{})
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < rows; i++ {
				if err := w.Write(Row{Cells: []string{"Åsa", "Lund", "x"}}); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Commit([][]string{{"Rader", fmt.Sprint(rows)}}); err != nil {
				t.Fatal(err)
			}
			xml := dataSheetXML(t, p, "Kunder")
			m := dimensionRe.FindStringSubmatch(xml)
			if want := fmt.Sprintf("A1:C%d", rows+1); m == nil || m[1] != want {
				t.Errorf("dimension %q; want %s", m, want)
			}
			wantCols := `<cols><col min="1" max="2" width="8" customWidth="1"/><col min="3" max="3" width="31" customWidth="1"/></cols><sheetData>`
			if !strings.Contains(xml, wantCols) {
				t.Errorf("sheet XML has no %s:\n%.600s", wantCols, xml)
			}
			f, err := excelize.OpenFile(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if width, err := f.GetColWidth("Kunder", "C"); err != nil || width != 31 {
				t.Errorf("column C width %v, %v; want 31", width, err)
			}
			if got, err := f.GetRows("Kunder"); err != nil || len(got) != rows+1 {
				t.Errorf("read back %d rows, %v; want %d", len(got), err, rows+1)
			}
		})
	}
}

// BenchmarkXLSXWriteWide writes 20 rows of 10,000 columns of different
// widths: the column widths once cost time growing with the square of the
// columns.
func BenchmarkXLSXWriteWide(b *testing.B) {
	const cols = 10_000
	header := make([]string, cols)
	row := make([]string, cols)
	for i := range header {
		header[i] = fmt.Sprintf("Kolumn %d", i)
		row[i] = strings.Repeat("x", i%40)
	}
	dir := b.TempDir()
	for b.Loop() {
		w, err := Create(filepath.Join(dir, "wide.xlsx"), header, Format{}, Top{})
		if err != nil {
			b.Fatal(err)
		}
		for r := 0; r < 20; r++ {
			if err := w.Write(Row{Cells: row}); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Commit(nil); err != nil {
			b.Fatal(err)
		}
	}
}
