package sheet

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// rowSource yields a worksheet's rows: each row element's number and its
// cells' text as excelize's Rows.Columns gives them (up to the last cell
// with a value, gaps as ""), or io.EOF.
type rowSource interface {
	next() (num int, cells []string, err error)
	// limit makes the rows from then on at most w cells wide: the reader
	// uses no more (the header is w wide), and a cell at column XFD on
	// every row would otherwise cost 16,384 cells a row.
	limit(w int)
	Close() error
}

// maxSheetRows is the last row number a worksheet can have.
const maxSheetRows = 1048576

// maxSheetCols is the last column a worksheet can have (XFD).
const maxSheetCols = 16384

// fastRows reads a worksheet's rows straight from its zip part with
// xmlScan: the same cells as excelize's Rows, several times faster.
type fastRows struct {
	zr     *zip.ReadCloser
	rc     io.ReadCloser
	x      *xmlScan
	vals   *cellValues
	row    int    // the number of the row last returned
	cur    int    // the number of the row element last read, as excelize counts
	inData bool   // inside sheetData
	done   bool   // sheetData ended
	ahead  rowTag // the next row's start tag, when read
	width  int    // the cells a row may have; 0: no limit
}

func (r *fastRows) limit(w int) { r.width = w }

func (r *fastRows) Close() error {
	r.rc.Close()
	r.vals.sst.Close()
	return r.zr.Close()
}

// rowTag is a row's start tag: its number (0 when it has none) and
// whether it is empty (<row/>).
type rowTag struct {
	num   int
	empty bool
	ok    bool
}

// next returns the next row. As excelize counts, a row element without a
// number is numbered one after the element before it (whatever number
// that one had, even one going back), and an element numbered at or below
// the row being read is read into it.
func (r *fastRows) next() (int, []string, error) {
	if r.done {
		return 0, nil, io.EOF
	}
	start := r.ahead
	r.ahead = rowTag{}
	if !start.ok {
		var err error
		if start, err = r.nextRowTag(); err != nil {
			return 0, nil, err
		}
	}
	num := start.num
	if num <= r.row {
		num = r.row + 1
	}
	if num > maxSheetRows {
		return 0, nil, fmt.Errorf("row %d is beyond the last row a sheet can have", num)
	}
	r.row = num
	var cells []string
	col := 0
	for {
		if !start.empty {
			var err error
			if cells, col, err = r.readRow(cells, col); err != nil {
				return 0, nil, err
			}
		}
		var err error
		start, err = r.nextRowTag()
		if err == io.EOF {
			return num, cells, nil
		}
		if err != nil {
			return 0, nil, err
		}
		if start.num > num {
			r.ahead = start
			return num, cells, nil
		}
	}
}

// nextRowTag reads up to the next row's start tag, or to the end of the
// sheet's data (io.EOF, and r.done).
func (r *fastRows) nextRowTag() (rowTag, error) {
	x := r.x
	for {
		kind, err := x.next(false)
		if err != nil {
			return rowTag{}, unexpected(err)
		}
		if kind != tokTag {
			continue
		}
		t := &x.tag
		switch {
		case t.is("sheetData") && t.empty, t.ends("sheetData"):
			r.done = true
			return rowTag{}, io.EOF
		case t.is("sheetData"):
			r.inData = true
		case r.inData && t.is("c"):
			// excelize reads it into the row before; it is in none
			return rowTag{}, errors.New("a cell stands outside any row")
		case r.inData && t.is("row"):
			num, err := rowNumber(t)
			if num == 0 {
				num = r.cur + 1
			}
			r.cur = num
			return rowTag{num: num, empty: t.empty, ok: err == nil}, err
		}
	}
}

// rowNumber is the number of a row's start tag, 0 when it has none. A
// number that is not one excelize refuses; one below 0 it misreads.
func rowNumber(t *xmlTag) (int, error) {
	n, ok := t.attr("r")
	if !ok {
		return 0, nil
	}
	num, err := strconv.Atoi(n)
	if err != nil || num < 0 {
		return 0, fmt.Errorf("row number %q is not valid", n)
	}
	return num, nil
}

// readRow reads the cells of a row up to its end tag, on from cells and
// the column col of the cell read last.
func (r *fastRows) readRow(cells []string, col int) ([]string, int, error) {
	for {
		kind, err := r.x.next(false)
		if err != nil {
			return nil, 0, unexpected(err)
		}
		if kind != tokTag {
			continue
		}
		t := &r.x.tag
		switch {
		case t.ends("row"):
			return cells, col, nil
		case t.is("row"):
			return nil, 0, errors.New("a row starts inside another row")
		case t.is("c"):
			col++
			c, err := r.readCell()
			if err != nil {
				return nil, 0, err
			}
			if c.ref != "" {
				n, ok := refColumn(c.ref)
				if !ok {
					return nil, 0, fmt.Errorf("cell reference %q is not valid", c.ref)
				}
				col = n
			}
			if col > maxSheetCols {
				return nil, 0, fmt.Errorf("a row has more cells than a sheet has columns (%d)", maxSheetCols)
			}
			if r.width > 0 && col > r.width {
				continue
			}
			val := r.vals.value(&c)
			if err := r.vals.sst.err; err != nil {
				return nil, 0, err
			}
			if val != "" || c.hasF {
				for i := len(cells) + 1; i < col; i++ {
					cells = append(cells, "")
				}
				cells = append(cells, val)
			}
		}
	}
}

// rawCell is a cell as its XML holds it.
type rawCell struct {
	ref, typ    string
	style       int
	v, is       string
	hasF, hasIS bool
}

