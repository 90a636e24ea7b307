package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Limits on what a sheet may hold. They are far above anything a real
// sheet holds, and keep a damaged or hostile file from taking the
// machine's memory.
const (
	// maxCellChars is Excel's own limit on the text of one cell. A longer
	// value could not be written back into an XLSX output either.
	maxCellChars = 32767
	// maxRowBytes bounds one row: a CSV record, or a row's XML in a
	// worksheet. A row beyond it is refused without being held in memory.
	maxRowBytes = 8 << 20
	// maxTextBytes bounds one run of text in a workbook's XML (between two
	// tags). A cell of maxCellChars characters, escaped, is well under it.
	maxTextBytes = 1 << 20
	// maxXMLDepth bounds how deep a workbook part nests its elements. Real
	// sheets nest about ten deep; every level is held while it is open.
	maxXMLDepth = 1000
	// maxInflation bounds how much larger the workbook's parts may be,
	// unpacked, than the file itself; real workbooks stay far below it.
	maxInflation = 100
	// minUnpackedLimit is the unpacked size every workbook may have,
	// whatever its size on disk.
	minUnpackedLimit = 64 << 20
)

var (
	errTextTooLong = errors.New("a value longer than any spreadsheet cell can hold")
	errRowTooLong  = errors.New("a row far larger than any real row")
	errTooDeep     = errors.New("elements nested far deeper than in any real workbook")
)

// textGuard fails a read once more than limit bytes come without a '<':
// no cell text is that long, and an XML decoder would hold all of it.
type textGuard struct {
	r     io.Reader
	run   int
	limit int
}

func (g *textGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	for b := p[:n]; len(b) > 0; {
		i := bytes.IndexByte(b, '<')
		if i < 0 {
			g.run += len(b)
			break
		}
		if g.run+i > g.limit {
			return 0, errTextTooLong
		}
		g.run, b = 0, b[i+1:]
	}
	if g.run > g.limit {
		return 0, errTextTooLong
	}
	return n, err
}

// rowGuard fails a read once more than limit bytes were read since the
// last call to reset: a CSV record that long is refused before it is held
// in memory whole.
type rowGuard struct {
	r     io.Reader
	n     int
	limit int
}

func (g *rowGuard) Read(p []byte) (int, error) {
	if g.n > g.limit {
		return 0, errRowTooLong
	}
	n, err := g.r.Read(p)
	g.n += n
	return n, err
}

func (g *rowGuard) reset() { g.n = 0 }

// cutMark ends a value an XLSX output had to cut to Excel's limit: read
// back, such a cell makes its row invalid, so the cut value is never sent
// as if it were the whole.
const cutMark = " …[cut by sbimport: longer than a cell can hold]"

// fitCell cuts a value longer than a spreadsheet cell may be, and marks it.
func fitCell(s string) string {
	if len(s) <= maxCellChars || utf8.RuneCountInString(s) <= maxCellChars {
		return s
	}
	keep := maxCellChars - utf8.RuneCountInString(cutMark)
	return string([]rune(s)[:keep]) + cutMark
}

// longCell says which cell of a row is longer than a spreadsheet cell may
// be, or was cut to fit one by an earlier output, or "" when none is.
func longCell(header, cells []string) string {
	for i, s := range cells {
		if strings.HasSuffix(s, cutMark) && i < len(header) {
			return fmt.Sprintf("column %s %q was cut to fit a spreadsheet cell when sbimport wrote this sheet; fix the value in the original sheet and send it from there",
				colName(i), header[i])
		}
		if len(s) <= maxCellChars {
			continue // fewer bytes than the limit: fewer characters too
		}
		if n := utf8.RuneCountInString(s); n > maxCellChars && i < len(header) {
			return fmt.Sprintf("column %s %q holds %s characters, more than the %s a spreadsheet cell can hold; shorten the value",
				colName(i), header[i], thousands(n), thousands(maxCellChars))
		}
	}
	return ""
}

// thousands writes n with a comma between thousands: 32,767.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// joinProblems joins a row's problems with "; ", skipping empty ones.
func joinProblems(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}
