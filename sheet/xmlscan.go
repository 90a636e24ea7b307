package sheet

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
	"unicode/utf8"
)

// xmlScan reads the elements and text of a workbook part byte by byte,
// far faster than encoding/xml. It reads only XML the full check
// (scanWorkbook) has found well formed, so it checks little itself; it
// decodes what encoding/xml would: the five named entities, character
// references, CDATA sections and line ends (CR LF and CR become LF).
type xmlScan struct {
	br   *bufio.Reader
	raw  []byte // the bytes of the last token, reused
	text []byte // the decoded text of the last text token, reused
	tag  xmlTag
	// rawText is the last text token as it stands in the XML; cdata says
	// it was a CDATA section.
	rawText []byte
	cdata   bool
	// other is the kind of the last tokOther: '?' a processing
	// instruction, '-' a comment, '!' a declaration; raw holds it.
	other byte
}

// xmlTag is the tag last read.
type xmlTag struct {
	local []byte // the name without its prefix
	end   bool   // </x>
	empty bool   // <x/>
	attrs []byte // the raw text after the name
}

// token kinds
const (
	tokText = iota
	tokTag
	tokOther // comment, processing instruction, declaration
)

var errXMLBroken = errors.New("the XML is broken")

func newXMLScan(r io.Reader) *xmlScan {
	return &xmlScan{br: bufio.NewReaderSize(r, 1<<16)}
}

// readUntil appends to dst the bytes up to and including delim.
func (x *xmlScan) readUntil(dst []byte, delim byte) ([]byte, error) {
	for {
		b, err := x.br.ReadSlice(delim)
		dst = append(dst, b...)
		if err == bufio.ErrBufferFull {
			continue
		}
		return dst, err
	}
}

// next reads one token: text before a tag (tokText, decoded in x.text
// when keep is set), a tag (tokTag, in x.tag), or tokOther. CDATA is text.
func (x *xmlScan) next(keep bool) (int, error) {
	c, err := x.br.ReadByte()
	if err != nil {
		return 0, err
	}
	if c != '<' {
		x.br.UnreadByte()
		x.raw, err = x.readUntil(x.raw[:0], '<')
		x.rawText, x.cdata = x.raw, false
		switch {
		case err == nil:
			x.br.UnreadByte()
			x.rawText = x.raw[:len(x.raw)-1]
		case err != io.EOF:
			return 0, err
		}
		if keep {
			x.text = appendXMLText(x.text[:0], x.rawText)
		}
		return tokText, nil
	}
	c, err = x.br.ReadByte()
	if err != nil {
		return 0, io.ErrUnexpectedEOF
	}
	switch c {
	case '?':
		x.other = '?'
		return tokOther, x.skipPast("?>")
	case '!':
		return x.bang(keep)
	}
	x.br.UnreadByte()
	return tokTag, x.readTag()
}

// bang reads what follows "<!": a comment, a CDATA section (as text) or
// a declaration.
func (x *xmlScan) bang(keep bool) (int, error) {
	p, err := x.br.Peek(2)
	if err == nil && string(p) == "--" {
		x.other = '-'
		return tokOther, x.skipPast("-->")
	}
	if p, err := x.br.Peek(7); err == nil && string(p) == "[CDATA[" {
		x.br.Discard(7)
		if err := x.readPast("]]>"); err != nil {
			return 0, err
		}
		x.rawText, x.cdata = x.raw[:len(x.raw)-3], true
		if keep {
			x.text = appendLineEnds(x.text[:0], x.rawText)
		}
		return tokText, nil
	}
	x.other = '!'
	return tokOther, x.skipPast(">")
}

// readPast reads into x.raw up to and including end.
func (x *xmlScan) readPast(end string) error {
	x.raw = x.raw[:0]
	last := end[len(end)-1]
	for {
		var err error
		if x.raw, err = x.readUntil(x.raw, last); err != nil {
			return io.ErrUnexpectedEOF
		}
		if bytes.HasSuffix(x.raw, []byte(end)) {
			return nil
		}
	}
}

func (x *xmlScan) skipPast(end string) error { return x.readPast(end) }

