package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/sbimport/sbimport/importer"
	"github.com/sbimport/sbimport/mapping"
	"github.com/sbimport/sbimport/salesbyte"
)

// Exit codes, as the README documents them.
const (
	exitOK          = 0
	exitRowsFailed  = 1
	exitUsage       = 2
	exitInterrupted = 130
)

// streams are where a command reads and writes: data to Out, everything
// for people (plan, progress, summary, errors) to Err.
type streams struct {
	In       io.Reader
	Out      io.Writer
	Err      io.Writer
	Terminal bool // In and Err are a terminal: ask, draw a progress bar
	Getenv   func(string) string
	// Signals, when set, delivers interrupts (Ctrl-C); tests leave it nil.
	Signals func() (<-chan os.Signal, func())
	// Shell is the language of the commands sbimport prints for the user
	// to paste: POSIX (the zero value) or PowerShell.
	Shell shell
	// Bar is how a terminal redraws the progress bar (see setupConsole).
	Bar barMode
}

func stdio() streams {
	return streams{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		Terminal: term.IsTerminal(int(os.Stdin.Fd())) && term.IsTerminal(int(os.Stderr.Fd())),
		Getenv:   os.Getenv,
		Shell:    hostShell(),
		Signals: func() (<-chan os.Signal, func()) {
			ch := make(chan os.Signal, 2)
			signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
			return ch, func() { signal.Stop(ch) }
		},
	}
}

// exitError carries an exit code up to execute.
type exitError struct {
	code int
	err  error // nil: the message was already printed
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func usageErr(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// execute runs the command line args and returns the exit code.
func execute(ctx context.Context, args []string, s streams) int {
	root := newRoot(ctx, s)
	root.SetArgs(args)
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	cmd, err := root.ExecuteC()
	if err == nil {
		return exitOK
	}
	if missing := missingFlags(err); missing != nil && cmd != nil {
		fmt.Fprintf(s.Err, "sbimport %s: missing %s:\n", cmd.Name(), plural(len(missing), "option", "options"))
		for _, name := range missing {
			if f := cmd.Flags().Lookup(name); f != nil {
				short := ""
				if f.Shorthand != "" {
					short = "-" + f.Shorthand + "/"
				}
				fmt.Fprintf(s.Err, "  %s--%s  %s\n", short, f.Name, f.Usage)
			}
		}
		fmt.Fprintf(s.Err, "Run '%s --help' for an example.\n", cmd.CommandPath())
		return exitUsage
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(s.Err, "sbimport:", ee.err)
		}
		return ee.code
	}
	// A mapping problem names its file and line already; print it as it
	// is, not behind another copy of the file name.
	var me *mapping.Error
	if errors.As(err, &me) {
		fmt.Fprintln(s.Err, "sbimport:", me)
		return exitUsage
	}
	var ie *importer.InputError
	if msg, ok := inputWords(err, s.Shell); ok {
		fmt.Fprintln(s.Err, "sbimport:", msg)
		if errors.As(err, &ie) {
			return exitUsage
		}
		return exitRowsFailed
	}
	if errors.As(err, &ie) {
		fmt.Fprintln(s.Err, "sbimport:", ie)
		return exitUsage
	}
	fmt.Fprintln(s.Err, "sbimport:", err)
	if isUsage(err) {
		fmt.Fprintln(s.Err, "Run 'sbimport --help' for usage.")
		return exitUsage
	}
	return exitRowsFailed
}

// missingFlags returns the flags named by cobra's "required flag(s) ...
// not set" error, or nil for any other error.
func missingFlags(err error) []string {
	msg := err.Error()
	if !strings.HasPrefix(msg, "required flag(s) ") {
		return nil
	}
	var out []string
	for _, part := range strings.Split(msg, `"`) {
		part = strings.TrimSpace(part)
		if part != "" && !strings.Contains(part, " ") && part != "," {
			out = append(out, part)
		}
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// isUsage tells cobra's own errors (bad flags, arguments) apart.
func isUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown flag", "unknown shorthand", "unknown command", "flag needs an argument", "invalid argument", "required flag", "accepts ", "requires at least"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func newRoot(ctx context.Context, s streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "sbimport",
		Short: "Load CSV and XLSX sheets into SalesByte as leads or quotes",
		Long: `sbimport loads a spreadsheet into SalesByte: each row becomes a lead or a
quote, mapped by a YAML mapping file. It validates every row first, shows
the plan, sends at a steady rate, and writes an output sheet with each row's
id, links or error. A journal beside the output makes a rerun resume where
a crash or Ctrl-C left off; nothing is ever sent twice. A ledger per user
remembers every customer sent, across sheets and runs (sbimport history).`,
		Example: `  sbimport init -i kunder.xlsx --endpoint quote -o mapping.yaml
  sbimport fields --endpoint quote
  sbimport validate -m mapping.yaml -i kunder.xlsx
  ` + setEnvFor(s.Shell, "SALESBYTE_UUID", "...") + `
  sbimport run -m mapping.yaml -i kunder.xlsx
  sbimport history --key anna@example.se
  sbimport demo`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       salesbyte.Version,
	}
	root.SetVersionTemplate("sbimport {{.Version}}\n")
	root.SetContext(ctx)
	root.AddCommand(
		newRunCmd(s, false),
		newRunCmd(s, true),
		newInitCmd(s),
		newSandboxCmd(s),
		newDemoCmd(s),
		newReconcileCmd(s),
		newFieldsCmd(s),
		newHistoryCmd(s),
		newUICmd(s),
	)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErr("%v\nRun '%s --help' for usage.", err, c.CommandPath())
	})
	return root
}
