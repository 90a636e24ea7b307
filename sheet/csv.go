package sheet

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// sniffSize is how much of a CSV file is looked at to detect its encoding
// and delimiter.
const sniffSize = 64 << 10

var delimiters = []rune{',', ';', '\t', '|'}

type csvReader struct {
	path     string
	file     *os.File
	r        *csv.Reader
	header   []string
	format   Format
	lineBase int // physical lines before the csv.Reader's first line
	guard    *rowGuard
	lastLine int // the csv.Reader's line of the last record read
	// rowNum is the spreadsheet row of the last record read, endLine the
	// csv.Reader's line that record ends on (see count).
	rowNum, endLine int
	err             error // the error that ended the reading, returned again
	top             Top
}

func openCSV(path string, f *os.File, opt Options) (Reader, error) {
	fail := func(err error) (Reader, error) {
		f.Close()
		return nil, err
	}
	raw := bufio.NewReaderSize(f, sniffSize)
	peek, err := raw.Peek(sniffSize)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return fail(&FileError{Path: path, Problem: "cannot be read (" + err.Error() + ")", Hint: "check the file"})
	}
	enc, err := detectEncoding(peek, opt.Encoding)
	if err != nil {
		return fail(&FileError{Path: path, Problem: err.Error(),
			Hint: "say its encoding: utf-8, windows-1252 or utf-16", Fix: FixEncoding})
	}
	var text io.Reader = raw
	switch enc {
	case "utf-8-bom":
		if bytes.HasPrefix(peek, []byte("\xEF\xBB\xBF")) {
			raw.Discard(3)
		}
	case "utf-16le":
		text = transform.NewReader(raw, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder())
	case "utf-16be":
		text = transform.NewReader(raw, unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewDecoder())
	case "windows-1252":
		text = transform.NewReader(raw, charmap.Windows1252.NewDecoder())
	}
	guard := &rowGuard{r: text, limit: maxRowBytes}
	br := bufio.NewReaderSize(guard, sniffSize)
	sample, err := br.Peek(sniffSize)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return fail(&FileError{Path: path, Problem: "cannot be read as " + enc + " text (" + err.Error() + ")",
			Hint: "check the file, or say its encoding", Fix: FixEncoding})
	}
	// A UTF-8 BOM that the encoding option did not expect.
	if bytes.HasPrefix(sample, []byte("\xEF\xBB\xBF")) {
		br.Discard(3)
		sample = sample[3:]
	}
	lineBase := 0
	sep := false
	delim := opt.Delimiter
	if d, n, ok := sepLine(sample); ok {
		br.Discard(n)
		sample = sample[n:]
		lineBase = 1
		sep = true
		if delim == 0 {
			delim = d
		}
	}
	if delim == 0 {
		delim = detectDelimiter(sample, len(sample) < sniffSize)
	}
	if delim == '"' || delim == '\r' || delim == '\n' || delim == utf8.RuneError {
		return fail(&FileError{Path: path, Problem: fmt.Sprintf("%q cannot be a delimiter", delim),
			Hint: "say which delimiter it uses: one of , ; tab |", Fix: FixDelimiter})
	}
	cr := csv.NewReader(br)
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = false
	r := &csvReader{path: path, file: f, r: cr, lineBase: lineBase, guard: guard,
		format: Format{Kind: "csv", Delimiter: delim, Encoding: enc, SepLine: sep}}

	rec, err := r.findHeader(opt.HeaderRow)
	if err != nil {
		return fail(err)
	}
	headerRow := r.top.HeaderLine
	h, err := checkHeader(path, fmt.Sprintf("header row %d", headerRow), rec)
	if err != nil {
		return fail(err)
	}
	r.header = h
	return r, nil
}

// findHeader reads up to the header: the first record when headerRow is
// 0 or 1 (blank lines before it are skipped), else the record on
// spreadsheet row headerRow. The records above it are the title rows.
func (r *csvReader) findHeader(headerRow int) ([]string, error) {
	for {
		rec, err := r.read()
		if err == io.EOF {
			if r.rowNum == 0 {
				return nil, &FileError{Path: r.path, Problem: "has no rows, not even a header",
					Hint: "check that you picked the right file"}
			}
			return nil, &FileError{Path: r.path, Problem: fmt.Sprintf("has only %d rows, so row %d cannot be the header", r.rowNum, headerRow),
				Hint: "check which row holds the column names", Fix: FixHeaderRow}
		}
		if err != nil {
			return nil, r.parseError(err)
		}
		switch {
		case headerRow > 1 && r.rowNum < headerRow:
			// Every record, blank ones too: they are rows above the header.
			r.top.Titles = append(r.top.Titles, Row{Line: r.rowNum, Cells: rec})
			continue
		case headerRow > 1 && r.rowNum > headerRow:
			return nil, &FileError{Path: r.path, Problem: fmt.Sprintf("header row %d is empty", headerRow),
				Hint: "say which row holds the column names, counting the rows as a spreadsheet shows them", Fix: FixHeaderRow}
		}
		r.top.HeaderLine = r.rowNum
		return rec, nil
	}
}

