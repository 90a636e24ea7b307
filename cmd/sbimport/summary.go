package main

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/sbimport/sbimport/importer"
)

// printSummary says what a run or validate did, which rows to look at,
// and the exact command to run next.
func printSummary(s streams, o *runOptions, sum *importer.Summary, validate bool) {
	c := sum.Counts
	w := s.Err
	if validate {
		fmt.Fprintf(w, "\nValidated %d rows: %d valid, %d invalid", total(sum), c[importer.Pending]+c[importer.Created], c[importer.Invalid])
		if n := c[importer.Skipped]; n > 0 {
			fmt.Fprintf(w, ", %d %s", n, plural(n, "duplicate", "duplicates"))
		}
		fmt.Fprintln(w, ".")
	} else {
		fmt.Fprintf(w, "\nDone: %d created, %d failed, %d invalid, %d unknown, %d skipped", c[importer.Created], c[importer.Failed], c[importer.Invalid], c[importer.Unknown], c[importer.Skipped])
		if sum.Requests > 0 {
			if sum.Unreachable {
				fmt.Fprintf(w, " (%d %s, none connected", sum.Requests, plural(sum.Requests, "attempt", "attempts"))
			} else {
				fmt.Fprintf(w, " (%d %s", sum.Requests, plural(sum.Requests, "request", "requests"))
			}
			// A rate over a burst of less than a second says nothing
			// (a resumed run of 20 rows sent at once is not 180,000/s).
			if sum.LastSent.Sub(sum.FirstSent) >= time.Second {
				fmt.Fprintf(w, ", %.1f/s", sum.Rate())
			}
			if sum.Throttled > 0 {
				fmt.Fprintf(w, ", %d slowed down by SalesByte", sum.Throttled)
			}
			fmt.Fprint(w, ")")
		}
		fmt.Fprintln(w, ".")
		if sum.FoundRate > 0 {
			how := "the fastest sent without SalesByte asking to slow down"
			if sum.FoundAtLimit {
				how = "just under SalesByte's limit"
			}
			fmt.Fprintf(w, "Rate found: %.1f requests/s, %s; next time you can give --rate %.1f\n", sum.FoundRate, how, sum.FoundRate)
		}
		printHeldSummary(w, sum)
	}
	printProblems(s, sum)
	switch {
	case sum.Unreachable:
		fmt.Fprintf(w, "Sending stopped: SalesByte could not be reached at %s (%s).\nNothing reached %s, so no row needs fixing.\n", o.baseURL, sum.Stopped.Message, o.baseURL)
	case sum.Stopped != nil:
		fmt.Fprintf(w, "Sending stopped early: %s.\n", stopWords(*sum.Stopped))
	}
	fmt.Fprintf(w, "Output: %s\n", sum.Output)
	if o.inDemo {
		return
	}
	toFix := c[importer.Failed] + c[importer.Invalid]
	switch {
	case sum.Interrupted:
		fmt.Fprintf(w, "Interrupted. Run the same command again to send the rest; rows already sent are not sent again (journal: %s).\n", sum.Journal)
	case validate && c[importer.Invalid] > 0:
		fmt.Fprintf(w, "Next: fix the invalid rows in %s (sb_error says what is wrong), then run:\n  %s\n", sum.Output, o.rerunCommand(s.Shell, sum.Output))
	case !validate && sum.Unreachable:
		fmt.Fprintln(w, "Next: check --base-url and the network (is SalesByte up?), then run the same command again; the rows not sent are sent then.")
	case !validate && sum.Stopped != nil:
		fmt.Fprintf(w, "Next: mend what stopped the run (above), then send the rows not created:\n  %s\n", o.rerunCommand(s.Shell, sum.Output))
	case !validate && toFix > 0:
		fmt.Fprintf(w, "Next: fix the %s marked failed or invalid in %s (sb_error says what is wrong), then send %s again:\n  %s\n", rows(toFix), sum.Output, plural(toFix, "it", "them"), o.rerunCommand(s.Shell, sum.Output))
	}
	if !validate && c[importer.Unknown] > 0 {
		fmt.Fprintf(w, "%s may or may not have been created (the answer was lost). Settle them before re-sending:\n  %s\n", rows(c[importer.Unknown]), o.reconcileCommand(s.Shell, sum.Output))
	}
}

// printProblems lists the most common problems and the first rows to look
// at, saying how many more the output sheet holds. Rows left unsent by an
// interrupt, or by a server that could not be reached, are not problems:
// they wait for the rerun, which the last line says how to do.
func printProblems(s streams, sum *importer.Summary) {
	w := s.Err
	unsentOK := sum.Interrupted || sum.Unreachable
	problemRows := 0
	for st, n := range sum.ProblemRows {
		if !(unsentOK && st == importer.Skipped) {
			problemRows += n
		}
	}
	var listed []importer.RowProblem
	for _, p := range sum.Problems {
		if !(unsentOK && p.Status == importer.Skipped) {
			listed = append(listed, p)
		}
	}
	if problemRows > len(listed) {
		printCommonProblems(w, sum.Errors, unsentOK)
	}
	if len(listed) == 0 {
		return
	}
	where := sum.Plan.Input
	if sum.Plan.Sheet != "" {
		where += fmt.Sprintf(", sheet %q", sum.Plan.Sheet)
	}
	fmt.Fprintf(w, "Rows to look at (%s):\n", where)
	for _, p := range listed {
		fmt.Fprintf(w, "  row %d, %s: %s\n", p.Line, p.Status, p.Error)
	}
	if more := problemRows - len(listed); more > 0 {
		fmt.Fprintf(w, "  …and %d more (sb_error in %s says what is wrong with each)\n", more, sum.Output)
	}
}

