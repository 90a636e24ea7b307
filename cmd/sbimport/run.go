package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/sbimport/sbimport/importer"
	"github.com/sbimport/sbimport/salesbyte"
	"github.com/sbimport/sbimport/sheet"
)

const defaultBaseURL = "https://app.salesbyte.se"

// runOptions are the flags of run and validate.
type runOptions struct {
	mapping, input, output string
	sheetName              string
	headerRow              int
	headerRowSet           bool // --header-row was given: it wins over the mapping's header_row:
	delimiter, encoding    string

	baseURL, uuidFile string
	rate, maxRate     float64
	autoRate          bool
	concurrency       int
	maxAttempts       int
	timeout           time.Duration

	yes, dryRun, retryUnknown, allowDuplicates bool
	only                                       []string
	jsonOut, verbose                           bool
	reconcile                                  bool
	tokenFile                                  string
	plainUUID                                  string // refused: see validateSecrets
	inDemo                                     bool   // the demo's in-process sandbox: no rerun hints
	preview                                    string // --preview: N, invalid or invalid:N
	ledgerPath, campaign, notWithin            string // see ledger.go
}

func newRunCmd(s streams, validate bool) *cobra.Command {
	o := &runOptions{}
	cmd := &cobra.Command{
		Use:   "run -m MAPPING -i INPUT [-o OUTPUT]",
		Short: "Validate every row, then send the valid ones and write the output sheet",
		Long: `run reads the sheet, maps and validates every row, shows the plan (what
will be sent, what is invalid, what customers will receive) and asks before
sending; without a terminal only --yes sends. Rows are sent at --rate
requests per second and each row's id, links or error lands in the output
sheet (default <input>-result.<ext>).

The integration uuid is read from SALESBYTE_UUID or --uuid-file, never from a
flag value. Running the same command again after a crash or Ctrl-C resumes:
rows already created are not sent again. Give the output sheet as the input
to re-send the rows that failed, once fixed.

Exit codes: 0 every row created, 1 some rows failed, are invalid or unknown,
2 usage, mapping or input error, or SalesByte could not be reached (nothing
sent), 130 interrupted (Ctrl-C or SIGTERM).`,
		Example: `  ` + setEnvFor(s.Shell, "SALESBYTE_UUID", "...") + `            # or --uuid-file uuid.txt
  sbimport run -m mapping.yaml -i kunder.xlsx
  sbimport run -m mapping.yaml -i kunder.csv --rate 2 --yes
  sbimport run -m mapping.yaml -i kunder-result.xlsx   # re-send fixed rows`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.headerRowSet = cmd.Flags().Changed("header-row")
			return runImport(cmd.Context(), s, o, validate)
		},
	}
	if validate {
		cmd.Use = "validate -m MAPPING -i INPUT [-o OUTPUT]"
		cmd.Short = "Check every row without sending anything; write the output sheet with invalid rows marked"
		cmd.Long = `validate runs the same checks as run, with no network at all, and writes
the same output sheet: invalid rows get sb_status=invalid and every problem
in sb_error; valid rows are left blank, ready for run.

Exit codes: 0 every row valid, 1 some rows invalid, 2 usage, mapping or
input error, 130 interrupted (Ctrl-C or SIGTERM: nothing is written).`
		cmd.Example = `  sbimport validate -m mapping.yaml -i kunder.xlsx
  sbimport validate -m mapping.yaml -i kunder.csv -o checked.csv`
	}
	f := cmd.Flags()
	f.StringVarP(&o.mapping, "mapping", "m", "", "the YAML mapping file (required)")
	f.StringVarP(&o.input, "input", "i", "", "the CSV or XLSX sheet to read (required)")
	f.StringVarP(&o.output, "output", "o", "", "the output sheet (default <input>-result.<ext>)")
	f.StringVar(&o.sheetName, "sheet", "", "XLSX: the sheet to read (default: the mapping's sheet:, else the first visible one)")
	f.IntVar(&o.headerRow, "header-row", 0, "the row that holds the column names (default: the mapping's header_row:, else 1)")
	f.StringVar(&o.delimiter, "delimiter", "", "CSV: the delimiter: , ; tab or | (default: detected)")
	f.StringVar(&o.encoding, "encoding", "", "CSV: utf-8, windows-1252 or utf-16 (default: detected)")
	f.BoolVar(&o.jsonOut, "json", false, "print a machine-readable summary on stdout")
	f.StringVar(&o.preview, "preview", "", "show the first N rows to send as SalesByte will receive them, field by field with their columns; invalid (or invalid:N) shows the first invalid rows and why")
	cmd.MarkFlagRequired("mapping")
	cmd.MarkFlagRequired("input")
	f.StringVar(&o.ledgerPath, "ledger", "", "the ledger of what was sent (default: $SBIMPORT_LEDGER, else your config folder's sbimport/ledger.db)")
	if validate {
		return cmd
	}
	f.StringVar(&o.campaign, "campaign", "", "a campaign of its own: customers who got a quote in another campaign (or none) may get one in this one")
	f.StringVar(&o.notWithin, "not-within", "", "hold back customers this integration sent anything to within this time (e.g. 30d, 2w, 12h)")
	f.StringVar(&o.baseURL, "base-url", defaultBaseURL, "SalesByte's address (http:// only to loopback, e.g. the sandbox)")
	f.StringVar(&o.uuidFile, "uuid-file", "", "read the integration uuid from this file (default: $SALESBYTE_UUID)")
	o.rate = 5
	f.Var(rateValue{o}, "rate", "requests per second; auto = start at 5 and find SalesByte's limit, up to --max-rate; 0 = unlimited (for the sandbox)")
	f.Float64Var(&o.maxRate, "max-rate", importer.DefaultMaxRate, "with --rate auto: the most requests per second to try")
	f.IntVar(&o.concurrency, "concurrency", 0, "requests in flight (default: sized from the rate and the observed latency)")
	f.IntVar(&o.maxAttempts, "max-attempts", 6, "attempts per row for answers that are safe to retry (429, 503, connection refused)")
	f.DurationVar(&o.timeout, "timeout", 60*time.Second, "how long to wait for one answer; a row whose answer does not come is unknown")
	f.BoolVarP(&o.yes, "yes", "y", false, "send without asking (required when there is no terminal)")
	f.BoolVar(&o.dryRun, "dry-run", false, "stop after showing the plan")
	f.BoolVar(&o.retryUnknown, "retry-unknown", false, "also send rows whose outcome is unknown (they may have been created: reconcile first)")
	f.BoolVar(&o.allowDuplicates, "allow-duplicates", false, "send rows whose key repeats an earlier row's")
	f.StringSliceVar(&o.only, "only", nil, "re-run: send only rows whose sb_status is one of these (failed, invalid, skipped, unknown, new)")
	f.BoolVarP(&o.verbose, "verbose", "v", false, "log every row's outcome")
	f.BoolVar(&o.reconcile, "reconcile", false, "after the run, settle unknown rows through the Quotes API (needs SALESBYTE_API_TOKEN or --token-file)")
	f.StringVar(&o.tokenFile, "token-file", "", "read the Quotes API token from this file (default: $SALESBYTE_API_TOKEN)")
	f.StringVar(&o.plainUUID, "uuid", "", "not accepted: see --uuid-file")
	f.MarkHidden("uuid")
	return cmd
}

