package main

import (
	"fmt"
	"io"

	"github.com/sbimport/sbimport/explain"
	"github.com/sbimport/sbimport/importer"
)

// printPlan shows what a run is about to do, before anything is sent.
func printPlan(w io.Writer, p importer.Plan) {
	n := explain.NounFor(p.Endpoint)
	fmt.Fprintf(w, "Plan: create %s (%s endpoint)\n", n.Plural, p.Endpoint)
	fmt.Fprintf(w, "  input:   %s", p.Input)
	if p.Sheet != "" {
		fmt.Fprintf(w, " (sheet %q)", p.Sheet)
	}
	fmt.Fprintf(w, ", %s rows\n", explain.Thousands(p.Rows))
	fmt.Fprintf(w, "  output:  %s\n", p.Output)
	if p.Resumed {
		fmt.Fprintf(w, "  resuming the unfinished run recorded in %s\n", p.Journal)
	}
	fmt.Fprintf(w, "  to send:              %s\n", explain.Thousands(p.ToSend))
	if p.Invalid > 0 {
		fmt.Fprintf(w, "  invalid (not sent):   %s  (every problem is listed in sb_error)\n", explain.Thousands(p.Invalid))
	}
	if p.Dupes > 0 {
		fmt.Fprintf(w, "  duplicates (skipped): %s  (same key as an earlier row; --allow-duplicates sends them)\n", explain.Thousands(p.Dupes))
	}
	printKept(w, p.Kept)
	printHeld(w, p)
	for _, d := range p.Deliveries {
		fmt.Fprintf(w, "  %s %s %s\n", explain.Thousands(d.N), n.For(d.N), explain.Delivery(p.Endpoint, d.Delivery))
	}
	if p.ToSend > 0 {
		if p.MaxRate > 0 {
			fmt.Fprintf(w, "  rate: auto, from %g up to %g requests/s (the most SalesByte accepts), about %s at most\n",
				p.Rate, p.MaxRate, explain.Duration(float64(p.ToSend)/p.Rate))
		} else if p.Rate > 0 {
			secs := float64(p.ToSend) / p.Rate
			fmt.Fprintf(w, "  rate: %g requests/s, about %s\n", p.Rate, explain.Duration(secs))
		} else {
			fmt.Fprintf(w, "  rate: unlimited\n")
		}
	}
}

// printKept lists the rows settled by earlier runs that are not sent again.
func printKept(w io.Writer, kept map[importer.Status]int) {
	for _, st := range importer.Statuses {
		n := kept[st]
		if n == 0 {
			continue
		}
		why := "kept as they are"
		switch st {
		case importer.Created:
			why = "already created, not sent again"
		case importer.Unknown:
			why = "outcome unknown, not sent again (run reconcile, or --retry-unknown)"
		}
		fmt.Fprintf(w, "  %-21s %s  (%s)\n", string(st)+":", explain.Thousands(n), why)
	}
}
