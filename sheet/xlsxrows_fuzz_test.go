package sheet

import (
	"archive/zip"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// readRowsOrErr reads src to its end, or to its first error.
func readRowsOrErr(src rowSource) (sheetRows, error) {
	out := sheetRows{rows: map[int][]string{}}
	for {
		num, cells, err := src.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if num <= out.last {
			return out, fmt.Errorf("row %d after row %d", num, out.last)
		}
		out.last = num
		if len(cells) > 0 {
			out.rows[num] = cells
		}
	}
}

// readersOn reads sheet Blad1 of path with excelize's Rows and with
// fastRows, as bothReaders does, giving errors back.
func readersOn(t *testing.T, path string) (want, got sheetRows, wantErr, gotErr error) {
	open := func() (*excelize.File, int, error) {
		f, err := excelize.OpenFile(path, excelize.Options{UnzipXMLSizeLimit: xmlInMemoryLimit})
		if err != nil {
			return nil, 0, err
		}
		t.Cleanup(func() { f.Close() })
		rawID, err := isoDates(f)
		return f, rawID, err
	}
	f, _, err := open()
	if err != nil {
		return want, got, err, err
	}
	legacy, err := openExcelizeRows(f, "Blad1")
	if err != nil {
		return want, got, err, err
	}
	want, wantErr = readRowsOrErr(legacy)
	legacy.Close()
	f, rawID, err := open()
	if err != nil {
		return want, got, err, err
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	fast, err := openFastRows(zr, f, "Blad1", rawID, f.GetSheetList())
	if err != nil {
		zr.Close()
		return want, got, wantErr, err
	}
	defer fast.Close()
	got, gotErr = readRowsOrErr(fast)
	return want, got, wantErr, gotErr
}

// sstUndecodable says whether excelize fails to decode the workbook's
// table of text values as a whole (it does so on the first cell it reads).
func sstUndecodable(t testing.TB, path string) bool {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if _, err := f.NewSheet("probe"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellInt("probe", "A1", 1); err != nil {
		t.Fatal(err)
	}
	_, err = f.GetCellValue("probe", "A1")
	return err != nil
}

// fuzzBits are pieces of XML the fuzz test puts into sheets and tables of
// text values: every construct the reader has to read as encoding/xml does.
var fuzzBits = []string{
	`<c/>`, `<c r="B1"/>`, `<c t="s"><v>1</v></c>`, `<c t="s"><v> 2 </v></c>`, `<c t="s"><v>99</v></c>`, `<c t="s"><v>-1</v></c>`,
	`<c t="e"><v>#REF!</v></c>`, `<c t="str"><f>A1</f><v>x</v></c>`, `<c t="inlineStr"><is><t>in</t></is></c>`,
	`<c r="XFD1"><v>1</v></c>`, `<c r="A1048576"><v>1</v></c>`, `<c r="$B$2"><v>1</v></c>`, `<c r="b2"><v>1</v></c>`,
	`<v>1</v>`, `<v><![CDATA[12]]></v>`, `<v>&#x31;&#50;</v>`, `<v>1<!--c-->2</v>`, `<v>1<?p x?>2</v>`, `<v>1<x>9</x>2</v>`,
	`<row/>`, `<row r="2"/>`, `<row r="1">`, `</row>`, `<row r="-1">`, `<row r="0">`, `<row r="x">`, `<row r="1048577">`,
	`<t xml:space="preserve"> a </t>`, `<t>_x0041__x005f_x0042_</t>`, `<r><t>run</t></r>`, `<rPh><t>ph</t></rPh>`, `<t/>`,
	` r="C1"`, ` r="A1" r="B1"`, ` x:r="D1"`, ` s="1"`, ` s="5"`, ` s="99"`, ` s="x"`, ` t="b"`, ` t="d"`, ` t="n"`, ` t="s"`,
	`<x:c r="E1"><x:v>5</x:v></x:c>`, `<:c r="F1"><v>6</v></:c>`, `<c r="G1" xmlns="urn:other"><v>7</v></c>`,
	"\r\n", "\r", "&amp;", "&lt;", "&#xD;", "&#9;", "&#0;", "&#xFFFF;", "\uFEFF", "\u00e5", " ", "\t", "1", "0", "E", ".",
	"2021-01-01T10:10:10Z", "2300-01-01T00:00:00Z", "1E+300", "-0", "0x1p3", "Inf", "1_0", "<f/>", "<f>1</f>", "<is/>",
}

// fuzzMutate changes doc at n places, with rng.
func fuzzMutate(rng *rand.Rand, doc string, n int) string {
	for range n {
		i := rng.IntN(len(doc) + 1)
		bit := fuzzBits[rng.IntN(len(fuzzBits))]
		switch rng.IntN(4) {
		case 0:
			doc = doc[:i] + bit + doc[i:]
		case 1: // in a tag, after its name
			if j := strings.IndexByte(doc[i:], '<'); j >= 0 {
				k := strings.IndexAny(doc[i+j:], " />")
				if k > 0 {
					doc = doc[:i+j+k] + bit + doc[i+j+k:]
				}
			}
		case 2: // replace the text after a tag
			if j := strings.IndexByte(doc[i:], '>'); j >= 0 {
				k := strings.IndexByte(doc[i+j:], '<')
				if k > 0 {
					doc = doc[:i+j+1] + bit + doc[i+j+k:]
				}
			}
		default:
			doc = mutate(rng, doc)
		}
	}
	return doc
}

// bookWith is a workbook of sheetXML and sstXML, with the cell styles of
// trickyStyles.
func bookWith(t testing.TB, sheetXML, sstXML string) string {
	return writeZip(t, filepath.Join(t.TempDir(), "fuzz.xlsx"), map[string]string{
		"[Content_Types].xml":        ctTypes,
		"_rels/.rels":                rootRels,
		"xl/workbook.xml":            wbXML,
		"xl/_rels/workbook.xml.rels": strings.Replace(wbRels, `</Relationships>`, `<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`, 1),
		"xl/sharedStrings.xml":       sstXML,
		"xl/styles.xml":              trickyStyles,
		"xl/worksheets/sheet1.xml":   sheetXML,
	})
}

// FuzzXLSXRowsMatchExcelize: whatever sheet and table of text values the
// checks pass, fastRows gives the rows excelize's Rows gives, or refuses
// the sheet; it never gives a row excelize reads differently.
func FuzzXLSXRowsMatchExcelize(f *testing.F) {
	for _, s := range []string{tenRows(), noComment(trickySheet("")), noComment(trickySheet("x:"))} {
		for seed := range uint64(4) {
			f.Add(s, trickySST, seed, uint8(seed))
		}
	}
	f.Add(tenRows(), twoStrings, uint64(9), uint8(3))
	if sstUndecodable(f, bookWith(f, tenRows(), trickySST)) {
		f.Fatal("excelize cannot decode trickySST: the test would pass whatever excelize fails on")
	}
	f.Fuzz(func(t *testing.T, sheetXML, sstXML string, seed uint64, n uint8) {
		rng := rand.New(rand.NewPCG(seed, uint64(n)))
		if n%2 == 1 {
			sstXML = fuzzMutate(rng, sstXML, 1+int(n%3))
		}
		sheetXML = fuzzMutate(rng, sheetXML, int(n%5))
		p := bookWith(t, sheetXML, sstXML)
		facts, err := scanWorkbook(p, "Blad1")
		if err != nil {
			return // refused before any row is read
		}
		if facts.lastRow > 5000 {
			return // excelize's Rows takes a call per row number: too slow to fuzz
		}
		want, got, wantErr, gotErr := readersOn(t, p)
		switch {
		case gotErr != nil:
			return // refused: nothing is sent
		case wantErr != nil && sstUndecodable(t, p):
			// excelize refuses a table of text values whose top element
			// it cannot decode (a name space it does not know, count="x"),
			// which fastRows reads as it stands.
			return
		case wantErr != nil:
			t.Fatalf("excelize fails (%v) where fastRows reads %v\nsheet %q\nsst %q", wantErr, got.rows, sheetXML, sstXML)
		case got.last != want.last:
			t.Fatalf("last row %d; excelize's %d\nsheet %q\nsst %q", got.last, want.last, sheetXML, sstXML)
		case !reflect.DeepEqual(got.rows, want.rows):
			t.Fatalf("%s\nsheet %q\nsst %q", firstDiff(got, want), sheetXML, sstXML)
		}
	})
}

// firstDiff words the first cell where got and want differ.
func firstDiff(got, want sheetRows) string {
	for n := 1; n <= max(got.last, want.last); n++ {
		g, w := got.rows[n], want.rows[n]
		for i := range max(len(g), len(w)) {
			if i >= len(g) || i >= len(w) || g[i] != w[i] {
				return fmt.Sprintf("row %d: got %q\nwant %q (excelize); first at column %d", n, g, w, i+1)
			}
		}
	}
	return "no difference"
}
