package sheet

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
)

// The XML reader of excelize stops at the first damaged byte of a sheet
// (a control character, an undefined entity, a cut-off file) and reports
// nothing: the rows after it would silently be missing. So before the rows
// are read, the parts they come from are read here in full, checked, and
// refused with the row where the damage is.

const reSave = "open it in Excel or LibreOffice and save it again as .xlsx"

var errDirective = errors.New("a DOCTYPE declaration, which workbooks never hold")

// checkUnpackedSize refuses a workbook whose parts, unpacked, would be far
// larger than the file: a compressed bomb, not a spreadsheet. It reads only
// the zip's directory, before anything is unpacked.
func checkUnpackedSize(file string) error {
	st, err := os.Stat(file)
	if err != nil {
		return errDamaged(file)
	}
	zr, err := zip.OpenReader(file)
	if err != nil {
		return errDamaged(file)
	}
	defer zr.Close()
	limit := max(uint64(minUnpackedLimit), maxInflation*uint64(st.Size()))
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > limit {
			return &FileError{Path: file,
				Problem: fmt.Sprintf("would unpack to more than %s MB (%s alone to %s MB), far more than any real workbook of its size", thousands(int(total>>20)), f.Name, thousands(int(f.UncompressedSize64>>20))),
				Hint:    "check that it is the right file; " + reSave}
		}
	}
	return nil
}

// sheetFacts is what the check of a worksheet learnt.
type sheetFacts struct {
	// gaps lists, per sheet row number, the 0-based columns of the cells
	// holding a formula but no saved value.
	gaps map[int][]int
	// lastRow is the number of the sheet's last row element: the reader
	// must get that far.
	lastRow int
}

// scanWorkbook reads the shared strings and the worksheet called sheet in
// full. It refuses damaged XML, a shared-strings table larger than the
// sheets could use, and values or rows beyond the limits.
func scanWorkbook(file, sheet string) (*sheetFacts, error) {
	zr, err := zip.OpenReader(file)
	if err != nil {
		return nil, errDamaged(file)
	}
	defer zr.Close()
	files := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		files[strings.TrimPrefix(f.Name, "/")] = f
	}
	parts, err := sheetParts(files)
	if err != nil {
		return nil, &FileError{Path: file, Problem: "has a damaged list of sheets (" + xmlProblem(err) + ")", Hint: reSave}
	}
	var sheetBytes uint64
	for _, p := range parts {
		if f := files[p]; f != nil {
			sheetBytes += f.UncompressedSize64
		}
	}
	// The quick checks pass what is certainly well formed; the rest the
	// full checks refuse, or pass, and say why.
	if sst := files[sharedStringsPath(files)]; sst != nil && !quickSharedStrings(sst, 1024+int(sheetBytes/16)) {
		if err := scanSharedStrings(file, sst, 1024+int(sheetBytes/16)); err != nil {
			return nil, err
		}
	}
	part := files[parts[sheet]]
	if part == nil {
		return &sheetFacts{gaps: map[int][]int{}}, nil
	}
	if facts, ok := quickScanSheet(part); ok {
		return facts, nil
	}
	return scanSheet(file, sheet, part)
}

// sharedStringsPath is the path of the workbook's shared-strings part.
func sharedStringsPath(files map[string]*zip.File) string {
	p := "xl/sharedStrings.xml"
	scanXML(files["xl/_rels/workbook.xml.rels"], func(t xml.StartElement) {
		if t.Name.Local == "Relationship" && strings.HasSuffix(attr(t, "Type"), "/sharedStrings") {
			if target := attr(t, "Target"); strings.HasPrefix(target, "/") {
				p = strings.TrimPrefix(target, "/")
			} else if target != "" {
				p = path.Join("xl", target)
			}
		}
	})
	return p
}

// xmlReader reads a part's XML token by token, checking that it is well
// formed. It uses the decoder's raw tokens, which skip the namespace work
// this check does not need, and matches the tags itself.
type xmlReader struct {
	dec    *xml.Decoder
	open   []xml.Name // the elements started and not yet ended
	rooted bool       // the top element has started
}