// readSecret reads a secret from a file named by a flag, or else from an
// environment variable. It is never taken from a flag's value.
func readSecret(s streams, file, env, what string) (salesbyte.Secret, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return salesbyte.Secret{}, usageErr("%s: %v", what, err)
		}
		v := strings.TrimSpace(string(b))
		if v == "" {
			return salesbyte.Secret{}, usageErr("%s: %s is empty", what, file)
		}
		return salesbyte.NewSecret(v), nil
	}
	if v := strings.TrimSpace(s.Getenv(env)); v != "" {
		return salesbyte.NewSecret(v), nil
	}
	return salesbyte.Secret{}, nil
}

func (o *runOptions) readOptions() (sheet.Options, error) {
	ro := sheet.Options{Sheet: o.sheetName, HeaderRow: o.headerRow, Encoding: o.encoding}
	switch strings.ToLower(o.delimiter) {
	case "":
	case ",", "comma":
		ro.Delimiter = ','
	case ";", "semicolon":
		ro.Delimiter = ';'
	case "tab", "\\t", "\t":
		ro.Delimiter = '\t'
	case "|", "pipe":
		ro.Delimiter = '|'
	default:
		return ro, usageErr("--delimiter %q: use , ; tab or |", o.delimiter)
	}
	if o.headerRow < 0 || (o.headerRowSet && o.headerRow < 1) {
		return ro, usageErr("--header-row must be 1 or more")
	}
	return ro, nil
}

