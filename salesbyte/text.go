package salesbyte

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// maxBodyText is how much of an answer's text (not a Laravel message)
// is kept.
const maxBodyText = 200

// bodyText turns an answer's body into one line of text of at most n
// runes (a cut marked "…"): markup stripped (script and style content
// dropped, entities decoded), control characters and runs of whitespace
// made one blank. A body that is not text is described by its size.
func bodyText(body []byte, isHTML bool, n int) string {
	if len(bytes.TrimSpace(body)) == 0 {
		return ""
	}
	if binary(body) {
		return fmt.Sprintf("an answer that is not text (%d bytes)", len(body))
	}
	// Enough text for n runes after collapsing, without reading a
	// megabyte of it.
	limit := 8*n + 64
	var s string
	if isHTML || looksHTML(body) {
		s = markupText(body, limit)
	} else {
		if len(body) > 4*limit {
			body = body[:4*limit]
		}
		s = string(body)
	}
	return truncate(collapse(s), n)
}

// looksHTML reports whether body starts with a tag, a doctype or a
// comment.
func looksHTML(body []byte) bool {
	b := bytes.TrimLeft(body, " \t\r\n\ufeff")
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	if len(b) < 2 || b[0] != '<' {
		return false
	}
	c := b[1]
	return c == '!' || c == '/' || c == '?' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

// binary reports whether body (judged on its first 8 KiB) is not text:
// it holds a NUL byte, or more than one in ten of its characters are
// invalid UTF-8 or control characters.
func binary(body []byte) bool {
	if len(body) > 8<<10 {
		body = body[:8<<10]
	}
	if bytes.IndexByte(body, 0) >= 0 {
		return true
	}
	bad, all := 0, 0
	for len(body) > 0 {
		r, size := utf8.DecodeRune(body)
		body = body[size:]
		all++
		if (r == utf8.RuneError && size == 1 && len(body) > 3) || (unicode.IsControl(r) && !unicode.IsSpace(r)) {
			bad++ // an invalid byte other than a rune cut at the end
		}
	}
	return bad*10 > all
}

// skipped are the elements whose content is not text for a reader.
var skipped = map[string]bool{"script": true, "style": true, "head": true, "template": true, "noscript": true, "svg": true}

// inline are the elements that do not break a line of text.
var inline = map[string]bool{"a": true, "b": true, "i": true, "em": true, "strong": true, "span": true, "code": true, "small": true, "u": true, "abbr": true, "sub": true, "sup": true}

// markupText is the text an HTML page shows, up to about limit bytes;
// the page's title when it shows none.
func markupText(body []byte, limit int) string {
	z := html.NewTokenizer(bytes.NewReader(body))
	var text, title strings.Builder
	skip, inTitle := "", false
	for text.Len() < limit {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return orTitle(text.String(), title.String())
		case html.TextToken:
			switch {
			case inTitle:
				title.Write(z.Text())
			case skip == "":
				text.Write(z.Text())
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			tag := string(name)
			switch {
			case tag == "title":
				inTitle = tt == html.StartTagToken
			case tt == html.StartTagToken && skip == "" && skipped[tag]:
				skip = tag
			case tt == html.EndTagToken && tag == skip,
				tt == html.StartTagToken && tag == "body" && skip == "head":
				skip = ""
			}
			if !inline[tag] {
				text.WriteByte(' ')
			}
		}
	}
	return orTitle(text.String(), title.String())
}

func orTitle(text, title string) string {
	if strings.TrimSpace(text) == "" {
		return title
	}
	return text
}

// collapse makes s one line: control and bidirectional-override
// characters become blanks, every run of blanks one blank, invalid UTF-8
// the replacement character.
func collapse(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || bidi(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	return strings.Join(strings.Fields(s), " ")
}

// bidi reports the characters that reorder how text displays.
func bidi(r rune) bool {
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069') || r == '\u200E' || r == '\u200F' || r == '\u061C'
}