// detectEncoding names the encoding of a file starting with b: the one
// asked for, or the one its BOM says, or utf-8 when b is valid UTF-8, or
// windows-1252.
func detectEncoding(b []byte, asked string) (string, error) {
	switch strings.ToLower(strings.ReplaceAll(strings.TrimSpace(asked), "_", "-")) {
	case "":
	case "utf-8", "utf8":
		if bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) {
			return "utf-8-bom", nil
		}
		return "utf-8", nil
	case "utf-8-bom", "utf8-bom":
		return "utf-8-bom", nil
	case "windows-1252", "cp1252", "latin1", "latin-1", "iso-8859-1", "ansi":
		return "windows-1252", nil
	case "utf-16", "utf16", "unicode":
		if bytes.HasPrefix(b, []byte{0xFE, 0xFF}) {
			return "utf-16be", nil
		}
		return "utf-16le", nil
	case "utf-16le":
		return "utf-16le", nil
	case "utf-16be":
		return "utf-16be", nil
	default:
		return "", fmt.Errorf("encoding %q is not one this tool reads", asked)
	}
	switch {
	case bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")):
		return "utf-8-bom", nil
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return "utf-16le", nil
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return "utf-16be", nil
	}
	// The sample may end inside a multi-byte sequence.
	check := b
	if len(b) == sniffSize {
		for i := 0; i < utf8.UTFMax && len(check) > 0; i++ {
			if utf8.Valid(check) {
				break
			}
			check = check[:len(check)-1]
		}
	}
	if utf8.Valid(check) {
		return "utf-8", nil
	}
	return "windows-1252", nil
}

// sepLine recognises Excel's "sep=;" first line and returns the delimiter
// and the line's length with its line end.
func sepLine(b []byte) (rune, int, bool) {
	if len(b) < 5 || !strings.EqualFold(string(b[:4]), "sep=") {
		return 0, 0, false
	}
	d, size := utf8.DecodeRune(b[4:])
	rest := b[4+size:]
	n := 4 + size
	switch {
	case len(rest) == 0:
	case bytes.HasPrefix(rest, []byte("\r\n")):
		n += 2
	case rest[0] == '\n':
		n++
	default:
		return 0, 0, false
	}
	if d == '\r' || d == '\n' || d == '"' || d == utf8.RuneError {
		return 0, 0, false
	}
	return d, n, true
}

// detectDelimiter trial-parses sample with each delimiter and picks the one
// that splits the most records into the header's field count, which must
// be more than one; ties go to the earlier delimiter in , ; tab |.
func detectDelimiter(sample []byte, complete bool) rune {
	if !complete {
		// Drop the last, probably cut, line.
		if i := bytes.LastIndexByte(sample, '\n'); i > 0 {
			sample = sample[:i+1]
		}
	}
	best, bestScore := ',', 0
	for _, d := range delimiters {
		cr := csv.NewReader(bytes.NewReader(sample))
		cr.Comma = d
		cr.FieldsPerRecord = -1
		// The most common field count wins, not the first line's: a title
		// row above the header ("Kundlista december;;;") must not decide.
		widths := make(map[int]int)
		records := 0
		for n := 0; n < 1000; n++ {
			rec, err := cr.Read()
			if err != nil {
				break
			}
			if blank(rec) {
				continue
			}
			widths[len(rec)]++
			records++
		}
		width, count := 0, 0
		for w, c := range widths {
			if c > count || (c == count && w > width) {
				width, count = w, c
			}
		}
		if width < 2 {
			continue
		}
		if score := count - (records - count); score > bestScore {
			best, bestScore = d, score
		}
	}
	return best
}

