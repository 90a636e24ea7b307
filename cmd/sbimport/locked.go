package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/sbimport/sbimport/importer"
	"github.com/sbimport/sbimport/sheet"
)

// heldOpenPrompt asks, on a terminal, to close the output sheet another
// program holds open (Excel on Windows does) and press Enter to try
// again.
type heldOpenPrompt struct {
	in  io.Reader
	out io.Writer
}

func (p heldOpenPrompt) AskRetry(path string) bool {
	name := filepath.Base(path)
	fmt.Fprintf(p.out, "\n%s is open in another program, so sbimport cannot replace it. "+
		"Close %s in Excel and press Enter to try again (or type q and Enter to stop): ", name, name)
	line, err := readLine(p.in)
	if err != nil {
		fmt.Fprintln(p.out)
		return false // no more input: give up, the results are kept
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "q", "quit", "n", "no", "nej", "stop":
		return false
	}
	return true
}

// readLine reads one line a byte at a time, so nothing after it is taken
// from in.
func readLine(in io.Reader) (string, error) {
	var b strings.Builder
	buf := make([]byte, 1)
	for {
		n, err := in.Read(buf)
		if n == 1 {
			if buf[0] == '\n' {
				return b.String(), nil
			}
			b.WriteByte(buf[0])
		}
		if err != nil {
			return b.String(), err
		}
	}
}

// heldOpenFor is who is asked when the output is held open: the user on
// a terminal; without one nobody, and the command gives up at once.
func heldOpenFor(s streams) importer.RetryPrompt {
	if !s.Terminal {
		return nil
	}
	return heldOpenPrompt{in: s.In, out: s.Err}
}

// heldOpenWords says that the output could not be written because another
// program holds it open, and that nothing is lost (exit 2). ok is false
// for any other error.
func heldOpenWords(err error, sum *importer.Summary) (error, bool) {
	var held *sheet.LockedFileError
	if !errors.As(err, &held) {
		return err, false
	}
	name := filepath.Base(held.Path)
	if sum != nil && sum.Journal != "" {
		return usageErr("%s is open in another program (Excel?), so the results could not be written to it.\n"+
			"Nothing is lost: every row's result is safe in %s. Close %s and run the same command again: "+
			"it writes the output from the journal and sends nothing twice", name, sum.Journal, name), true
	}
	return usageErr("%s is open in another program (Excel?), so it could not be written; it is as it was.\n"+
		"Close %s and run the same command again", name, name), true
}
