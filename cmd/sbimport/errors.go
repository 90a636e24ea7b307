package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sbimport/sbimport/importer"
	"github.com/sbimport/sbimport/sheet"
)

// inputWords says what went wrong before anything was sent, and what to do
// about it in this command line's terms. ok is false for an error it has
// no words of its own for.
func inputWords(err error, sh shell) (msg string, ok bool) {
	var (
		mm *importer.MappingMissingError
		ow *importer.OverwriteInputError
		jo *importer.JournalOtherRunError
		eo *importer.EarlierOutputError
		ic *importer.InputChangedError
		re *importer.ReadError
		hr *importer.HeaderRowError
		oj *importer.OldJournalError
		ce *importer.CreatedElsewhereError
	)
	var fe *sheet.FileError
	switch {
	case errors.As(err, &fe) && fe.Fix != sheet.FixNone:
		return fe.Error() + " (" + fixFlag[fe.Fix] + ")", true
	case errors.As(err, &mm):
		return fmt.Sprintf("mapping file %s does not exist; check -m, or write a starter with: %s", mm.Path,
			quoteFor(sh, []string{"sbimport", "init", "-i", "SHEET", "--endpoint", "quote", "-o", mm.Path})), true
	case errors.As(err, &ow):
		return fmt.Sprintf("the output %s would overwrite the input, which is not an sbimport output sheet; give another name with -o", ow.Output), true
	case errors.As(err, &jo):
		return journalWords(jo), true
	case errors.As(err, &eo) && eo.Unreadable != nil:
		return fmt.Sprintf("the output %s already exists and cannot be read (%v).\n"+
			"It may hold the results of an earlier run, so it is not overwritten. Nothing was sent. "+
			"Choose another output with -o; or, if you are sure it holds nothing you need, move it away and run again", eo.Output, eo.Unreadable), true
	case errors.As(err, &eo) && eo.Journal:
		return fmt.Sprintf("%s holds the results of an earlier run (%d rows created or unknown); validate would overwrite them, so nothing was written.\n"+
			"To check that sheet's rows, validate it (-i %s); to validate the input on its own, write elsewhere with -o", eo.Output, eo.Created, quoteFor(sh, []string{eo.Output})), true
	case errors.As(err, &eo):
		return fmt.Sprintf("%s already holds the results of an earlier run (%d rows created or unknown), and its journal is gone.\n"+
			"Sending the input again could create those quotes twice. To re-send its failed rows, give it as the input (-i %s); "+
			"to import another sheet, choose another output with -o. Nothing was sent", eo.Output, eo.Created, quoteFor(sh, []string{eo.Output})), true
	case errors.As(err, &ce):
		return fmt.Sprintf("%s has %d rows created at %s (a rehearsal's output sheet?), and this run sends to %s: they would be kept as created and never sent there. Nothing was sent.\n"+
			"Send your original sheet instead, with an output of its own (-o), or add --force-base-url if %s really is the same SalesByte", ce.Input, ce.Rows, ce.Host, ce.BaseURL, ce.Host), true
	case errors.As(err, &oj):
		return oldJournalWords(oj, sh), true
	case errors.As(err, &hr):
		return headerRowWords(hr), true
	case errors.As(err, &ic):
		return ic.Error(), true
	case errors.As(err, &re):
		if re.Validating {
			return fmt.Sprintf("%s (validate stopped there: the rows after it were not checked and no output was written; mend the file and validate again)", re.Error()), true
		}
		return fmt.Sprintf("%s (rows after it were not sent; the journal keeps what was)", re.Error()), true
	}
	return "", false
}

// fixFlag is the flag that mends a sheet.FileError.
var fixFlag = map[sheet.Fix]string{
	sheet.FixSheet:     "--sheet NAME",
	sheet.FixHeaderRow: "--header-row N",
	sheet.FixDelimiter: "--delimiter",
	sheet.FixEncoding:  "--encoding",
}

func journalWords(e *importer.JournalOtherRunError) string {
	if e.Unfinished {
		return fmt.Sprintf("%s belongs to an unfinished run of %s (started %s) with a different %s.\n"+
			"Finish that run first by running it again with the same sheet and mapping; "+
			"or, if you are sure none of its rows matter, move the journal away. Nothing was sent", e.Journal, e.Input, e.Started, e.Differs)
	}
	return fmt.Sprintf("%s holds the results of an earlier run of %s (started %s).\n"+
		"To re-run its failed rows, give that output sheet as the input (-i); to import another sheet, choose another output with -o. Nothing was sent",
		importer.JournalOutput(e.Journal), e.Input, e.Started)
}

// headerRowWords says which row looks like the header, and how to say so:
// in the mapping, so no command needs it again, or with --header-row.
func headerRowWords(e *importer.HeaderRowError) string {
	cols := e.Found
	if len(cols) > 4 {
		cols = append(cols[:4:4], "…")
	}
	where := e.Input
	if e.Sheet != "" {
		where += fmt.Sprintf(", sheet %q,", e.Sheet)
	}
	msg := fmt.Sprintf("row %d of %s is not the header: row %d holds the columns the mapping names (%s); ", e.Given, where, e.Likely, strings.Join(cols, ", "))
	switch e.Origin {
	case importer.RowFromMapping:
		msg += fmt.Sprintf("change `header_row: %d` to `header_row: %d` in %s, or give --header-row %d", e.Given, e.Likely, e.Mapping, e.Likely)
	case importer.RowGiven:
		msg += fmt.Sprintf("give --header-row %d instead of --header-row %d (or leave it out and add `header_row: %d` to %s)", e.Likely, e.Given, e.Likely, e.Mapping)
	default:
		msg += fmt.Sprintf("add `header_row: %d` to %s, or give --header-row %d", e.Likely, e.Mapping, e.Likely)
	}
	return msg
}

// oldJournalWords says what to do with a journal an older sbimport wrote
// for a CSV: its rows cannot be matched by this version.
func oldJournalWords(e *importer.OldJournalError, sh shell) string {
	out := importer.JournalOutput(e.Journal)
	if e.Finished {
		return fmt.Sprintf("%s.\nIts run finished, so %s holds every row's outcome: move the journal away (for example to %s.old) and run with that sheet as the input: %s",
			e.Error(), out, e.Journal, quoteFor(sh, []string{"sbimport", "run", "-m", "MAPPING", "-i", out}))
	}
	return fmt.Sprintf("%s.\nIts run did not finish: finish it with the sbimport version that started it (run the same command with that version), then use this one", e.Error())
}
