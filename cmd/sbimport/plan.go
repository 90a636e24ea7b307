package main

import (
	"fmt"
	"io"

	"github.com/sbimport/sbimport/importer"
	"github.com/sbimport/sbimport/salesbyte"
)

// printPlan shows what a run is about to do, before anything is sent.
func printPlan(w io.Writer, p importer.Plan) {
	n := nounFor(p.Endpoint)
	fmt.Fprintf(w, "Plan: create %s (%s endpoint)\n", n.plural, p.Endpoint)
	fmt.Fprintf(w, "  input:   %s", p.Input)
	if p.Sheet != "" {
		fmt.Fprintf(w, " (sheet %q)", p.Sheet)
	}
	fmt.Fprintf(w, ", %s rows\n", thousands(p.Rows))
	fmt.Fprintf(w, "  output:  %s\n", p.Output)
	if p.Resumed {
		fmt.Fprintf(w, "  resuming the unfinished run recorded in %s\n", p.Journal)
	}
	fmt.Fprintf(w, "  to send:              %s\n", thousands(p.ToSend))
	if p.Invalid > 0 {
		fmt.Fprintf(w, "  invalid (not sent):   %s  (every problem is listed in sb_error)\n", thousands(p.Invalid))
	}
	if p.Dupes > 0 {
		fmt.Fprintf(w, "  duplicates (skipped): %s  (same key as an earlier row; --allow-duplicates sends them)\n", thousands(p.Dupes))
	}
	printKept(w, p.Kept)
	for _, d := range p.Deliveries {
		fmt.Fprintf(w, "  %s %s %s\n", thousands(d.N), pluralize(n, d.N), deliveryWords(p.Endpoint, d.Delivery))
	}
	if p.ToSend > 0 {
		if p.Rate > 0 {
			secs := float64(p.ToSend) / p.Rate
			fmt.Fprintf(w, "  rate: %g requests/s, about %s\n", p.Rate, humanDuration(secs))
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
		fmt.Fprintf(w, "  %-21s %s  (%s)\n", string(st)+":", thousands(n), why)
	}
}

// deliveryWords says what customers receive, after "N quotes".
func deliveryWords(e salesbyte.Endpoint, d importer.Delivery) string {
	if e == salesbyte.Template {
		if d.Notify {
			return "will notify customers (trigger_created_messages_to_customer=true)"
		}
		return "will be created without notifying customers"
	}
	if d.Silenced {
		return fmt.Sprintf("will be created without notifying customers (send_type=%s, trigger_created_messages_to_customer=false)", d.SendType)
	}
	switch d.SendType {
	case "email":
		return "will be e-mailed to customers: send_type=email"
	case "sms":
		return "will be texted (SMS) to customers: send_type=sms"
	case "dual":
		return "will be e-mailed and texted to customers: send_type=dual"
	case "auto":
		return "will be sent to customers by e-mail or SMS as SalesByte picks: send_type=auto"
	case "none":
		return "will be created without sending anything to customers: send_type=none"
	case "":
		return "will be created (no send_type)"
	}
	return "will be sent with send_type=" + d.SendType
}

type noun struct{ singular, plural string }

func nounFor(e salesbyte.Endpoint) noun {
	switch e {
	case salesbyte.Lead:
		return noun{"lead", "leads"}
	case salesbyte.Template:
		return noun{"quote from a template", "quotes from a template"}
	}
	return noun{"quote", "quotes"}
}

func pluralize(n noun, k int) string {
	if k == 1 {
		return n.singular
	}
	return n.plural
}

func thousands(n int) string {
	if n < 0 {
		return "-" + thousands(-n)
	}
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func humanDuration(secs float64) string {
	switch {
	case secs < 1.5:
		return "a second"
	case secs < 90:
		return fmt.Sprintf("%.0f s", secs)
	case secs < 90*60:
		return fmt.Sprintf("%.0f min", secs/60)
	default:
		return fmt.Sprintf("%.1f h", secs/3600)
	}
}
