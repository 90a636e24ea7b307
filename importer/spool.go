package importer

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"os"

	"github.com/sbimport/sbimport/sheet"
)

// spool keeps the rows of a workbook read once in a private temporary
// file, so the passes after the first read them back instead of parsing
// the workbook again (unzipping and decoding XML costs far more than
// reading a flat file). The file holds customer data, so it is made
// readable by its owner only, unlinked at once where the system allows
// (nothing is left behind even by a crash), and removed at Close
// elsewhere.
//
// Each row is: line, problem, cell count, then each cell, then the count
// of date cells and each one's index; every number a uvarint and every
// text its length then its bytes.
type spool struct {
	f      *os.File
	name   string // "" once unlinked
	size   int64
	done   bool // every row was recorded: readers may use it
	header []string
	format sheet.Format
	top    sheet.Top
}

func newSpool(header []string, format sheet.Format) (*spool, error) {
	f, err := os.CreateTemp("", "sbimport-rows-*")
	if err != nil {
		return nil, err
	}
	sp := &spool{f: f, name: f.Name(), header: header, format: format}
	if os.Remove(sp.name) == nil {
		sp.name = ""
	}
	return sp, nil
}

// Close removes the spool.
func (sp *spool) Close() {
	sp.f.Close()
	if sp.name != "" {
		os.Remove(sp.name)
	}
}

// record wraps the first full read of the sheet: every row r yields is
// written to the spool as well.
func (sp *spool) record(r sheet.Reader) sheet.Reader {
	return &recorder{Reader: r, sp: sp, w: bufio.NewWriterSize(sp.f, 64<<10)}
}

// reader reads the recorded rows back.
func (sp *spool) reader() sheet.Reader {
	sec := io.NewSectionReader(sp.f, 0, sp.size)
	return &spoolReader{sp: sp, r: bufio.NewReaderSize(sec, 64<<10)}
}

type recorder struct {
	sheet.Reader
	sp     *spool
	w      *bufio.Writer
	buf    []byte
	failed bool
}

func (rc *recorder) Next() (sheet.Row, error) {
	row, err := rc.Reader.Next()
	switch {
	case err == io.EOF && !rc.failed:
		if rc.w.Flush() == nil {
			rc.sp.size, _ = rc.sp.f.Seek(0, io.SeekCurrent)
			rc.sp.done = true
		}
	case err == nil && !rc.failed:
		rc.buf = appendRow(rc.buf[:0], row)
		if _, werr := rc.w.Write(rc.buf); werr != nil {
			rc.failed = true // a full disk: later passes read the workbook again
		}
	}
	return row, err
}

func appendRow(b []byte, row sheet.Row) []byte {
	b = binary.AppendUvarint(b, uint64(row.Line))
	b = appendText(b, row.Problem)
	b = binary.AppendUvarint(b, uint64(len(row.Cells)))
	for _, c := range row.Cells {
		b = appendText(b, c)
	}
	dates := 0
	for i := range row.Cells {
		if row.IsDate(i) {
			dates++
		}
	}
	b = binary.AppendUvarint(b, uint64(dates))
	for i := range row.Cells {
		if row.IsDate(i) {
			b = binary.AppendUvarint(b, uint64(i))
		}
	}
	return b
}

func appendText(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

type spoolReader struct {
	sp *spool
	r  *bufio.Reader
}

func (s *spoolReader) Header() []string     { return s.sp.header }
func (s *spoolReader) Format() sheet.Format { return s.sp.format }
func (s *spoolReader) Top() sheet.Top       { return s.sp.top }
func (s *spoolReader) Close() error         { return nil }

// errSpool says the spool does not hold what was written to it.
var errSpool = errors.New("the temporary copy of the sheet's rows is damaged; run again")

func (s *spoolReader) Next() (sheet.Row, error) {
	line, err := binary.ReadUvarint(s.r)
	if err == io.EOF {
		return sheet.Row{}, io.EOF
	}
	if err != nil {
		return sheet.Row{}, errSpool
	}
	row := sheet.Row{Line: int(line)}
	if row.Problem, err = s.text(); err != nil {
		return row, err
	}
	n, err := binary.ReadUvarint(s.r)
	if err != nil || n > 1<<20 {
		return row, errSpool
	}
	row.Cells = make([]string, n)
	for i := range row.Cells {
		if row.Cells[i], err = s.text(); err != nil {
			return row, err
		}
	}
	dates, err := binary.ReadUvarint(s.r)
	if err != nil || dates > n {
		return row, errSpool
	}
	for ; dates > 0; dates-- {
		i, err := binary.ReadUvarint(s.r)
		if err != nil || i >= n {
			return row, errSpool
		}
		if row.Date == nil {
			row.Date = make([]bool, n)
		}
		row.Date[i] = true
	}
	return row, nil
}

func (s *spoolReader) text() (string, error) {
	n, err := binary.ReadUvarint(s.r)
	if err != nil || n > 1<<30 {
		return "", errSpool
	}
	if n == 0 {
		return "", nil
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(s.r, b); err != nil {
		return "", errSpool
	}
	return string(b), nil
}
