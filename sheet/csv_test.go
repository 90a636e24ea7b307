package sheet

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// corpus holds the third-party sample files, each set with its licence.
var corpus = filepath.Join("..", "testdata", "third_party")

// readAll reads every row of r and closes it.
func readAll(t *testing.T, r Reader) []Row {
	t.Helper()
	defer r.Close()
	var rows []Row
	for {
		row, err := r.Next()
		if err == io.EOF {
			return rows
		}
		if err != nil {
			t.Fatalf("Next after %d rows: %v", len(rows), err)
		}
		if len(row.Cells) != len(r.Header()) {
			t.Fatalf("line %d has %d cells; want the header's %d", row.Line, len(row.Cells), len(r.Header()))
		}
		rows = append(rows, row)
	}
}

func cellsOf(rows []Row) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = r.Cells
	}
	return out
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCSVSpectrum(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(corpus, "csv-spectrum", "csvs", "*.csv"))
	if err != nil || len(files) < 10 {
		t.Fatalf("csv-spectrum corpus not found (%d files, %v)", len(files), err)
	}
	for _, p := range files {
		name := strings.TrimSuffix(filepath.Base(p), ".csv")
		t.Run(name, func(t *testing.T) {
			r, err := Open(p, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if f := r.Format(); f.Kind != "csv" || f.Delimiter != ',' || f.Encoding != "utf-8" {
				t.Errorf("Format() = %+v; want csv, ',', utf-8", f)
			}
			header := r.Header()
			rows := readAll(t, r)
			if name == "location_coordinates" {
				// The file has bare quotes in unquoted fields (37'36'37.8"N),
				// which strict CSV rejects; its JSON also disagrees with the
				// file itself (another phone number). The row must be reported
				// with a problem, not lost.
				if len(rows) != 1 || rows[0].Line != 2 || !strings.Contains(rows[0].Problem, "double quote") {
					t.Fatalf("rows = %+v; want line 2 with a stray-quote problem", rows)
				}
				return
			}
			b, err := os.ReadFile(filepath.Join(corpus, "csv-spectrum", "json", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var want []map[string]string
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatal(err)
			}
			if len(rows) != len(want) {
				t.Fatalf("got %d rows; want %d", len(rows), len(want))
			}
			for i, w := range want {
				if len(w) != len(header) {
					t.Fatalf("header %q; want the keys of %v", header, w)
				}
				if rows[i].Problem != "" {
					t.Errorf("row %d: unexpected problem %q", i, rows[i].Problem)
				}
				for j, h := range header {
					// encoding/csv turns CRLF inside quoted values into LF.
					wv := strings.ReplaceAll(w[h], "\r\n", "\n")
					if got := rows[i].Cells[j]; got != wv {
						t.Errorf("row %d, column %q = %q; want %q", i, h, got, wv)
					}
				}
			}
		})
	}
}

func win1252(t *testing.T, s string) []byte {
	t.Helper()
	b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func utf16(t *testing.T, s string, e unicode.Endianness) []byte {
	t.Helper()
	b, err := unicode.UTF16(e, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCSVFixtures(t *testing.T) {
	swedish := "Namn;Belopp;Ort\r\nÅsa Öberg;1 234,50;Malmö\r\nPär Ärlig;99,5;Gävle\r\n"
	swedishRows := [][]string{{"Åsa Öberg", "1 234,50", "Malmö"}, {"Pär Ärlig", "99,5", "Gävle"}}
	tests := []struct {
		name     string
		data     []byte
		opt      Options
		format   Format
		header   []string
		rows     [][]string
		lines    []int
		problems []string // substrings, "" = no problem
	}{
		{name: "windows-1252 semicolon", data: win1252(t, swedish),
			format: Format{Kind: "csv", Delimiter: ';', Encoding: "windows-1252"},
			header: []string{"Namn", "Belopp", "Ort"}, rows: swedishRows, lines: []int{2, 3}},
		{name: "utf-8 bom", data: append([]byte("\xEF\xBB\xBF"), swedish...),
			format: Format{Kind: "csv", Delimiter: ';', Encoding: "utf-8-bom"},
			header: []string{"Namn", "Belopp", "Ort"}, rows: swedishRows, lines: []int{2, 3}},
		{name: "utf-16le tab (Excel Unicode text)",
			data:   utf16(t, "\uFEFFNamn\tTelefon\r\nÅsa\t070-123 45 67\r\n", unicode.LittleEndian),
			format: Format{Kind: "csv", Delimiter: '\t', Encoding: "utf-16le"},
			header: []string{"Namn", "Telefon"}, rows: [][]string{{"Åsa", "070-123 45 67"}}, lines: []int{2}},
		{name: "utf-16be", data: utf16(t, "\uFEFFa|b\nå|ä\n", unicode.BigEndian),
			format: Format{Kind: "csv", Delimiter: '|', Encoding: "utf-16be"},
			header: []string{"a", "b"}, rows: [][]string{{"å", "ä"}}, lines: []int{2}},
		{name: "sep line", data: []byte("sep=;\r\nA;B\r\n1,5;x,y\r\n"),
			format: Format{Kind: "csv", Delimiter: ';', Encoding: "utf-8", SepLine: true},
			header: []string{"A", "B"}, rows: [][]string{{"1,5", "x,y"}}, lines: []int{2}}, // Excel shows no row for sep=
		{name: "sep line beats detection", data: []byte("SEP=|\na,b|c\n1,2|3\n"),
			format: Format{Kind: "csv", Delimiter: '|', Encoding: "utf-8", SepLine: true},
			header: []string{"a,b", "c"}, rows: [][]string{{"1,2", "3"}}, lines: []int{2}},
		{name: "tab", data: []byte("a\tb\tc\n1\t2, 3\t4\n"),
			format: Format{Kind: "csv", Delimiter: '\t', Encoding: "utf-8"},
			header: []string{"a", "b", "c"}, rows: [][]string{{"1", "2, 3", "4"}}, lines: []int{2}},
		{name: "pipe", data: []byte("a|b\n1|2\n3|4\n"),
			format: Format{Kind: "csv", Delimiter: '|', Encoding: "utf-8"},
			header: []string{"a", "b"}, rows: [][]string{{"1", "2"}, {"3", "4"}}, lines: []int{2, 3}},
		{name: "semicolon with decimal commas", data: []byte("Namn;Summa\nA;1,5\nB;2,25\nC;3\n"),
			format: Format{Kind: "csv", Delimiter: ';', Encoding: "utf-8"},
			header: []string{"Namn", "Summa"}, rows: [][]string{{"A", "1,5"}, {"B", "2,25"}, {"C", "3"}}, lines: []int{2, 3, 4}},
		{name: "single column", data: []byte("Epost\na@b.se\n"),
			format: Format{Kind: "csv", Delimiter: ',', Encoding: "utf-8"},
			header: []string{"Epost"}, rows: [][]string{{"a@b.se"}}, lines: []int{2}},
		{name: "quoted newlines and quotes; line numbers", data: []byte("a,b\n\"x\ny\",\"say \"\"hi\"\"\"\n3,4\n"),
			format: Format{Kind: "csv", Delimiter: ',', Encoding: "utf-8"},
			header: []string{"a", "b"}, rows: [][]string{{"x\ny", `say "hi"`}, {"3", "4"}}, lines: []int{2, 3}}, // one row each, as a spreadsheet shows them
		{name: "blank lines skipped", data: []byte("\n\na;b\n\n1;2\n;\n  ; \n3;4\n\n"),
			format: Format{Kind: "csv", Delimiter: ';', Encoding: "utf-8"},
			header: []string{"a", "b"}, rows: [][]string{{"1", "2"}, {"3", "4"}}, lines: []int{5, 8}},
		{name: "ragged rows", data: []byte("a,b,c\n1,2,3,x,y\n1,2\n4,5,6,,\n"),
			format: Format{Kind: "csv", Delimiter: ',', Encoding: "utf-8"},
			header: []string{"a", "b", "c"},
			rows:   [][]string{{"1", "2", "3"}, {"1", "2", ""}, {"4", "5", "6"}}, lines: []int{2, 3, 4},
			problems: []string{`has 5 values but the header has 3 columns (extra: "x", "y")`,
				`has 2 values but the header has 3 columns (missing: C "c")`, ""}},
		{name: "trailing delimiter on every line", data: []byte("a;b;\n1;2;\n"),
			format: Format{Kind: "csv", Delimiter: ';', Encoding: "utf-8"},
			header: []string{"a", "b"}, rows: [][]string{{"1", "2"}}, lines: []int{2}},
		{name: "header row 3 and trimmed names", data: []byte("Rapport\nskapad idag\n Namn , Tel \nA,1\n"),
			opt:    Options{HeaderRow: 3},
			format: Format{Kind: "csv", Delimiter: ',', Encoding: "utf-8"},
			header: []string{"Namn", "Tel"}, rows: [][]string{{"A", "1"}}, lines: []int{4}},
		{name: "title row above a ; header", data: []byte("Kundlista december;;\n;;\nNamn;E-post;Tel;Ort\nA;a@x.se;1;Umeå\nB;b@x.se;2;Luleå\n"),
			opt:    Options{HeaderRow: 3},
			format: Format{Kind: "csv", Delimiter: ';', Encoding: "utf-8"},
			header: []string{"Namn", "E-post", "Tel", "Ort"}, rows: [][]string{{"A", "a@x.se", "1", "Umeå"}, {"B", "b@x.se", "2", "Luleå"}}, lines: []int{4, 5}},
		{name: "header row counted as a spreadsheet shows it", data: []byte("Kundlista\n\nNamn;Tel\n\"A\nB\";1\n\nC;2\n"),
			opt:    Options{HeaderRow: 3},
			format: Format{Kind: "csv", Delimiter: ';', Encoding: "utf-8"},
			header: []string{"Namn", "Tel"}, rows: [][]string{{"A\nB", "1"}, {"C", "2"}}, lines: []int{4, 6}},
		{name: "bare quote reported, next row kept", data: []byte("a,b\n5\" skruv,2\n3,4\n"),
			format: Format{Kind: "csv", Delimiter: ',', Encoding: "utf-8"},
			header: []string{"a", "b"}, rows: [][]string{{"", ""}, {"3", "4"}}, lines: []int{2, 3},
			problems: []string{"stray double quote", ""}},
		{name: "delimiter and encoding options", data: win1252(t, "a,b;c\nå,1;2\n"),
			opt:    Options{Delimiter: ';', Encoding: "Windows-1252"},
			format: Format{Kind: "csv", Delimiter: ';', Encoding: "windows-1252"},
			header: []string{"a,b", "c"}, rows: [][]string{{"å,1", "2"}}, lines: []int{2}},
		{name: "utf-16 option without BOM", data: utf16(t, "a,b\n1,2\n", unicode.LittleEndian)[2:],
			opt:    Options{Encoding: "utf-16"},
			format: Format{Kind: "csv", Delimiter: ',', Encoding: "utf-16le"},
			header: []string{"a", "b"}, rows: [][]string{{"1", "2"}}, lines: []int{2}},
		{name: "header only", data: []byte("a,b\n"),
			format: Format{Kind: "csv", Delimiter: ',', Encoding: "utf-8"},
			header: []string{"a", "b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Open(writeFile(t, "in.csv", tc.data), tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Format(); got != tc.format {
				t.Errorf("Format() = %+v; want %+v", got, tc.format)
			}
			if got := r.Header(); !reflect.DeepEqual(got, tc.header) {
				t.Errorf("Header() = %q; want %q", got, tc.header)
			}
			rows := readAll(t, r)
			if got := cellsOf(rows); len(rows) > 0 || len(tc.rows) > 0 {
				if !reflect.DeepEqual(got, tc.rows) {
					t.Errorf("rows = %q; want %q", got, tc.rows)
				}
			}
			for i, row := range rows {
				if i < len(tc.lines) && row.Line != tc.lines[i] {
					t.Errorf("row %d: Line = %d; want %d", i, row.Line, tc.lines[i])
				}
				want := ""
				if i < len(tc.problems) {
					want = tc.problems[i]
				}
				if (want == "") != (row.Problem == "") || !strings.Contains(row.Problem, want) {
					t.Errorf("row %d: Problem = %q; want %q", i, row.Problem, want)
				}
			}
		})
	}
}

func TestCSVLargeWindows1252(t *testing.T) {
	// The non-ASCII bytes come after the sniffed part: detection uses the
	// first 64 KB, and a later invalid byte is reported on its row.
	var b bytes.Buffer
	b.WriteString("Namn,Ort\n")
	for b.Len() < sniffSize+100 {
		b.WriteString("Anna,Lund\n")
	}
	b.Write(win1252(t, "Åsa,Malmö\n"))
	r, err := Open(writeFile(t, "big.csv", b.Bytes()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Format().Encoding != "utf-8" {
		t.Fatalf("encoding %q; want utf-8 from the first 64 KB", r.Format().Encoding)
	}
	rows := readAll(t, r)
	last := rows[len(rows)-1]
	if !strings.Contains(last.Problem, "not valid UTF-8") || !strings.Contains(last.Problem, "read it as windows-1252") {
		t.Errorf("last row problem %q; want a hint to read it as windows-1252", last.Problem)
	}
	if rows[0].Problem != "" {
		t.Errorf("first row problem %q", rows[0].Problem)
	}
}

func TestOpenRefuses(t *testing.T) {
	dir := t.TempDir()
	zipWith := func(name string, files map[string]string) string {
		return writeZip(t, filepath.Join(dir, name), files)
	}
	tests := []struct {
		name, path string
		want       []string
	}{
		{"missing", filepath.Join(dir, "nope.csv"), []string{"nope.csv: no such file", "check the path"}},
		{"empty", writeFile(t, "empty.csv", nil), []string{"empty.csv is empty"}},
		{"only blank lines", writeFile(t, "blank.csv", []byte("\n\n")), []string{"has no rows"}},
		{"old xls", writeFile(t, "old.xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 100)...)),
			[]string{"old.xls is an old Excel 97-2003 workbook (.xls)", "save it as .xlsx"}},
		{"xls by name", writeFile(t, "old2.xls", []byte("a,b\n")), []string{"(.xls)"}},
		{"encrypted xlsx", writeFile(t, "secret.xlsx", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 100)...)),
			[]string{"secret.xlsx is password-protected", "remove the password"}},
		{"ods by name", writeFile(t, "a.ods", []byte("x")), []string{"(.ods)", "File > Save As"}},
		{"ods by content", zipWith("a.xlsx", map[string]string{"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"}),
			[]string{"(.ods)", "save it as .xlsx or .csv from LibreOffice"}},
		{"numbers", zipWith("a.numbers", map[string]string{"Index/Document.iwa": "x"}), []string{"Apple Numbers"}},
		{"numbers by content", zipWith("b.zip", map[string]string{"Index/Document.iwa": "x"}), []string{"Apple Numbers"}},
		{"other zip", zipWith("c.xlsx", map[string]string{"readme.txt": "x"}), []string{"not an Excel workbook"}},
		{"xlsx that is not a zip", writeFile(t, "fake.xlsx", []byte("a,b\n1,2\n")), []string{"not a real .xlsx"}},
		{"empty header", writeFile(t, "h.csv", []byte(",,\n1,2,3\n")), []string{"header row", "is empty", "--header-row"}},
		{"duplicate header", writeFile(t, "d.csv", []byte("Namn,E-post,Tel,Ort,Land,E-post\n")),
			[]string{`header row 1 has two columns named "E-post" (B and F); rename one`}},
		{"empty header name", writeFile(t, "e.csv", []byte("Namn,,Tel\n")), []string{"column B has no name"}},
		{"too many columns", writeFile(t, "w.csv", []byte(namedColumns(MaxColumns+1)+"\n")),
			[]string{"header row 1 has 2001 named columns; sbimport reads at most 2000", "delete the columns the mapping does not use"}},
		{"header row past the end", writeFile(t, "f.csv", []byte("a\n1\n")), []string{"row 5 cannot be the header"}},
		{"header row on a blank line", writeFile(t, "blank.csv", []byte("Kundlista\n\nNamn,Tel\n")), []string{"header row 2 is empty", "--header-row"}},
		{"unclosed quote", writeFile(t, "q.csv", []byte("a,b\n1,\"open\n2,3\n4,5\n")), []string{"line 2", "not closed"}},
		{"bad encoding option", writeFile(t, "g.csv", []byte("a\n")), []string{`encoding "ebcdic"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opt := Options{}
			switch tc.name {
			case "header row past the end":
				opt.HeaderRow = 5
			case "header row on a blank line":
				opt.HeaderRow = 2
			case "bad encoding option":
				opt.Encoding = "ebcdic"
			}
			r, err := Open(tc.path, opt)
			if err == nil && tc.name == "unclosed quote" {
				_, err = r.Next()
				r.Close()
			} else if err == nil {
				r.Close()
				t.Fatal("Open succeeded; want an error")
			}
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v (%T); want a *FileError", err, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error()+fixFlag(fe.Fix), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if !strings.HasPrefix(err.Error(), tc.path+": ") && !strings.HasPrefix(err.Error(), tc.path+" is ") && !strings.HasPrefix(err.Error(), tc.path+" has ") {
				t.Errorf("error %q does not start with the path", err)
			}
		})
	}
}

// keepsRowNumbers writes rows, read from in with opt, to an output as the
// importer does (a status column added) and checks that the output read
// with opt gives every row on the same number, and the same title rows.
func keepsRowNumbers(t *testing.T, in string, opt Options, rows []Row) {
	t.Helper()
	r, err := Open(in, opt)
	if err != nil {
		t.Fatal(err)
	}
	top, format, header := r.Top(), r.Format(), r.Header()
	r.Close()
	for _, h := range header {
		if strings.ContainsAny(h, "\r\n\"") || strings.EqualFold(h, "sb_status") || !utf8.ValidString(h) {
			return // the header round trip is another test's
		}
	}
	out := filepath.Join(filepath.Dir(in), "out.csv")
	w, err := Create(out, append(append([]string{}, header...), "sb_status"), format, top)
	if err != nil {
		return // a delimiter the writer cannot write
	}
	for _, row := range rows {
		row.Cells = append(append([]string{}, row.Cells...), "invalid")
		if err := w.Write(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(nil); err != nil {
		t.Fatal(err)
	}
	r, err = Open(out, Options{HeaderRow: opt.HeaderRow, Delimiter: format.Delimiter})
	if err != nil {
		t.Fatalf("output cannot be read back: %v", err)
	}
	defer r.Close()
	// A title record of one empty value is written as a blank line: the
	// same row, blank.
	if got := r.Top(); got.HeaderLine != top.HeaderLine || !reflect.DeepEqual(filled(got.Titles), filled(top.Titles)) {
		t.Fatalf("output top %+v; want %+v", got, top)
	}
	for i, want := range rows {
		got, err := r.Next()
		if err != nil || got.Line != want.Line {
			t.Fatalf("output row %d: %d, %v; want row %d", i, got.Line, err, want.Line)
		}
	}
}

// filled is the rows of rows that hold something, by their numbers.
func filled(rows []Row) []int {
	var lines []int
	for _, r := range rows {
		if !blank(r.Cells) {
			lines = append(lines, r.Line)
		}
	}
	return lines
}

func FuzzCSVReader(f *testing.F) {
	f.Add([]byte("Kundlista;;\n\n;;\nNamn;Tel\n\"a\nb\";1\n\n\nc;2\n"), uint8(3))
	f.Add([]byte("a,b\n1,2\n"), uint8(0))
	f.Add([]byte("a;b\n\"x\ny\";\"q\"\"q\"\n"), uint8(1))
	f.Add([]byte("sep=|\na|b\n1|2|3\n"), uint8(2))
	f.Add([]byte("\xEF\xBB\xBFa\tb\n\n1\n"), uint8(3))
	f.Add([]byte("\xFF\xFEa\x00,\x00b\x00\n\x00"), uint8(0))
	f.Add([]byte("a,b\n5\" x,\"open\n"), uint8(0))
	f.Add([]byte("N\xe4mn;\xc5r\n1;2\n"), uint8(1))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte, d uint8) {
		// Never panics on any input.
		p := filepath.Join(dir, "fuzz.csv")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if r, err := Open(p, Options{HeaderRow: int(d % 4)}); err == nil {
			var rows []Row
			for i := 0; i < 10000; i++ {
				row, err := r.Next()
				if err != nil {
					break
				}
				if len(rows) > 0 && row.Line <= rows[len(rows)-1].Line {
					t.Fatalf("row %d after row %d", row.Line, rows[len(rows)-1].Line)
				}
				rows = append(rows, row)
			}
			r.Close()
			keepsRowNumbers(t, p, Options{HeaderRow: int(d % 4)}, rows)
		}

		// Records written by encoding/csv come back as they were.
		delim := delimiters[int(d)%len(delimiters)]
		recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil || len(recs) < 2 || len(recs[0]) < 2 {
			return
		}
		width := len(recs[0])
		var want [][]string
		for i, rec := range recs {
			for j := range rec {
				rec[j] = strings.ToValidUTF8(rec[j], "")
			}
			if len(rec) != width {
				return
			}
			if i == 0 {
				for j := range rec {
					rec[j] = "c" + strconv.Itoa(j)
				}
			} else if !blank(rec) {
				want = append(want, rec)
			}
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Comma = delim
		if err := w.WriteAll(recs); err != nil {
			t.Fatal(err)
		}
		p2 := filepath.Join(dir, "roundtrip.csv")
		if err := os.WriteFile(p2, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := Open(p2, Options{Delimiter: delim})
		if err != nil {
			t.Fatalf("Open(%q): %v", buf.Bytes(), err)
		}
		if got := r.Header(); !reflect.DeepEqual(got, recs[0]) {
			t.Fatalf("header %q; want %q", got, recs[0])
		}
		var got [][]string
		for {
			row, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("Next: %v in %q", err, buf.Bytes())
			}
			if row.Problem != "" {
				t.Fatalf("problem %q in %q", row.Problem, buf.Bytes())
			}
			got = append(got, row.Cells)
		}
		r.Close()
		if len(got) != len(want) || (len(got) > 0 && !reflect.DeepEqual(got, want)) {
			t.Fatalf("rows %q; want %q (file %q)", got, want, buf.Bytes())
		}
	})
}

// fixFlag names a FileError's Fix as the command line's flag, so the
// tables can say which option the error points at.
func fixFlag(f Fix) string {
	return map[Fix]string{FixSheet: " --sheet", FixHeaderRow: " --header-row", FixDelimiter: " --delimiter", FixEncoding: " --encoding"}[f]
}

// namedColumns is a CSV header of n named columns.
func namedColumns(n int) string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("K%d", i)
	}
	return strings.Join(names, ",")
}

// A header of MaxColumns names is read.
func TestHeaderOfMaxColumnsIsRead(t *testing.T) {
	p := filepath.Join(t.TempDir(), "wide.csv")
	if err := os.WriteFile(p, []byte(namedColumns(MaxColumns)+"\n"+strings.Repeat("x,", MaxColumns-1)+"x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if n := len(r.Header()); n != MaxColumns {
		t.Errorf("header of %d columns read as %d", MaxColumns, n)
	}
}
