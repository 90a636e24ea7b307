package sheet

import (
	"archive/zip"
	"bytes"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The quick check reads a part with xmlScan, several times faster than the
// full check with encoding/xml, and passes only XML it is sure
// encoding/xml reads without error: plain names, the five named entities
// and character references to allowed characters, CDATA, an XML
// declaration of version 1.0 in UTF-8, nothing else. Whatever it is not
// sure of (a comment, a DOCTYPE, a damaged byte, a part near a limit) it
// leaves to the full check, which refuses it or passes it, and words why.

// quickCheck is the state of a quick check of one part.
type quickCheck struct {
	x     *xmlScan
	count *countingReader
	open  [][]byte // the names of the elements started and not yet ended
	// rooted says the top element has started: a second one goes to the
	// full check.
	rooted bool
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// quickMargin is how far the byte count of a quick check may be off (the
// reader's buffer): a row that close to its limit goes to the full check.
const quickMargin = 1 << 17

func newQuickCheck(f *zip.File) (*quickCheck, io.Closer, bool) {
	rc, err := f.Open()
	if err != nil {
		return nil, nil, false
	}
	c := &countingReader{r: &textGuard{r: rc, limit: maxTextBytes}}
	return &quickCheck{x: newXMLScan(c), count: c}, rc, true
}

// next reads a token and checks it; false when the part ended or the
// token is not certainly well formed (done tells which).
func (q *quickCheck) next() (kind int, done, ok bool) {
	kind, err := q.x.next(false)
	if err == io.EOF {
		return 0, true, len(q.open) == 0
	}
	if err != nil {
		return 0, false, false
	}
	switch kind {
	case tokText:
		if q.x.cdata {
			return kind, false, validChars(q.x.rawText)
		}
		return kind, false, validText(q.x.rawText, -1)
	case tokOther:
		return kind, false, q.x.other == '?' && xmlDecl(q.x.raw)
	}
	return kind, false, q.tag()
}

// tag checks the tag just read and follows the elements it starts and ends.
func (q *quickCheck) tag() bool {
	b := q.x.raw[:len(q.x.raw)-1] // without '>'
	if len(b) > 0 && b[0] == '/' {
		name, rest := plainName(b[1:])
		if name == nil || len(bytes.Trim(rest, " \t\r\n")) > 0 {
			return false
		}
		n := len(q.open)
		if n == 0 || !bytes.Equal(q.open[n-1], name) {
			return false
		}
		q.open = q.open[:n-1]
		return true
	}
	empty := len(b) > 0 && b[len(b)-1] == '/'
	if empty {
		b = b[:len(b)-1]
	}
	name, rest := plainName(b)
	if name == nil || !validAttrs(rest) || len(q.open) == 0 && q.rooted {
		return false
	}
	q.rooted = true
	if !empty {
		if len(q.open) >= maxXMLDepth {
			return false // the full check refuses it, in words
		}
		q.open = append(q.open, bytes.Clone(name))
	}
	return true
}

// plainName splits off the name at the start of b: ASCII letters, digits
// and _ . - with at most one colon inside, not starting with a digit, a
// dot or a hyphen. nil when b starts with none.
func plainName(b []byte) (name, rest []byte) {
	i, colons := 0, 0
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', c == '_':
		case '0' <= c && c <= '9', c == '.', c == '-':
			if i == 0 {
				return nil, nil
			}
		case c == ':':
			colons++
		default:
			goto end
		}
	}
end:
	if i == 0 || colons > 1 || b[0] == ':' || b[i-1] == ':' {
		return nil, nil
	}
	if i < len(b) && !isXMLSpace(b[i]) && b[i] != '/' && b[i] != '=' {
		return nil, nil
	}
	return b[:i], b[i:]
}

// validAttrs checks the attributes of a start tag: name="value" or
// name='value', each value valid text without '<', no name twice.
func validAttrs(b []byte) bool {
	var buf [8][]byte
	seen := buf[:0]
	for {
		b = bytes.TrimLeft(b, " \t\r\n")
		if len(b) == 0 {
			return true
		}
		name, rest := plainName(b)
		if name == nil {
			return false
		}
		for _, s := range seen {
			if bytes.Equal(s, name) {
				return false
			}
		}
		seen = append(seen, name)
		rest = bytes.TrimLeft(rest, " \t\r\n")
		if len(rest) == 0 || rest[0] != '=' {
			return false
		}
		rest = bytes.TrimLeft(rest[1:], " \t\r\n")
		if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
			return false
		}
		end := bytes.IndexByte(rest[1:], rest[0])
		if end < 0 || !validText(rest[1:1+end], int(rest[0])) {
			return false
		}
		b = rest[end+2:]
	}
}

