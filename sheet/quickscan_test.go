package sheet

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// part is doc as the one part of a zip, as the checks take it.
func part(t *testing.T, name, doc string) *zip.File {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(doc))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	return zr.File[0]
}

// mutate changes doc at one place: a byte replaced, removed or put in, or
// a piece of XML (good or bad) put in.
func mutate(rng *rand.Rand, doc string) string {
	bits := []string{"<", ">", "&", ";", `"`, "'", "/", "\v", "\x00", "\xff", "\xc3", "]", "=", " ", "#", "x", "!", "?", "-", ":", "\r",
		"&nbsp;", "<!--c-->", "]]>", "&#1;", "&#x10FFFF;", "&#xD800;", "&#65;", "&#x;", "<![CDATA[ x ]]>", "</c>", "<c>", "<v>", "</v>",
		"&amp", "&lt;", `<?xml version="1.1"?>`, `<?xml version="1.0" encoding="latin1"?>`, "<!DOCTYPE x>", "<a b=c>", "<a b>", "<1a>",
		"<a:b:c>", "</a:b:c>", "<:a>", "<a/>", `<a b="<">`, "\uFFFE", "\u00e5", "<f/>", "<f>1</f>", "<is/>", `<row r="3">`, `<c r="B2">`}
	i := rng.IntN(len(doc) + 1)
	switch rng.IntN(3) {
	case 0:
		if i < len(doc) {
			return doc[:i] + doc[i+1:]
		}
	case 1:
		if i < len(doc) {
			return doc[:i] + bits[rng.IntN(len(bits))] + doc[i+1:]
		}
	}
	return doc[:i] + bits[rng.IntN(len(bits))] + doc[i:]
}

// noComment is doc without its comment, which the quick check leaves to
// the full check.
func noComment(doc string) string { return strings.Replace(doc, "<!-- c -->", "", 1) }

// The quick check of a worksheet never passes what the full check
// refuses, and learns the same: on thousands of damaged variants of sheets
// with every kind of cell.
func TestQuickSheetCheckNeverPassesWhatFullCheckRefuses(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	bases := []string{tenRows(), noComment(trickySheet("")), noComment(trickySheet("x:")), inRow6("&amp;&#65;&#x42;")}
	passed, refused := 0, 0
	for _, base := range bases {
		for range 300 {
			doc := mutate(rng, base)
			if rng.IntN(3) == 0 {
				doc = mutate(rng, doc)
			}
			facts, ok := quickScanSheet(part(t, "s.xml", doc))
			if !ok {
				refused++
				continue
			}
			passed++
			want, err := scanSheet("b.xlsx", "Blad1", part(t, "s.xml", doc))
			if err != nil {
				t.Fatalf("the quick check passed what the full check refuses (%v):\n%q", err, doc)
			}
			if !reflect.DeepEqual(facts, want) {
				t.Fatalf("quick check learnt %+v; the full check %+v:\n%q", facts, want, doc)
			}
		}
	}
	t.Logf("%d variants passed the quick check, %d were left to the full check", passed, refused)
	if passed < 150 || refused < 150 {
		t.Errorf("%d variants passed, %d refused: the variants do not test both ways", passed, refused)
	}
}

// The same for tables of text values, and their limit on the count.
func TestQuickStringsCheckNeverPassesWhatFullCheckRefuses(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	passed, refused := 0, 0
	for _, base := range []string{twoStrings, trickySST} {
		for range 600 {
			doc := mutate(rng, base)
			limit := 2 + rng.IntN(10)
			if !quickSharedStrings(part(t, "xl/sharedStrings.xml", doc), limit) {
				refused++
				continue
			}
			passed++
			if err := scanSharedStrings("b.xlsx", part(t, "xl/sharedStrings.xml", doc), limit); err != nil {
				t.Fatalf("the quick check passed what the full check refuses (%v):\n%q", err, doc)
			}
		}
	}
	t.Logf("%d variants passed the quick check, %d were left to the full check", passed, refused)
	if passed < 120 || refused < 120 {
		t.Errorf("%d variants passed, %d refused: the variants do not test both ways", passed, refused)
	}
}

// The quick check passes the sheets real programs write (else it saves
// nothing) and learns from each what the full check learns.
func TestQuickCheckPassesRealWorkbooks(t *testing.T) {
	var books []string
	filepath.WalkDir(filepath.Join("..", "testdata"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".xlsx") {
			books = append(books, p)
		}
		return err
	})
	checked := 0
	for _, p := range books {
		zr, err := zip.OpenReader(p)
		if err != nil {
			continue // encrypted: not a zip
		}
		for _, f := range zr.File {
			if !strings.Contains(f.Name, "worksheets/sheet") || !strings.HasSuffix(f.Name, ".xml") {
				continue
			}
			want, err := scanSheet(p, "s", f)
			if err != nil {
				continue // damaged on purpose
			}
			checked++
			got, ok := quickScanSheet(f)
			if !ok {
				t.Errorf("%s %s: the quick check leaves it to the full check", p, f.Name)
			} else if !reflect.DeepEqual(got, want) {
				t.Errorf("%s %s: quick check learnt %+v; the full check %+v", p, f.Name, got, want)
			}
		}
		zr.Close()
	}
	if checked < 25 {
		t.Errorf("checked %d sheets; the testdata holds more", checked)
	}
	for name, doc := range map[string]string{"ten rows": tenRows(), "every cell kind": noComment(trickySheet("")), "prefixed": noComment(trickySheet("x:"))} {
		if _, ok := quickScanSheet(part(t, "s.xml", doc)); !ok {
			t.Errorf("%s: the quick check leaves it to the full check", name)
		}
	}
	for name, doc := range map[string]string{"two strings": twoStrings, "every kind of string": trickySST} {
		if !quickSharedStrings(part(t, "s.xml", doc), 100) {
			t.Errorf("%s: the quick check leaves it to the full check", name)
		}
	}
}