// blank reports whether every field of rec is empty or white space.
func blank(rec []string) bool {
	for _, s := range rec {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

func (r *csvReader) Header() []string { return r.header }
func (r *csvReader) Format() Format   { return r.format }
func (r *csvReader) Top() Top         { return r.top }
func (r *csvReader) Close() error     { return r.file.Close() }

// read reads the next record; no record may be longer than maxRowBytes.
func (r *csvReader) read() ([]string, error) {
	r.guard.reset()
	rec, err := r.r.Read()
	if err == nil && len(rec) > 0 {
		r.lastLine, _ = r.r.FieldPos(len(rec) - 1)
		start, _ := r.r.FieldPos(0)
		r.count(start, r.lastLine+strings.Count(rec[len(rec)-1], "\n"))
	}
	return rec, err
}

// count numbers the record read from line start to line end as a
// spreadsheet shows it: each blank line before it is a row of its own
// (csv.Reader skips them), and a record whose values hold line breaks is
// one row. Excel's "sep=" line is no row.
func (r *csvReader) count(start, end int) {
	r.rowNum += max(start-r.endLine, 1)
	r.endLine = end
}

func (r *csvReader) Next() (Row, error) {
	if r.err != nil {
		return Row{}, r.err
	}
	for {
		rec, err := r.read()
		if err == io.EOF {
			return Row{}, io.EOF
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && pe.StartLine == pe.Line &&
				(errors.Is(pe.Err, csv.ErrBareQuote) || errors.Is(pe.Err, csv.ErrQuote)) {
				// The record's line was read to its end: report the row
				// and go on with the next line.
				r.lastLine = pe.Line
				r.count(pe.StartLine, pe.Line)
				return Row{
					Line:    r.rowNum,
					Cells:   make([]string, len(r.header)),
					Problem: fmt.Sprintf("column %d has a stray double quote (\"); put the whole value in double quotes and double every quote inside it (\"\"), or remove the quote", pe.Column),
				}, nil
			}
			r.err = r.parseError(err)
			return Row{}, r.err
		}
		if blank(rec) {
			continue
		}
		return r.row(r.rowNum, rec), nil
	}
}

func (r *csvReader) row(line int, rec []string) Row {
	w := len(r.header)
	row := Row{Line: line}
	switch {
	case len(rec) > w:
		var extra []string
		for _, s := range rec[w:] {
			if strings.TrimSpace(s) != "" {
				extra = append(extra, fmt.Sprintf("%q", s))
			}
		}
		if len(extra) > 0 {
			if len(extra) > 3 {
				extra = append(extra[:3], "…")
			}
			row.Problem = fmt.Sprintf("has %d values but the header has %d columns (extra: %s); check for a missing quote or a delimiter inside a value",
				len(rec), w, strings.Join(extra, ", "))
		}
		rec = rec[:w]
	case len(rec) < w:
		var missing []string
		for i := len(rec); i < w && len(missing) < 3; i++ {
			missing = append(missing, fmt.Sprintf("%s %q", colName(i), r.header[i]))
		}
		if w-len(rec) > 3 {
			missing = append(missing, "…")
		}
		row.Problem = fmt.Sprintf("has %d values but the header has %d columns (missing: %s); check for a missing delimiter or a line break inside a value",
			len(rec), w, strings.Join(missing, ", "))
		rec = append(rec, make([]string, w-len(rec))...)
	}
	if row.Problem == "" {
		for i, s := range rec {
			if !utf8.ValidString(s) {
				row.Problem = fmt.Sprintf("column %s %q has bytes that are not valid UTF-8; save the file as CSV UTF-8, or read it as windows-1252",
					colName(i), r.header[i])
				break
			}
		}
	}
	if row.Problem == "" {
		row.Problem = longCell(r.header, rec)
	}
	row.Cells = rec
	return row
}

func (r *csvReader) parseError(err error) error {
	if errors.Is(err, errRowTooLong) {
		line := r.lastLine + r.lineBase + 1
		return &FileError{Path: r.path, Row: line,
			Problem: fmt.Sprintf("the row from line %d on is longer than %d MB, far longer than any real row", line, maxRowBytes>>20),
			Hint:    "check that it is a CSV file; a double quote that is never closed makes the rest of the file one value"}
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		where := fmt.Sprintf("line %d", pe.StartLine+r.lineBase)
		if pe.Line != pe.StartLine {
			where = fmt.Sprintf("the value that starts on line %d (read up to line %d)", pe.StartLine+r.lineBase, pe.Line+r.lineBase)
		}
		return &FileError{Path: r.path, Problem: fmt.Sprintf("%s, column %d: %v", where, pe.Column, pe.Err),
			Hint: "a quoted value is not closed: find the opening double quote and add the closing one"}
	}
	return &FileError{Path: r.path, Problem: "cannot be read (" + err.Error() + ")", Hint: "check the file, or say its encoding", Fix: FixEncoding}
}
