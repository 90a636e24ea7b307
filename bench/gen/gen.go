// Package gen generates customer sheets for benchmarks and tests: a
// 10-column CSV and an XLSX written the way Excel writes one.
package gen

import (
	"archive/zip"
	"bufio"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/sbimport/sbimport/internal/demodata"
	"github.com/xuri/excelize/v2"
)

// Header is the ten columns of a generated customer sheet.
var Header = []string{"Förnamn", "Efternamn", "E-post", "Mobil", "Företag", "Adress", "Postnummer", "Ort", "Giltig till", "Artiklar"}

// Mapping is the demo's quote mapping, which fits the generated sheets
// and uses every converter the hot path meets: placeholders, phone, date,
// list.
const Mapping = demodata.Mapping

var (
	firstNames = []string{"Anna", "Erik", "Maria", "Lars", "Karin", "Anders", "Eva", "Johan", "Sara", "Per",
		"Åsa", "Björn", "Ingrid", "Göran", "Linnéa", "Mikael", "Elin", "Olof", "Märta", "Sören"}
	lastNames = []string{"Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
		"Persson", "Svensson", "Gustafsson", "Pettersson", "Jönsson", "Lindström", "Bäckström", "Öberg", "Åkesson"}
	companies = []string{"Byggbolaget i Umeå AB", "Solpaneler Norr AB", "Värmepumpar Syd AB", "Fönsterteknik AB",
		"Takläggarna HB", "Elfirman Öst AB", "Rörmokarn & Son AB", "Badrum Göteborg AB", ""}
	streets = []string{"Storgatan", "Kungsgatan", "Drottninggatan", "Vasagatan", "Skolgatan", "Järnvägsgatan", "Södra vägen", "Björkvägen"}
	cities  = []struct{ zip, city string }{{"111 52", "Stockholm"}, {"411 06", "Göteborg"}, {"211 20", "Malmö"},
		{"753 20", "Uppsala"}, {"903 26", "Umeå"}, {"582 24", "Linköping"}, {"972 31", "Luleå"}, {"891 33", "Örnsköldsvik"}}
	articles = []string{"SP-100", "SP-100,INV-5", "VP-12,MONT-1", "FÖN-3,FÖN-4,MONT-2", "TAK-9"}
)

// validUntil is the first "Giltig till" date; row i adds i%90 days.
var validUntil = time.Date(2031, 1, 15, 0, 0, 0, 0, time.UTC)

// Customer is row i (0-based) of a generated sheet: every row valid, with
// a unique e-mail, so nothing is a duplicate. The date is the Excel
// serial in XLSX and YYYY-MM-DD in CSV.
func Customer(i int) []string {
	c := cities[i%len(cities)]
	return []string{
		firstNames[i%len(firstNames)],
		lastNames[(i/len(firstNames))%len(lastNames)],
		"kund" + strconv.Itoa(i) + "@exempel.se",
		fmt.Sprintf("070-%03d %02d %02d", (i/10000)%1000, (i/100)%100, i%100),
		companies[i%len(companies)],
		streets[i%len(streets)] + " " + strconv.Itoa(1+i%120),
		c.zip,
		c.city,
		validUntil.AddDate(0, 0, i%90).Format("2006-01-02"),
		articles[i%len(articles)],
	}
}

// WriteCSV writes a header and n customers as UTF-8 CSV, comma-separated.
func WriteCSV(w io.Writer, n int) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	cw := csv.NewWriter(bw)
	if err := cw.Write(Header); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		if err := cw.Write(Customer(i)); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteCSVFile writes n customers to a CSV file at path.
func WriteCSVFile(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := WriteCSV(f, n); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// excelSerial is the Excel (1900 system) serial number of a date.
func excelSerial(t time.Time) int {
	return int(t.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24)
}

// WriteXLSXFile writes a header and n customers to an XLSX workbook the
// way Excel saves one: every text cell is a shared string (t="s", an
// index into xl/sharedStrings.xml), dates are serial numbers with the
// built-in date format 14. excelize's StreamWriter writes inline strings
// instead, so the parts are assembled here with archive/zip.
func WriteXLSXFile(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	buf := bufio.NewWriterSize(f, 1<<16)
	zw := zip.NewWriter(buf)
	err = writeXLSX(zw, n)
	if err == nil {
		err = zw.Close()
	}
	if err == nil {
		err = buf.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func writeXLSX(zw *zip.Writer, n int) error {
	static := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Kunder" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`},
		{"xl/styles.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>`},
	}
	for _, p := range static {
		w, err := zw.Create(p.name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(w, p.body); err != nil {
			return err
		}
	}

	// The sheet first, collecting the shared strings in order of first use.
	sst := newStringTable()
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n")
	fmt.Fprintf(bw, `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><dimension ref="A1:J%d"/><sheetData>`, n+1)
	const dateCol = 8
	writeRow := func(r int, cells []string, date bool) {
		fmt.Fprintf(bw, `<row r="%d" spans="1:10">`, r)
		for c, v := range cells {
			ref, _ := excelize.CoordinatesToCellName(c+1, r)
			switch {
			case v == "":
				// Excel writes no cell for an empty value.
			case date && c == dateCol:
				t, _ := time.Parse("2006-01-02", v)
				fmt.Fprintf(bw, `<c r="%s" s="1"><v>%d</v></c>`, ref, excelSerial(t))
			default:
				fmt.Fprintf(bw, `<c r="%s" t="s"><v>%d</v></c>`, ref, sst.index(v))
			}
		}
		bw.WriteString(`</row>`)
	}
	writeRow(1, Header, false)
	for i := 0; i < n; i++ {
		writeRow(i+2, Customer(i), true)
	}
	bw.WriteString(`</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>`)
	if err := bw.Flush(); err != nil {
		return err
	}

	w, err = zw.Create("xl/sharedStrings.xml")
	if err != nil {
		return err
	}
	bw = bufio.NewWriterSize(w, 1<<16)
	bw.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n")
	fmt.Fprintf(bw, `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">`, sst.uses, len(sst.list))
	for _, s := range sst.list {
		bw.WriteString(`<si><t>`)
		if err := xml.EscapeText(bw, []byte(s)); err != nil {
			return err
		}
		bw.WriteString(`</t></si>`)
	}
	bw.WriteString(`</sst>`)
	return bw.Flush()
}

type stringTable struct {
	idx  map[string]int
	list []string
	uses int
}

func newStringTable() *stringTable { return &stringTable{idx: make(map[string]int)} }

func (t *stringTable) index(s string) int {
	t.uses++
	if i, ok := t.idx[s]; ok {
		return i
	}
	i := len(t.list)
	t.idx[s] = i
	t.list = append(t.list, s)
	return i
}

// WriteFile writes a small text file, such as the Mapping.
func WriteFile(path, body string) error {
	return os.WriteFile(path, []byte(strings.TrimLeft(body, "\n")), 0o644)
}