func parseOnly(list []string) ([]importer.Status, error) {
	var out []importer.Status
	for _, v := range list {
		v = strings.ToLower(strings.TrimSpace(v))
		if v == "new" || v == "blank" {
			out = append(out, importer.Pending)
			continue
		}
		st, ok := importer.ParseStatus(v)
		if !ok || st == importer.Created {
			return nil, usageErr("--only %q: use failed, invalid, skipped, unknown or new", v)
		}
		out = append(out, st)
	}
	return out, nil
}

// signals turns the first interrupt (Ctrl-C or SIGTERM) into "stop
// sending" (validate: "stop checking") and the second into abort():
// abandon the requests in flight.
func signals(ctx context.Context, s streams, validate bool, abort func()) (stop context.Context, cleanup func()) {
	stop, cancelStop := context.WithCancel(ctx)
	if s.Signals == nil {
		return stop, cancelStop
	}
	ch, release := s.Signals()
	done := make(chan struct{})
	go func() {
		for n := 1; ; n++ {
			select {
			case <-ch:
				switch {
				case n == 1 && validate:
					fmt.Fprintln(s.Err, "\nInterrupted: stopping.")
					cancelStop()
				case n == 1:
					fmt.Fprintln(s.Err, "\nInterrupted: no new requests; waiting for those in flight, then writing the output. Press Ctrl-C again (or send SIGTERM again) to abandon them (their rows become unknown).")
					cancelStop()
				case n == 2:
					abort()
				}
			case <-done:
				return
			}
		}
	}()
	return stop, func() { close(done); release(); cancelStop() }
}

func runImport(ctx context.Context, s streams, o *runOptions, validate bool) error {
	if o.plainUUID != "" {
		return usageErr("--uuid is not accepted: the integration uuid is a secret and a flag's value shows in the process list and shell history; put it in SALESBYTE_UUID or in a file given with --uuid-file")
	}
	if err := checkFileArgs(o, s.Shell); err != nil {
		return err
	}
	if o.rate < 0 {
		return usageErr("--rate must be 0 (unlimited) or more")
	}
	if o.autoRate && o.maxRate <= 0 {
		return usageErr("--max-rate must be more than 0")
	}
	if _, _, err := parsePreview(o.preview); err != nil {
		return err
	}
	cfg, err := o.config()
	if err != nil {
		return err
	}
	var uuid salesbyte.Secret // for the ledger's fingerprint; a dry run uses it when set
	if !validate {
		if uuid, err = readSecret(s, o.uuidFile, "SALESBYTE_UUID", "integration uuid"); err != nil {
			return err
		}
	}
	if !validate && !o.dryRun {
		if cfg.Sender, err = o.client(s); err != nil {
			return err
		}
	}
	if o.reconcile && !validate {
		// Checked up front, so a missing token is known before sending.
		tok, err := readSecret(s, o.tokenFile, "SALESBYTE_API_TOKEN", "Quotes API token")
		if err != nil {
			return err
		}
		if tok.IsZero() {
			return usageErr("--reconcile needs the Quotes API token: set SALESBYTE_API_TOKEN (%s) or give --token-file FILE", setEnvFor(s.Shell, "SALESBYTE_API_TOKEN", "..."))
		}
	}
	l, err := o.withLedger(ctx, s, &cfg, uuid)
	if err != nil {
		return err
	}
	defer l.Close()
	return runConfig(ctx, s, o, cfg, validate)
}