// errTwoRoots: XML has one top element. encoding/xml does not check it;
// excelize reads a table of text values' first element only, and fastRows
// every si, which would number the strings differently.
var errTwoRoots = errors.New("a second top element, which XML does not allow")

// errAttrTwice: encoding/xml does not check it either; excelize and
// fastRows would each take a different one of the two.
var errAttrTwice = errors.New("an attribute given twice in one tag, which XML does not allow")

// twice says whether two of attrs have the same name.
func twice(attrs []xml.Attr) bool {
	for i := 1; i < len(attrs); i++ {
		for j := 0; j < i; j++ {
			if attrs[i].Name == attrs[j].Name {
				return true
			}
		}
	}
	return false
}

var errMismatch = errors.New("an element is not closed where it should be")

// newXMLReader reads r, failing on text runs beyond maxTextBytes.
func newXMLReader(r io.Reader) *xmlReader {
	return &xmlReader{dec: xml.NewDecoder(bufio.NewReaderSize(&textGuard{r: r, limit: maxTextBytes}, 1<<16))}
}

// token is the next token; a DOCTYPE, a mismatched end tag or the end of
// the part inside an element is an error. CharData is valid until the
// next call.
func (x *xmlReader) token() (xml.Token, error) {
	tok, err := x.dec.RawToken()
	if err == io.EOF && len(x.open) > 0 {
		return nil, io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case xml.Directive:
		return nil, errDirective
	case xml.StartElement:
		if len(x.open) >= maxXMLDepth {
			return nil, errTooDeep
		}
		if len(x.open) == 0 && x.rooted {
			return nil, errTwoRoots
		}
		if twice(t.Attr) {
			return nil, errAttrTwice
		}
		x.rooted = true
		x.open = append(x.open, t.Name)
	case xml.EndElement:
		if n := len(x.open); n == 0 || x.open[n-1] != t.Name {
			return nil, errMismatch
		}
		x.open = x.open[:len(x.open)-1]
	}
	return tok, nil
}

// xmlProblem words a decoding error for people.
func xmlProblem(err error) string {
	var se *xml.SyntaxError
	switch {
	case errors.As(err, &se) && se.Msg == "unexpected EOF", errors.Is(err, io.ErrUnexpectedEOF):
		return "it ends in the middle"
	case errors.As(err, &se):
		return se.Msg
	case errors.Is(err, zip.ErrFormat), errors.Is(err, zip.ErrChecksum):
		return "it is corrupt"
	}
	return err.Error()
}

// scanSharedStrings reads the shared-strings table in full: damaged XML,
// a DOCTYPE, a text beyond the limits, or more than maxCount strings make
// the file refused.
func scanSharedStrings(file string, f *zip.File, maxCount int) error {
	rc, err := f.Open()
	if err != nil {
		return errDamaged(file)
	}
	defer rc.Close()
	x := newXMLReader(rc)
	count := 0
	for {
		tok, err := x.token()
		if err == io.EOF {
			return nil
		}
		if errors.Is(err, errTextTooLong) {
			return &FileError{Path: file, Problem: "holds a text value longer than any spreadsheet cell can hold (in " + f.Name + ")",
				Hint: "check that it is the right file"}
		}
		if err != nil {
			return &FileError{Path: file,
				Problem: "has a damaged table of text values (" + f.Name + ": " + xmlProblem(err) + "), so its text cells cannot be read",
				Hint:    reSave}
		}
		if t, ok := tok.(xml.StartElement); ok && t.Name.Local == "si" {
			if count++; count > maxCount {
				return &FileError{Path: file,
					Problem: fmt.Sprintf("has more text values (over %s) than its sheets can hold", thousands(maxCount)),
					Hint:    "check that it is the right file; " + reSave}
			}
		}
	}
}

// sheetScan is the state of scanSheet.
type sheetScan struct {
	file, sheet string
	x           *xmlReader
	row         int   // the row last started
	inRow       bool  // inside that row's element
	rowStart    int64 // the decoder's offset at the row's start
	ended       bool  // </sheetData> seen
	gaps        map[int][]int
	// the cell being read
	inCell, hasF, hasV, inV bool
	ref                     string
}