// readTag reads a tag after its '<', up to its '>' (a '>' inside a quoted
// attribute value does not end it).
func (x *xmlScan) readTag() error {
	x.raw = x.raw[:0]
	for {
		var err error
		if x.raw, err = x.readUntil(x.raw, '>'); err != nil {
			return io.ErrUnexpectedEOF
		}
		if quotesClosed(x.raw) {
			break
		}
	}
	b := x.raw[:len(x.raw)-1]
	t := &x.tag
	t.end, t.empty = false, false
	if len(b) > 0 && b[0] == '/' {
		t.end, b = true, b[1:]
	}
	if n := len(b); n > 0 && b[n-1] == '/' {
		t.empty, b = true, b[:n-1]
	}
	i := 0
	for i < len(b) && !isXMLSpace(b[i]) {
		i++
	}
	t.local, t.attrs = localName(b[:i]), b[i:]
	return nil
}

// localName is a name without its prefix, as encoding/xml takes it: what
// follows the first colon, when something comes before and after it.
func localName(name []byte) []byte {
	if j := bytes.IndexByte(name, ':'); j > 0 && j < len(name)-1 {
		return name[j+1:]
	}
	return name
}

func quotesClosed(b []byte) bool {
	var q byte
	for _, c := range b {
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '"' || c == '\'':
			q = c
		}
	}
	return q == 0
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// is says whether the tag is a start (or empty) tag named local.
func (t *xmlTag) is(local string) bool { return !t.end && string(t.local) == local }

// ends says whether the tag is the end tag named local.
func (t *xmlTag) ends(local string) bool { return t.end && string(t.local) == local }

// attr is the decoded value of the attribute with the local name, and
// whether it is there. Of two with that local name (r and x:r) the last
// counts, as in excelize.
func (t *xmlTag) attr(local string) (string, bool) {
	var found []byte
	ok := false
	b := t.attrs
	for {
		i := 0
		for i < len(b) && isXMLSpace(b[i]) {
			i++
		}
		b = b[i:]
		eq := bytes.IndexByte(b, '=')
		rest := bytes.TrimLeft(b[eq+1:], " \t\r\n")
		if eq < 0 || len(rest) == 0 {
			break
		}
		name := localName(bytes.TrimRight(b[:eq], " \t\r\n"))
		end := bytes.IndexByte(rest[1:], rest[0])
		if end < 0 {
			break
		}
		if string(name) == local {
			found, ok = rest[1:1+end], true
		}
		b = rest[end+2:]
	}
	if !ok || bytes.IndexByte(found, '&') < 0 && bytes.IndexByte(found, '\r') < 0 {
		return string(found), ok
	}
	return string(appendXMLText(nil, found)), true
}

// appendLineEnds appends b with CR LF and lone CR made LF.
func appendLineEnds(dst, b []byte) []byte {
	for {
		i := bytes.IndexByte(b, '\r')
		if i < 0 {
			return append(dst, b...)
		}
		dst = append(dst, b[:i]...)
		dst = append(dst, '\n')
		b = b[i+1:]
		if len(b) > 0 && b[0] == '\n' {
			b = b[1:]
		}
	}
}

// appendXMLText appends the text b with its entities decoded and its line
// ends made LF.
func appendXMLText(dst, b []byte) []byte {
	for {
		i := bytes.IndexByte(b, '&')
		if i < 0 {
			return appendLineEnds(dst, b)
		}
		dst = appendLineEnds(dst, b[:i])
		b = b[i:]
		semi := bytes.IndexByte(b, ';')
		if semi < 0 {
			return append(dst, b...)
		}
		if r, ok := entity(b[1:semi]); ok {
			dst = utf8.AppendRune(dst, r)
		} else {
			dst = append(dst, b[:semi+1]...)
		}
		b = b[semi+1:]
	}
}

func entity(name []byte) (rune, bool) {
	switch string(name) {
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "amp":
		return '&', true
	case "quot":
		return '"', true
	case "apos":
		return '\'', true
	}
	if len(name) < 2 || name[0] != '#' {
		return 0, false
	}
	var n uint64
	var err error
	if name[1] == 'x' {
		n, err = strconv.ParseUint(string(name[2:]), 16, 32)
	} else {
		n, err = strconv.ParseUint(string(name[1:]), 10, 32)
	}
	if err != nil || n > utf8.MaxRune {
		return 0, false
	}
	return rune(n), true
}
