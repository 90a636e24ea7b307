package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// checkFileArgs catches the two file mistakes people make most: -m and -i
// swapped, and a mapping file that is not there yet.
func checkFileArgs(o *runOptions, sh shell) error {
	ext := strings.ToLower(filepath.Ext(o.mapping))
	switch ext {
	case ".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".ods", ".numbers":
		return usageErr("-m %s looks like a sheet, not a mapping file: -m takes the mapping (YAML, e.g. mapping.yaml) and -i the sheet", o.mapping)
	}
	if e := strings.ToLower(filepath.Ext(o.input)); e == ".yaml" || e == ".yml" {
		return usageErr("-i %s looks like a mapping file, not a sheet: -i takes the sheet (CSV or XLSX) and -m the mapping", o.input)
	}
	if _, err := os.Stat(o.mapping); errors.Is(err, os.ErrNotExist) {
		return usageErr("mapping file %s not found; check the path, or write a starter one with: %s", o.mapping, quoteFor(sh, append([]string{"sbimport", "init", "-i", o.input, "-o", o.mapping}, o.sheetArgs()...)))
	}
	return checkUTF8(o.mapping)
}

// checkUTF8 refuses a mapping file not saved as UTF-8 (Notepad's "ANSI"
// or "Unicode"), naming the first line that is not and how to save it:
// the YAML error would only say "invalid UTF-8 octet".
func checkUTF8(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return nil // the mapping's own loading reports it
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, 1<<20))
	if utf8.Valid(b) {
		return nil
	}
	line := 1
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n <= 1 {
			break
		}
		if r == '\n' {
			line++
		}
		b = b[n:]
	}
	return usageErr("%s:%d: the mapping file is not saved as UTF-8, so letters such as å, ä and ö cannot be read. "+
		"Open it in Notepad, choose File → Save as, set Encoding to UTF-8, and save", path, line)
}

// sheetArgs are the flags given that say how to read the input, for a
// printed command that reads it again: the mapping may lack them.
func (o *runOptions) sheetArgs() []string {
	var args []string
	if o.sheetName != "" {
		args = append(args, "--sheet", o.sheetName)
	}
	if o.headerRowSet {
		args = append(args, "--header-row", fmt.Sprint(o.headerRow))
	}
	if o.delimiter != "" {
		args = append(args, "--delimiter", o.delimiter)
	}
	if o.encoding != "" {
		args = append(args, "--encoding", o.encoding)
	}
	return args
}

// validateCommand checks the rows this run would send, writing the sheet
// this run would write: without its -o, validate would write (over) the
// input's default output, another file than the one the plan names.
func (o *runOptions) validateCommand() []string {
	args := []string{"sbimport", "validate", "-m", o.mapping, "-i", o.input}
	if o.output != "" {
		args = append(args, "-o", o.output)
	}
	return append(args, o.sheetArgs()...)
}

// rerunCommand is the command that sends an output sheet's remaining rows
// to the same place the run went: without --base-url it would go to
// production, whatever the run just talked to.
func (o *runOptions) rerunCommand(sh shell, input string) string {
	args := []string{"sbimport", "run", "-m", o.mapping, "-i", input}
	if o.baseURL != "" && o.baseURL != defaultBaseURL {
		args = append(args, "--base-url", o.baseURL)
	}
	if o.uuidFile != "" {
		args = append(args, "--uuid-file", o.uuidFile)
	}
	return quoteFor(sh, args)
}

func (o *runOptions) reconcileCommand(sh shell, sheet string) string {
	args := []string{"sbimport", "reconcile", "-i", sheet}
	if o.baseURL != "" && o.baseURL != defaultBaseURL {
		args = append(args, "--base-url", o.baseURL)
	}
	if o.tokenFile != "" {
		args = append(args, "--token-file", o.tokenFile)
	}
	return quoteFor(sh, args)
}
