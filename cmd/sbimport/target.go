package main

import (
	"path/filepath"
	"strings"

	"github.com/sbimport/sbimport/importer"
)

// checkTarget refuses a run whose output sheet records a run to another
// SalesByte (a rehearsal against the sandbox, then the same command to
// production): the rows that one created exist only there, and this run
// would carry them over as created and never send them.
func checkTarget(s streams, o *runOptions) error {
	out := o.output
	if out == "" {
		out = importer.DefaultOutput(o.input)
	}
	rec, err := importer.RecordedRun(out)
	if err != nil || rec.BaseURL == "" || rec.Sent == 0 || o.forceBaseURL || importer.SameBaseURL(rec.BaseURL, o.baseURL) {
		return nil // a journal that cannot be read is the run's to report
	}
	recorded := rec.BaseURL
	input := o.input
	if filepath.Clean(input) == filepath.Clean(out) {
		// The input is that run's output sheet: its created rows would be
		// carried over just the same. The original sheet must be sent.
		input = "YOUR-ORIGINAL-SHEET" + filepath.Ext(out)
	}
	next := []string{"sbimport", "run", "-m", o.mapping, "-i", input, "-o", otherOutput(o.input, o.baseURL)}
	if !importer.SameBaseURL(o.baseURL, defaultBaseURL) {
		next = append(next, "--base-url", o.baseURL)
	}
	return usageErr("%s holds a run sent to %s, and this run sends to %s. The rows it marks created exist only at %s, "+
		"so this run would show them as created and never send them to %s. Nothing was sent.\n"+
		"Give this run an output sheet of its own, from your original sheet (not an output sheet of the other run):\n  %s",
		out, recorded, o.baseURL, recorded, o.baseURL, quoteFor(s.Shell, next))
}

// otherOutput is an output name for a run to baseURL beside input's own:
// <input>-production.<ext> for SalesByte itself, else <input>-<host>.<ext>.
func otherOutput(input, baseURL string) string {
	ext := filepath.Ext(input)
	base := strings.TrimSuffix(strings.TrimSuffix(input, ext), "-result")
	tag := "production"
	if !importer.SameBaseURL(baseURL, defaultBaseURL) {
		tag = strings.NewReplacer("https://", "", "http://", "", ":", "-", "/", "-").Replace(strings.TrimRight(baseURL, "/"))
	}
	return base + "-" + tag + ext
}
