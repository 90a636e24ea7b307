package explain

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/sbimport/sbimport/ledger"
)

// Held says, before anything is sent, why a group of rows is held back
// by the ledger, with the noun of the endpoint (quote, lead):
// "12 customers already have a quote in campaign vinter-2026 (first
// 2026-11-26 from kunder.xlsx); not sent again".
func Held(n Noun, h ledger.Held) string {
	cust := "customer"
	if h.N != 1 {
		cust = "customers"
	}
	have := "has"
	if h.N != 1 {
		have = "have"
	}
	first := ""
	if h.First != nil {
		first = fmt.Sprintf(" (first %s from %s)", h.First.When().Local().Format("2006-01-02"), filepath.Base(h.First.File))
	}
	where := ScopeName(h.Scope)
	switch h.Reason {
	case ledger.HeldCreated:
		return fmt.Sprintf("%s %s already %s %s %s%s; not sent again", Thousands(h.N), cust, have, article(n.Singular), where, first)
	case ledger.HeldUnknown:
		return fmt.Sprintf("%s %s may already %s %s %s: the answer was lost%s; not sent (reconcile that run, or send unknown rows again on purpose)", Thousands(h.N), cust, "have", article(n.Singular), where, first)
	case ledger.HeldInFlight:
		return fmt.Sprintf("%s %s %s being sent %s by another run right now%s; not sent", Thousands(h.N), cust, isAre(h.N), where, first)
	case ledger.HeldNotWithin:
		return fmt.Sprintf("%s %s got something from this integration too recently%s; not sent (the not-within rule)", Thousands(h.N), cust, first)
	}
	return fmt.Sprintf("%s %s held back (%s)", Thousands(h.N), cust, h.Reason)
}

// ScopeName puts a ledger scope in words: "in campaign vinter-2026",
// "through the quote endpoint".
func ScopeName(scope string) string {
	if c, ok := strings.CutPrefix(scope, "campaign:"); ok {
		return "in campaign " + c
	}
	if e, ok := strings.CutPrefix(scope, "endpoint:"); ok {
		return "through the " + e + " endpoint"
	}
	return "in " + scope
}

func article(noun string) string {
	if noun != "" && strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}
