package importer

import (
	"fmt"
	"strings"

	"github.com/sbimport/sbimport/mapping"
	"github.com/sbimport/sbimport/sheet"
)

// RowOrigin says where the header row read came from.
type RowOrigin int

const (
	// RowDefault: nobody said; row 1.
	RowDefault RowOrigin = iota
	// RowGiven: the caller said (Config.Read.HeaderRow, the --header-row flag).
	RowGiven
	// RowFromMapping: the mapping's header_row:.
	RowFromMapping
)

// HeaderRowError: the row read as the header lacks most of the columns
// the mapping names, and another of the sheet's first rows holds them.
type HeaderRowError struct {
	Input   string
	Sheet   string // xlsx: the sheet read
	Mapping string // the mapping file
	Given   int    // the row read as the header
	Origin  RowOrigin
	Likely  int      // the row that holds the mapping's columns
	Found   []string // the mapping's columns row Likely holds
	Missing []string // the mapping's columns row Given lacks
}

func (e *HeaderRowError) Error() string {
	return fmt.Sprintf("row %d of %s is not the header: row %d holds the columns the mapping names (%s)",
		e.Given, e.Input, e.Likely, strings.Join(e.Found, ", "))
}

// guessRows is how many of a sheet's first rows GuessHeaderRow looks at.
const guessRows = 30

// HeaderGuess is the row of a sheet's first rows that looks most like its
// header.
type HeaderGuess struct {
	Row    int      // 0: no row could be read as a header
	Filled int      // how many cells of that row are filled
	Found  []string // with a mapping: the columns it names that the row holds
}

// GuessHeaderRow looks at the first rows of a sheet (read with ro, its
// HeaderRow ignored) for its header: with spec, the first row holding the
// most of the columns the mapping names; without, the first row with the
// most filled cells (a title or an export note above the real header has
// fewer).
func GuessHeaderRow(path string, ro sheet.Options, spec *mapping.Spec) HeaderGuess {
	var best HeaderGuess
	for i := 1; i <= guessRows; i++ {
		ro.HeaderRow = i
		r, err := sheet.Open(path, ro)
		if err != nil {
			continue // an empty row, one with unnamed columns, or past the end
		}
		header := r.Header()
		r.Close()
		g := HeaderGuess{Row: i, Filled: filledCells(header)}
		if spec == nil {
			if g.Filled > best.Filled {
				best = g
			}
			continue
		}
		var missing []string
		g.Found, missing = spec.ColumnsIn(header)
		if len(g.Found) > len(best.Found) {
			best = g
		}
		if len(missing) == 0 && len(g.Found) > 0 {
			break
		}
	}
	return best
}

func filledCells(header []string) int {
	n := 0
	for _, h := range header {
		if strings.TrimSpace(h) != "" {
			n++
		}
	}
	return n
}

// sheetOptions is how to read a sheet with a mapping, the one rule run,
// validate and reconcile follow: what the caller gives wins (Sheet not
// "", HeaderRow from 1); else the mapping's sheet: and header_row:; else
// the first visible sheet and row 1. The mapping's header_row: is that
// of the sheet it was written for: an sbimport output sheet, whose header
// is always on row 1, is read from row 1 whatever it says.
func sheetOptions(path string, given sheet.Options, spec *mapping.Spec) (sheet.Options, RowOrigin) {
	ro := given
	if ro.Sheet == "" {
		ro.Sheet = spec.Sheet()
	}
	if ro.HeaderRow > 0 {
		return ro, RowGiven
	}
	ro.HeaderRow = 1
	if spec.HeaderRow() <= 1 {
		return ro, RowDefault
	}
	if r, err := sheet.Open(path, ro); err == nil {
		isResult := splitColumns(r.Header()).isResult
		r.Close()
		if isResult {
			return ro, RowDefault
		}
	}
	ro.HeaderRow = spec.HeaderRow()
	return ro, RowFromMapping
}

// wrongHeaderRow says whether the header row read is likely the wrong
// one: most of the mapping's columns are not in header (nil: the row
// could not be read as a header at all) and another row holds more of
// them, at least half. It returns nil when it cannot tell.
func wrongHeaderRow(cfg *Config, spec *mapping.Spec, header []string, origin RowOrigin) *HeaderRowError {
	cols := spec.Columns()
	found, missing := spec.ColumnsIn(header)
	if len(cols) == 0 || len(missing) <= len(found) {
		return nil
	}
	g := GuessHeaderRow(cfg.Input, cfg.Read, spec)
	if g.Row == 0 || g.Row == cfg.Read.HeaderRow || len(g.Found) <= len(found) || 2*len(g.Found) < len(cols) {
		return nil
	}
	return &HeaderRowError{Input: cfg.Input, Sheet: cfg.Read.Sheet, Mapping: spec.File(), Given: cfg.Read.HeaderRow,
		Origin: origin, Likely: g.Row, Found: g.Found, Missing: missing}
}

// LikelyHeaderRow is the header row a sheet read with ro most likely has,
// when it is not ro's: a row of the first ones with at least three names
// and twice as many as the header read (first), which a title or an
// export note above the real header does not have. Its Row is 0 when the
// row read looks right. `sbimport init` and the page both ask it.
func LikelyHeaderRow(path string, ro sheet.Options, first []string) HeaderGuess {
	g := GuessHeaderRow(path, ro, nil)
	if g.Row != 0 && g.Row != max(ro.HeaderRow, 1) && g.Filled >= 3 && g.Filled >= 2*filledCells(first) {
		return g
	}
	return HeaderGuess{}
}
