package main

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/sbimport/sbimport/importer"
	"github.com/sbimport/sbimport/sheet"
)

// On a terminal the user is told which file to close and where, and
// Enter tries again; q, or the end of the input, gives up.
func TestHeldOpenPromptOnATerminal(t *testing.T) {
	var out bytes.Buffer
	p := heldOpenFor(streams{Terminal: true, In: strings.NewReader("\n  \nq\n"), Err: &out})
	if p == nil {
		t.Fatal("no prompt on a terminal")
	}
	path := "/home/anna/kunder-result.xlsx"
	for i, want := range []bool{true, true, false, false} {
		if got := p.AskRetry(path); got != want {
			t.Errorf("answer %d: %v; want %v", i+1, got, want)
		}
	}
	if !strings.Contains(out.String(), "Close kunder-result.xlsx in Excel and press Enter to try again") {
		t.Errorf("prompt %q does not say to close kunder-result.xlsx and press Enter", out.String())
	}
}

// Without a terminal nobody is asked: the command gives up at once.
func TestHeldOpenWithoutTerminalGivesUp(t *testing.T) {
	if p := heldOpenFor(streams{Terminal: false, In: strings.NewReader("\n")}); p != nil {
		t.Errorf("prompt %T without a terminal; want none", p)
	}
}

// Given up, a run exits 2 saying the results are safe in the journal and
// that the same command writes the output once the file is closed;
// validate (no journal) says the output is as it was.
func TestHeldOpenWords(t *testing.T) {
	held := fmt.Errorf("write /d/kunder-result.xlsx: %w", &sheet.LockedFileError{Path: "/d/kunder-result.xlsx", Err: errors.New("sharing violation")})
	err := explainFileErr(held, &importer.Summary{Output: "/d/kunder-result.xlsx", Journal: "/d/kunder-result.xlsx.journal"})
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitUsage {
		t.Fatalf("run: %v; want exit 2", err)
	}
	for _, want := range []string{"kunder-result.xlsx is open in another program", "safe in /d/kunder-result.xlsx.journal",
		"Close kunder-result.xlsx and run the same command again", "sends nothing twice"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("run message %q lacks %q", err, want)
		}
	}
	err = explainFileErr(held, &importer.Summary{Output: "/d/kunder-result.xlsx", Validated: true})
	if !errors.As(err, &ee) || ee.code != exitUsage || !strings.Contains(err.Error(), "it is as it was") || strings.Contains(err.Error(), "journal") {
		t.Errorf("validate: %v; want exit 2, the output as it was, no journal", err)
	}
	if other := errors.New("disk full"); explainFileErr(other, nil) != other {
		t.Error("another error was reworded")
	}
}