// scanSheet reads a worksheet in full and refuses it when its XML is
// damaged or ends before its rows do (naming the row), or when a row is
// beyond the limits. It finds the cells holding a formula but no saved
// value: excelize reads those as empty, which would silently send nothing
// where the user sees a value.
func scanSheet(file, sheet string, f *zip.File) (*sheetFacts, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, errDamaged(file)
	}
	defer rc.Close()
	s := &sheetScan{file: file, sheet: sheet, x: newXMLReader(rc), gaps: make(map[int][]int)}
	for {
		tok, err := s.x.token()
		if err == io.EOF {
			if !s.ended {
				return nil, s.damaged(io.ErrUnexpectedEOF)
			}
			return &sheetFacts{gaps: s.gaps, lastRow: s.row}, nil
		}
		if err != nil {
			return nil, s.damaged(err)
		}
		if err := s.take(tok); err != nil {
			return nil, err
		}
	}
}

// take follows one token of the sheet.
func (s *sheetScan) take(tok xml.Token) error {
	if s.inRow && s.x.dec.InputOffset()-s.rowStart > maxRowBytes {
		return s.damaged(errRowTooLong)
	}
	switch t := tok.(type) {
	case xml.StartElement:
		s.start(t)
	case xml.CharData:
		if s.inV && len(bytes.TrimSpace(t)) > 0 {
			s.hasV = true
		}
	case xml.EndElement:
		s.end(t.Name.Local)
	}
	return nil
}

// end follows the end of an element named local.
func (s *sheetScan) end(local string) {
	switch local {
	case "v":
		s.inV = false
	case "c":
		if s.hasF && !s.hasV {
			if col, row, ok := splitRef(s.ref); ok {
				s.gaps[row] = append(s.gaps[row], col)
			}
		}
		s.inCell = false
	case "row":
		s.inRow = false
	case "sheetData":
		s.ended = true
	}
}

func (s *sheetScan) start(t xml.StartElement) {
	switch t.Name.Local {
	case "row":
		if n, err := strconv.Atoi(attr(t, "r")); err == nil {
			s.row = n
		} else {
			s.row++ // no r attribute: the row after the last one
		}
		s.inRow, s.rowStart = true, s.x.dec.InputOffset()
	case "c":
		s.inCell, s.hasF, s.hasV, s.ref = true, false, false, attr(t, "r")
	case "f":
		s.hasF = s.inCell
	case "v":
		s.inV = s.inCell
	case "is":
		s.hasV = s.hasV || s.inCell // an inline string is a value
	}
}

// damaged words what is wrong with the sheet, and where.
func (s *sheetScan) damaged(err error) error {
	where := fmt.Sprintf("at row %d", s.row)
	switch {
	case s.row == 0:
		where = "before its first row"
	case !s.inRow:
		where = fmt.Sprintf("after row %d", s.row)
	}
	fe := &FileError{Path: s.file, Row: s.row, Hint: reSave}
	switch {
	case errors.Is(err, errRowTooLong):
		fe.Problem = fmt.Sprintf("sheet %q, row %d holds more than %d MB, far more than any real row", s.sheet, s.row, maxRowBytes>>20)
		fe.Hint = "check that it is the right file"
	case errors.Is(err, errTextTooLong):
		fe.Problem = fmt.Sprintf("sheet %q, row %d holds a value longer than any spreadsheet cell can hold", s.sheet, s.row)
		fe.Hint = "check that it is the right file"
	case errors.Is(err, errTooDeep):
		fe.Problem = fmt.Sprintf("sheet %q holds %s (%s), so it cannot be read", s.sheet, errTooDeep, where)
		fe.Hint = "check that it is the right file"
	default:
		fe.Problem = fmt.Sprintf("sheet %q is damaged %s (%s), so the rows from there on cannot be read", s.sheet, where, xmlProblem(err))
	}
	return fe
}