// client is the SalesByte client the flags and the environment describe.
func (o *runOptions) client(s streams) (*salesbyte.Client, error) {
	uuid, err := readSecret(s, o.uuidFile, "SALESBYTE_UUID", "integration uuid")
	if err != nil {
		return nil, err
	}
	if uuid.IsZero() {
		return nil, usageErr("no integration uuid: set SALESBYTE_UUID (%s), or put it in a file and give --uuid-file FILE", setEnvFor(s.Shell, "SALESBYTE_UUID", "..."))
	}
	client, err := salesbyte.NewClient(o.baseURL, uuid, &http.Client{Timeout: o.timeout, Transport: defaultTransport()})
	if err != nil {
		return nil, usageErr("--base-url: %v", err)
	}
	return client, nil
}

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
	return nil
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

// importWith runs an import through sender (the demo's in-process client).
func importWith(ctx context.Context, s streams, o *runOptions, sender importer.Sender) error {
	cfg, err := o.config()
	if err != nil {
		return err
	}
	cfg.Sender = sender
	return runConfig(ctx, s, o, cfg, false)
}

func asExit(err error, target **exitError) bool { return errors.As(err, target) }

// runConfig validates or sends the import cfg describes: prepare, show the
// plan and ask, send (or validate), then say what happened.
func runConfig(ctx context.Context, s streams, o *runOptions, cfg importer.Config, validate bool) error {
	mode := importer.Sending
	if validate {
		mode = importer.Validating
	}
	var current atomic.Pointer[importer.Import] // for the second Ctrl-C
	stop, cleanup := signals(ctx, s, validate, func() {
		if imp := current.Load(); imp != nil {
			imp.Abort()
		}
	})
	defer cleanup()
	cfg.HeldOpen = heldOpenFor(s) // the output open in Excel: ask to close it
	imp, err := importer.Prepare(stop, cfg, mode)
	if err != nil {
		return interrupted(s, o, validate, o.explainLedger(s.Shell, explainFileErr(err, nil)))
	}
	defer imp.Close()
	current.Store(imp)
	if err := printPreview(stop, s.Err, o, imp); err != nil {
		return interrupted(s, o, validate, err)
	}
	if !validate {
		if done, err := o.confirm(stop, s, imp.Plan()); done || err != nil {
			return interrupted(s, o, validate, err)
		}
	}
	var obs importer.Observer = newProgress(s, o.verbose, imp.Progress)
	if wrapObserver != nil {
		obs = wrapObserver(obs)
	}
	var sum *importer.Summary
	if validate {
		sum, err = imp.Validate(stop, obs)
	} else {
		sum, err = imp.Send(stop, obs)
	}
	var gone *importer.JournalReplacedError
	if errors.As(err, &gone) {
		printSummary(s, o, sum, validate) // the output was written: say what it holds
	}
	if err != nil && sum != nil && sum.Stopped != nil && sum.Stopped.Kind == importer.StopJournal {
		return journalStopped(s, o, sum, err)
	}
	if err != nil {
		return interrupted(s, o, validate, o.explainLedger(s.Shell, explainFileErr(err, sum)))
	}
	imp.Close() // reconcile takes the output's lock in turn
	if o.reconcile && !validate && (sum.Counts[importer.Unknown] > 0 || sum.Counts[importer.Created] > 0) {
		if rerr := reconcileAfterRun(ctx, s, o, sum, cfg.Ledger); rerr != nil {
			fmt.Fprintln(s.Err, "sbimport: reconcile:", rerr)
		}
	}
	printSummary(s, o, sum, validate)
	if o.jsonOut {
		writeJSONSummary(s, sum, false)
	}
	if code := sum.ExitCode(); code != 0 {
		return &exitError{code: code}
	}
	return nil
}

// interrupted turns an interruption before anything was sent (or while
// validating) into exit 130, saying what it left; other errors pass
// through.
func interrupted(s streams, o *runOptions, validate bool, err error) error {
	if !errors.Is(err, importer.ErrInterrupted) {
		return err
	}
	out := o.output
	if out == "" {
		out = importer.DefaultOutput(o.input)
	}
	if validate {
		fmt.Fprintf(s.Err, "Interrupted: not every row was checked, so no output was written (%s is as it was). Run validate again to check them all.\n", out)
	} else {
		fmt.Fprintf(s.Err, "Interrupted before anything was sent: nothing was sent and nothing was written (%s is as it was). Run the same command again to start over.\n", out)
	}
	return &exitError{code: exitInterrupted}
}