// printCommonProblems lists the five most common problems, leaving out
// the rows merely not sent when unsentOK.
func printCommonProblems(w io.Writer, errs []importer.ErrorCount, unsentOK bool) {
	fmt.Fprintln(w, "Most common problems:")
	n := 0
	for _, e := range errs {
		if n == 5 {
			break
		}
		if unsentOK && e.NotSent {
			continue
		}
		fmt.Fprintf(w, "  %5d × %s\n", e.N, e.Error)
		n++
	}
}

// journalStopped says what a run that could not write its journal (a full
// disk) did and left: the rows sent are in the journal, the output was not
// written, and the same command, once there is room, resumes and writes it.
func journalStopped(s streams, o *runOptions, sum *importer.Summary, err error) error {
	c := sum.Counts
	fmt.Fprintf(s.Err, "\nSending stopped: the journal %s could not be written (%v).\n", sum.Journal, sum.Stopped.Err)
	fmt.Fprintf(s.Err, "Before it stopped: %d created, %d failed, %d unknown. The output sheet was not written; the journal keeps every row sent.\n",
		c[importer.Created], c[importer.Failed], c[importer.Unknown])
	fmt.Fprintf(s.Err, "Next: free disk space in %s, then run the same command again: it sends only the rows not sent and writes the output.\n", filepath.Dir(sum.Journal))
	return &exitError{code: exitRowsFailed, err: fmt.Errorf("sending stopped: %w", err)}
}

// stopWords says why sending stopped early, and what to check.
func stopWords(r importer.StopReason) string {
	switch r.Kind {
	case importer.StopRefused:
		hint := "check SALESBYTE_UUID (or --uuid-file) and --base-url"
		if r.Template {
			hint += ", and that quote_template_id belongs to this integration"
		}
		return fmt.Sprintf("SalesByte refused the first %d requests with HTTP %d (%s); %s", r.Count, r.Status, r.Message, hint)
	}
	return r.String()
}

func isAre(n int) string {
	if n == 1 {
		return "1 row is"
	}
	return fmt.Sprintf("%d rows are", n)
}

func rows(n int) string { return fmt.Sprintf("%d %s", n, plural(n, "row", "rows")) }

func total(sum *importer.Summary) int {
	n := 0
	for _, v := range sum.Counts {
		n += v
	}
	return n
}

type jsonSummary struct {
	Input       string         `json:"input"`
	Output      string         `json:"output,omitempty"`
	Journal     string         `json:"journal,omitempty"`
	Endpoint    string         `json:"endpoint"`
	Rows        int            `json:"rows"`
	Counts      map[string]int `json:"counts"`
	Requests    int            `json:"requests"`
	Throttled   int            `json:"throttled"`
	Rate        float64        `json:"rate"`
	Started     *time.Time     `json:"started,omitempty"`
	Finished    *time.Time     `json:"finished,omitempty"`
	Interrupted bool           `json:"interrupted"`
	DryRun      bool           `json:"dry_run"`
	Validated   bool           `json:"validated"`
	Stopped     string         `json:"stopped,omitempty"`
	Unreachable bool           `json:"unreachable,omitempty"`
	FoundRate   float64        `json:"found_rate,omitempty"`
	AtLimit     bool           `json:"found_at_limit,omitempty"` // found_rate is just under a limit SalesByte showed with 429s
	Errors      []jsonError    `json:"errors"`
	ExitCode    int            `json:"exit_code"`
}

type jsonError struct {
	Error string `json:"error"`
	Rows  int    `json:"rows"`
}

func writeJSONSummary(s streams, sum *importer.Summary, dryRun bool) {
	js := jsonSummary{
		Input: sum.Plan.Input, Output: sum.Output, Journal: sum.Journal, Endpoint: string(sum.Plan.Endpoint),
		Counts: map[string]int{}, Requests: sum.Requests, Throttled: sum.Throttled, Rate: sum.Rate(),
		Interrupted: sum.Interrupted, DryRun: dryRun, Validated: sum.Validated, Unreachable: sum.Unreachable, FoundRate: sum.FoundRate, AtLimit: sum.FoundAtLimit,
		Errors: []jsonError{}, ExitCode: sum.ExitCode(),
	}
	if sum.Stopped != nil {
		js.Stopped = stopWords(*sum.Stopped)
	}
	if dryRun {
		js.Output, js.Journal, js.ExitCode = "", "", 0
	}
	for _, st := range importer.Statuses {
		js.Counts[string(st)] = sum.Counts[st]
	}
	if sum.Validated {
		js.Counts["valid"] = sum.Counts[importer.Pending]
	}
	js.Rows = total(sum)
	if dryRun {
		js.Rows = sum.Plan.Rows
	}
	if !sum.Started.IsZero() {
		js.Started, js.Finished = &sum.Started, &sum.Finished
	}
	for _, e := range sum.Errors {
		js.Errors = append(js.Errors, jsonError{Error: e.Error, Rows: e.N})
	}
	enc := json.NewEncoder(s.Out)
	enc.SetIndent("", "  ")
	enc.Encode(js)
}
