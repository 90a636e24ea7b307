package sheet

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// dataSheetPart is the part excelize.NewFile gives its first sheet, which
// the writer streams the rows into (whatever the sheet is renamed to).
const dataSheetPart = "xl/worksheets/sheet1.xml"

// fastZip is a zip writer that deflates at flate.BestSpeed: an output
// sheet is written once and read a few times, and the default level spends
// several times the CPU for a file a few percent smaller.
func fastZip(w io.Writer) *zip.Writer {
	z := zip.NewWriter(w)
	z.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	return z
}

// sheetZip is the zip writer excelize saves the workbook through. It sends
// the zip straight to the file, so a large output never sits in memory
// whole, and it completes the data sheet's head, which excelize's stream
// writer leaves at <dimension ref="A1"/> and can only give column widths
// one column at a time, each call walking every column set before.
type sheetZip struct {
	*zip.Writer
	dimension string // the used range, e.g. "A1:Q5001"
	cols      string // the <cols> element
	open      *headWriter
}

func (z *sheetZip) Create(name string) (io.Writer, error) {
	if err := z.flush(); err != nil {
		return nil, err
	}
	w, err := z.Writer.Create(name)
	if err != nil || name != dataSheetPart {
		return w, err
	}
	z.open = &headWriter{w: w, dimension: z.dimension, cols: z.cols}
	return z.open, nil
}

func (z *sheetZip) Close() error {
	if err := z.flush(); err != nil {
		return err
	}
	return z.Writer.Close()
}

// flush writes what the data sheet's headWriter still holds: all of a
// sheet without <sheetData>, which excelize never writes.
func (z *sheetZip) flush() error {
	h := z.open
	z.open = nil
	if h == nil || h.done {
		return nil
	}
	h.done = true
	_, err := h.w.Write(h.head)
	return err
}

// colsXML is the <cols> element giving the columns widths, one <col> per
// run of columns of the same width.
func colsXML(widths []int) string {
	if len(widths) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("<cols>")
	for i := 0; i < len(widths); {
		j := i
		for j+1 < len(widths) && widths[j+1] == widths[i] {
			j++
		}
		b.WriteString(`<col min="` + strconv.Itoa(i+1) + `" max="` + strconv.Itoa(j+1) +
			`" width="` + strconv.Itoa(widths[i]) + `" customWidth="1"/>`)
		i = j + 1
	}
	b.WriteString("</cols>")
	return b.String()
}

// dimensionElem is the <dimension> element as excelize writes it.
var dimensionElem = regexp.MustCompile(`<dimension ref="[^"]*"\s*(?:/>|></dimension>)`)

// maxHead bounds what headWriter holds while it looks for <sheetData>.
const maxHead = 1 << 20

// headWriter holds the start of a worksheet's XML up to <sheetData>, puts
// the used range in its <dimension> and the <cols> before <sheetData>,
// and passes the rest through.
type headWriter struct {
	w               io.Writer
	dimension, cols string
	head            []byte
	done            bool
}

func (h *headWriter) Write(p []byte) (int, error) {
	if h.done {
		return h.w.Write(p)
	}
	h.head = append(h.head, p...)
	i := bytes.Index(h.head, []byte("<sheetData"))
	if i < 0 && len(h.head) < maxHead {
		return len(p), nil
	}
	h.done = true
	out := h.head
	if i >= 0 {
		start := dimensionElem.ReplaceAllLiteral(h.head[:i], []byte(`<dimension ref="`+h.dimension+`"/>`))
		out = append(append(start, h.cols...), h.head[i:]...)
	}
	h.head = nil
	if _, err := h.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}
