package ui

import (
	"strings"

	"github.com/sbimport/sbimport/sheet"
)

// likelyHeaderRow looks at the first ten rows for the one with the most
// filled cells, the first such: a title or an export note above the real
// header has fewer. It is the check `sbimport init` makes; the page acts
// on it only when that row has at least three names and twice as many as
// row 1, and says so.
func likelyHeaderRow(path string, opts sheet.Options, first []string) int {
	best, bestN := 0, 0
	for i := 1; i <= 10; i++ {
		opts.HeaderRow = i
		r, err := sheet.Open(path, opts)
		if err != nil {
			continue // an empty row, or past the end
		}
		n := filled(r.Header())
		r.Close()
		if n > bestN {
			best, bestN = i, n
		}
	}
	if best > 1 && bestN >= 3 && bestN >= 2*filled(first) {
		return best
	}
	return 1
}

func filled(header []string) int {
	n := 0
	for _, h := range header {
		if strings.TrimSpace(h) != "" {
			n++
		}
	}
	return n
}