// wrapObserver, when set, wraps the observer of run and validate. Only the
// tests set it, in their subprocess, to hold a run at a known point while
// they signal it.
var wrapObserver func(importer.Observer) importer.Observer

// config is the import the flags describe, without a sender.
func (o *runOptions) config() (importer.Config, error) {
	ro, err := o.readOptions()
	if err != nil {
		return importer.Config{}, err
	}
	only, err := parseOnly(o.only)
	if err != nil {
		return importer.Config{}, err
	}
	return importer.Config{
		Input: o.input, Read: ro, Mapping: o.mapping, Output: o.output, BaseURL: o.baseURL,
		Rate: o.rate, AutoRate: o.autoRate, MaxRate: o.maxRate, Concurrency: o.concurrency, MaxAttempts: o.maxAttempts,
		RetryUnknown: o.retryUnknown, AllowDuplicates: o.allowDuplicates, Only: only,
	}, nil
}

// confirm shows the plan and asks before anything is sent. done is true
// when the command is over (a dry run, or nothing to send... said no).
func (o *runOptions) confirm(stop context.Context, s streams, p importer.Plan) (done bool, err error) {
	if o.dryRun {
		printPlan(s.Err, p)
		fmt.Fprintln(s.Err, "Dry run: nothing was sent and nothing was written.")
		if o.jsonOut {
			writeJSONSummary(s, &importer.Summary{Plan: p}, true)
		}
		return true, nil
	}
	if p.ToSend == 0 {
		printHeld(s.Err, p) // why nothing is sent
		return false, nil
	}
	printPlan(s.Err, p)
	// Where it goes matters as much as what: a rehearsal against the
	// sandbox and a real run differ only in --base-url.
	if o.baseURL == defaultBaseURL {
		fmt.Fprintf(s.Err, "  to:      %s (production: real customers)\n", o.baseURL)
	} else {
		fmt.Fprintf(s.Err, "  to:      %s\n", o.baseURL)
	}
	if o.yes {
		return false, nil
	}
	if !s.Terminal {
		msg := "not sending: there is no terminal to confirm on; check the plan above and add --yes to send"
		if p.Invalid > 0 {
			msg += fmt.Sprintf(" (to see why %s invalid first: %s)", isAre(p.Invalid), quoteFor(s.Shell, o.validateCommand()))
		}
		return true, &exitError{code: exitUsage, err: errors.New(msg)}
	}
	fmt.Fprintf(s.Err, "Send %d %s to %s? [y/N] ", p.ToSend, plural(p.ToSend, "request", "requests"), o.baseURL)
	yes, err := askYes(stop, s.In)
	if err != nil || yes {
		return err != nil, err
	}
	fmt.Fprintln(s.Err, "Nothing was sent.")
	return true, &exitError{code: exitRowsFailed}
}

// askYes reads the answer to the prompt; an interrupt while it waits is
// importer.ErrInterrupted, nothing sent.
func askYes(stop context.Context, in io.Reader) (bool, error) {
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(in).ReadString('\n')
		lines <- line
	}()
	select {
	case line := <-lines:
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "y", "yes", "j", "ja":
			return true, nil
		}
		return false, nil
	case <-stop.Done():
		return false, importer.ErrInterrupted
	}
}

func defaultTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 1024
	t.MaxIdleConnsPerHost = 1024
	t.ResponseHeaderTimeout = 0 // the client's Timeout bounds each request
	return t
}

func printSummary(s streams, o *runOptions, sum *importer.Summary, validate bool) {
	c := sum.Counts
	w := s.Err
	if validate {
		fmt.Fprintf(w, "\nValidated %d rows: %d valid, %d invalid", total(sum), c[importer.Pending]+c[importer.Created], c[importer.Invalid])
		if n := c[importer.Skipped]; n > 0 {
			fmt.Fprintf(w, ", %d duplicates", n)
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
			fmt.Fprintf(w, "Rate found: %.1f requests/s (SalesByte's limit); next time you can give --rate %.1f\n", sum.FoundRate, sum.FoundRate)
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
		Interrupted: sum.Interrupted, DryRun: dryRun, Validated: sum.Validated, Unreachable: sum.Unreachable, FoundRate: sum.FoundRate,
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