// readCell reads a cell from its start tag (in x.tag) to its end.
func (r *fastRows) readCell() (rawCell, error) {
	x := r.x
	var c rawCell
	c.ref, _ = x.tag.attr("r")
	c.typ, _ = x.tag.attr("t")
	if s, ok := x.tag.attr("s"); ok {
		n, err := strconv.Atoi(s)
		if err != nil {
			return c, fmt.Errorf("cell style %q is not a number", s)
		}
		c.style = n
	}
	if x.tag.empty {
		return c, nil
	}
	for {
		kind, err := x.next(false)
		if err != nil {
			return c, unexpected(err)
		}
		if kind != tokTag {
			continue
		}
		t := &x.tag
		switch {
		case t.ends("c"):
			return c, nil
		case t.is("c"):
			// excelize matches its end by name space too: the readers
			// would each end the cell at a different </c>
			return c, errors.New("a cell starts inside another cell")
		case t.is("f"):
			c.hasF = true
			if !t.empty {
				if err := skipElement(x, "f"); err != nil {
					return c, err
				}
			}
		case t.is("v"):
			if !t.empty {
				if c.v, err = elementText(x, "v"); err != nil {
					return c, err
				}
			}
		case t.is("is"):
			c.hasIS = true
			if !t.empty {
				if c.is, err = readSI(x, "is"); err != nil {
					return c, err
				}
			}
		}
	}
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// skipElement reads up to the end tag named local, elements of the same
// name inside counted.
func skipElement(x *xmlScan, local string) error {
	depth := 1
	for {
		kind, err := x.next(false)
		if err != nil {
			return unexpected(err)
		}
		if kind != tokTag {
			continue
		}
		if x.tag.is(local) && !x.tag.empty {
			depth++
		} else if x.tag.ends(local) {
			if depth--; depth == 0 {
				return nil
			}
		}
	}
}

// elementText is the text directly inside the element named local (its
// start tag just read), up to its end tag; text inside elements within it
// is left out, as encoding/xml does.
func elementText(x *xmlScan, local string) (string, error) {
	var b []byte
	depth := 0
	for {
		kind, err := x.next(depth == 0)
		if err != nil {
			return "", unexpected(err)
		}
		switch {
		case kind == tokText && depth == 0:
			b = append(b, x.text...)
		case kind != tokTag:
		case x.tag.end && depth == 0 && string(x.tag.local) == local:
			return string(b), nil
		case x.tag.end:
			depth--
		case !x.tag.empty:
			depth++
		}
	}
}

// readSI reads a string item (a shared string's si, a cell's is) from its
// start tag to its end: the text of its own t, then of each run's t, as
// excelize joins them (phonetic runs, rPh, left out), with the _xHHHH_
// escapes decoded.
func readSI(x *xmlScan, local string) (string, error) {
	var plain string
	var runs strings.Builder
	for {
		kind, err := x.next(false)
		if err != nil {
			return "", unexpected(err)
		}
		if kind != tokTag {
			continue
		}
		t := &x.tag
		switch {
		case t.ends(local):
			return bstrDecode(plain + runs.String()), nil
		case t.is("t"):
			plain = ""
			if !t.empty {
				if plain, err = elementText(x, "t"); err != nil {
					return "", err
				}
			}
		case t.is("r") && !t.empty:
			text, err := readRun(x)
			if err != nil {
				return "", err
			}
			runs.WriteString(text)
		case !t.end && !t.empty:
			if err := skipElement(x, string(t.local)); err != nil {
				return "", err
			}
		}
	}
}

// readRun reads a rich-text run up to its end: the text of its t.
func readRun(x *xmlScan) (string, error) {
	text := ""
	for {
		kind, err := x.next(false)
		if err != nil {
			return "", unexpected(err)
		}
		if kind != tokTag {
			continue
		}
		t := &x.tag
		switch {
		case t.ends("r"):
			return text, nil
		case t.is("t"):
			text = ""
			if !t.empty {
				if text, err = elementText(x, "t"); err != nil {
					return "", err
				}
			}
		case !t.end && !t.empty:
			if err := skipElement(x, string(t.local)); err != nil {
				return "", err
			}
		}
	}
}

// refColumn is the 1-based column of a cell reference like "AB12" (or
// "$AB$12", as excelize reads it).
func refColumn(ref string) (int, bool) {
	col, i := 0, 0
	for ; i < len(ref); i++ {
		c := ref[i]
		switch {
		case c == '$':
		case 'A' <= c && c <= 'Z':
			col = col*26 + int(c-'A'+1)
		case 'a' <= c && c <= 'z':
			col = col*26 + int(c-'a'+1)
		default:
			goto digits
		}
		if col > maxSheetCols {
			return 0, false
		}
	}
digits:
	if col == 0 || i == len(ref) {
		return 0, false
	}
	row, err := strconv.Atoi(ref[i:])
	if err != nil || row < 1 || row > maxSheetRows {
		return 0, false
	}
	return col, true
}

// bstrDecode decodes the _xHHHH_ escapes of a string item, as excelize
// does: _x005F_ is an underscore, _xHHHH_ the character HHHH (none when
// HHHH is not one, as for a lone surrogate).
func bstrDecode(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "_x")
		if i < 0 || len(s)-i < 7 {
			b.WriteString(s)
			return b.String()
		}
		esc := s[i : i+7]
		if !isHex4(esc[2:6]) || esc[6] != '_' {
			b.WriteString(s[:i+1])
			s = s[i+1:]
			continue
		}
		b.WriteString(s[:i])
		s = s[i+7:]
		if esc == "_x005F_" {
			b.WriteByte('_')
			continue
		}
		if r, err := strconv.Unquote(`"\u` + esc[2:6] + `"`); err == nil {
			b.WriteString(r)
		}
	}
}

func isHex4(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
