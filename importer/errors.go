package importer

import (
	"fmt"
	"net/url"
	"strings"
)

// The errors below are found before anything is sent. Each is wrapped in
// an *InputError; the fields let a caller say what to do in its own terms
// (a command line names its flags, a web page its buttons). Error gives a
// plain sentence with no such advice.

// MappingMissingError: the mapping file does not exist.
type MappingMissingError struct{ Path string }

func (e *MappingMissingError) Error() string {
	return fmt.Sprintf("mapping file %s does not exist", e.Path)
}

// OverwriteInputError: the output would replace the input, which is not
// an output sheet of an earlier run.
type OverwriteInputError struct{ Output string }

func (e *OverwriteInputError) Error() string {
	return fmt.Sprintf("the output %s would overwrite the input, which is not an sbimport output sheet", e.Output)
}

// JournalOtherRunError: the output's journal belongs to a run of another
// sheet, mapping, header row or endpoint.
type JournalOtherRunError struct {
	Journal    string
	Input      string // the sheet that run read
	Started    string
	Differs    string // what differs: "sheet", "mapping", or "sheet, header row or endpoint"
	Unfinished bool   // that run did not finish
}

func (e *JournalOtherRunError) Error() string {
	if e.Unfinished {
		return fmt.Sprintf("%s belongs to an unfinished run of %s (started %s) with a different %s; nothing was sent", e.Journal, e.Input, e.Started, e.Differs)
	}
	return fmt.Sprintf("%s holds the results of an earlier run of %s (started %s); nothing was sent", JournalOutput(e.Journal), e.Input, e.Started)
}

// EarlierOutputError: the output sheet records rows created by an earlier
// run whose journal is gone, or cannot be read to tell; writing over it
// could send them twice.
type EarlierOutputError struct {
	Output     string
	Created    int   // rows created or unknown
	Unreadable error // the output exists but cannot be read
	// Journal: the output's journal is there (validate refuses to
	// overwrite the results all the same).
	Journal bool
}

func (e *EarlierOutputError) Error() string {
	if e.Unreadable != nil {
		return fmt.Sprintf("the output %s already exists and cannot be read (%v); it may hold the results of an earlier run, so it is not overwritten and nothing was sent", e.Output, e.Unreadable)
	}
	if e.Journal {
		return fmt.Sprintf("%s holds the results of an earlier run (%d rows created or unknown); validating the input would overwrite them", e.Output, e.Created)
	}
	return fmt.Sprintf("%s already holds the results of an earlier run (%d rows created or unknown), and its journal is gone; sending the input again could create them twice, so nothing was sent", e.Output, e.Created)
}

// OldJournalError: the journal was written by an older sbimport that
// numbered a CSV's rows by text line; its rows cannot be matched to the
// sheet's safely.
type OldJournalError struct {
	Journal  string
	Version  int
	Finished bool // its run finished: the output sheet holds every outcome
}

func (e *OldJournalError) Error() string {
	return fmt.Sprintf("%s was written by an older sbimport (journal version %d), which numbered CSV rows differently; its rows cannot be matched safely, so nothing was sent", e.Journal, e.Version)
}

// JournalOutput is the output sheet a journal belongs to.
func JournalOutput(journal string) string {
	const ext = ".journal"
	if len(journal) > len(ext) && journal[len(journal)-len(ext):] == ext {
		return journal[:len(journal)-len(ext)]
	}
	return journal
}

// CreatedElsewhereError: the input is an output sheet whose created rows
// link to another SalesByte than the one this run sends to (a rehearsal's
// output given to a production run): they would be kept as created and
// never sent here.
type CreatedElsewhereError struct {
	Input   string
	Host    string // where the rows' links point
	BaseURL string // where this run sends
	Rows    int
}

func (e *CreatedElsewhereError) Error() string {
	return fmt.Sprintf("%s has %d rows created at %s, and this run sends to %s: they would be kept as created and never sent there; nothing was sent", e.Input, e.Rows, e.Host, e.BaseURL)
}

// elsewhereRows counts the rows an earlier output sheet keeps as created
// whose links point at another host than the run's base URL.
type elsewhereRows struct {
	n    int
	host string
}

func (e *elsewhereRows) note(d decision, baseURL string) {
	if baseURL == "" || !d.kept || d.outcome == nil || d.outcome.Status != Created || d.outcome.Links.Edit == "" {
		return
	}
	link, err := url.Parse(d.outcome.Links.Edit)
	base, err2 := url.Parse(cleanBaseURL(baseURL))
	if err != nil || err2 != nil || link.Host == "" || strings.EqualFold(link.Hostname(), base.Hostname()) && link.Port() == base.Port() {
		return
	}
	e.n++
	if e.host == "" {
		e.host = link.Scheme + "://" + link.Host
	}
}
