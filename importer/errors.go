package importer

import "fmt"

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
