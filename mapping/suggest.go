package mapping

import "github.com/sbimport/sbimport/internal/suggest"

// fold makes a name comparable however it was typed; see suggest.Fold.
func fold(s string) string { return suggest.Fold(s) }

// Closest returns the candidate nearest to name when it is a plausible
// typo; see suggest.Closest.
func Closest(name string, candidates []string) (string, bool) {
	return suggest.Closest(name, candidates)
}

// didYouMean formats a suggestion, or "" when there is none.
func didYouMean(name string, candidates []string) string {
	if c, ok := Closest(name, candidates); ok {
		return "; did you mean \"" + c + "\"?"
	}
	return ""
}
