// Package suggest is sbimport's one did-you-mean rule, for mapping files,
// sheet headers, endpoints and field names alike.
package suggest

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Fold makes a name comparable however it was typed: lower case, no
// diacritics (ö → o, é → e), only letters and digits.
func Fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	var b strings.Builder
	for _, r := range strings.ToLower(out) {
		switch {
		case r == 'ø':
			b.WriteRune('o')
		case r == 'æ':
			b.WriteString("ae")
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Closest returns the candidate nearest to name, when it is near enough
// to be a plausible typo: by edit distance after folding (case,
// diacritics, blanks and punctuation ignored, so "Foretag" finds
// "Företag" and "sendtype" "send_type"), a name contained in the other
// counting as close. It is the one did-you-mean rule for mapping files,
// sheet headers and field names. Ties go to the earlier candidate.
func Closest(name string, candidates []string) (string, bool) {
	f := Fold(name)
	if f == "" {
		return "", false
	}
	best, bestD := "", 1<<30
	for _, c := range candidates {
		fc := Fold(c)
		d := distance(f, fc)
		if fc == f {
			d = 0
		} else if len(f) >= 3 && (strings.Contains(fc, f) || strings.Contains(f, fc)) && len(fc) >= 3 {
			d = min(d, 1+abs(len(fc)-len(f))/3)
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	if bestD > max(2, len([]rune(f))/3) {
		return "", false
	}
	return best, true
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// distance is the Levenshtein distance between a and b, by runes.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