// validText checks text (quote < 0) or an attribute value: allowed
// characters in valid UTF-8, entities that are the five named ones or
// references to allowed characters, no ]]> in text, no < in a value.
func validText(b []byte, quote int) bool {
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == '&':
			semi := bytes.IndexByte(b[i:], ';')
			if semi < 0 {
				return false
			}
			if r, ok := entity(b[i+1 : i+semi]); !ok || !allowedRune(r) || !plainEntity(b[i+1:i+semi]) {
				return false
			}
			i += semi + 1
		case c == '<':
			return false
		case c == '>' && quote < 0 && i >= 2 && b[i-1] == ']' && b[i-2] == ']':
			return false
		case c < utf8.RuneSelf:
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return false
			}
			i++
		default:
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size == 1 || !allowedRune(r) {
				return false
			}
			i += size
		}
	}
	return true
}

// plainEntity says whether an entity's name is written as encoding/xml
// reads it: a named one, or # and digits, or #x and hex digits.
func plainEntity(name []byte) bool {
	if len(name) > 0 && name[0] != '#' {
		return true // entity has checked it is one of the five
	}
	digits := name[1:]
	hex := len(digits) > 0 && digits[0] == 'x'
	if hex {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 8 {
		return false
	}
	for _, c := range digits {
		if !('0' <= c && c <= '9' || hex && ('a' <= c && c <= 'f' || 'A' <= c && c <= 'F')) {
			return false
		}
	}
	return true
}

// validChars checks a CDATA section's characters.
func validChars(b []byte) bool {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 || !allowedRune(r) {
			return false
		}
		i += size
	}
	return true
}

func allowedRune(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

var xmlDeclPattern = regexp.MustCompile(`^xml(\s+(version|encoding|standalone)\s*=\s*"([^"<&]*)")*\s*\?>$`)
var xmlDeclAttr = regexp.MustCompile(`(version|encoding)\s*=\s*"([^"]*)"`)

// xmlDecl says whether a processing instruction (after its "<?") is an
// XML declaration encoding/xml takes: version 1.0, UTF-8.
func xmlDecl(raw []byte) bool {
	if !xmlDeclPattern.Match(raw) {
		return false
	}
	for _, m := range xmlDeclAttr.FindAllSubmatch(raw, -1) {
		v := string(m[2])
		if string(m[1]) == "version" && v != "1.0" || string(m[1]) == "encoding" && !strings.EqualFold(v, "utf-8") {
			return false
		}
	}
	return true
}

// quickSharedStrings checks a shared-strings part quickly: true when it is
// certainly well formed and within the limits.
func quickSharedStrings(f *zip.File, maxCount int) bool {
	q, rc, ok := newQuickCheck(f)
	if !ok {
		return false
	}
	defer rc.Close()
	count := 0
	for {
		kind, done, ok := q.next()
		if done || !ok {
			return done && ok
		}
		if kind == tokTag && q.x.tag.is("si") {
			if count++; count > maxCount {
				return false
			}
		}
	}
}

// quickScanSheet checks a worksheet quickly and learns what scanSheet
// learns; false when the full check must decide.
func quickScanSheet(f *zip.File) (*sheetFacts, bool) {
	q, rc, ok := newQuickCheck(f)
	if !ok {
		return nil, false
	}
	defer rc.Close()
	s := &sheetScan{gaps: make(map[int][]int)}
	for {
		kind, done, ok := q.next()
		if !ok {
			return nil, false
		}
		if done {
			return &sheetFacts{gaps: s.gaps, lastRow: s.row}, s.ended
		}
		if s.inRow && q.count.n-s.rowStart > maxRowBytes-quickMargin {
			return nil, false
		}
		q.follow(s, kind)
	}
}

// follow does for the token just read what sheetScan.take does.
func (q *quickCheck) follow(s *sheetScan, kind int) {
	x := q.x
	if kind == tokText {
		text := x.rawText
		if !x.cdata {
			text = appendXMLText(x.text[:0], text)
		}
		if s.inV && len(bytes.TrimSpace(text)) > 0 {
			s.hasV = true
		}
		return
	}
	if kind != tokTag {
		return
	}
	t := &x.tag
	if !t.end {
		switch string(t.local) {
		case "row":
			if n, err := strconv.Atoi(attrOr(t, "r")); err == nil {
				s.row = n
			} else {
				s.row++
			}
			s.inRow, s.rowStart = true, q.count.n
		case "c":
			s.inCell, s.hasF, s.hasV, s.ref = true, false, false, attrOr(t, "r")
		case "f":
			s.hasF = s.inCell
		case "v":
			s.inV = s.inCell
		case "is":
			s.hasV = s.hasV || s.inCell
		}
	}
	if t.end || t.empty {
		s.end(string(t.local))
	}
}

func attrOr(t *xmlTag, local string) string {
	v, _ := t.attr(local)
	return v
}
