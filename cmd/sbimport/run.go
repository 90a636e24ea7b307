package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
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
	delimiter, encoding    string

	baseURL, uuidFile string
	rate              float64
	concurrency       int
	maxAttempts       int
	timeout           time.Duration

	yes, dryRun, retryUnknown, allowDuplicates bool
	only                                       []string
	jsonOut, verbose                           bool
	reconcile                                  bool
	tokenFile                                  string
	plainUUID                                  string // refused: see validateSecrets
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
2 usage, mapping or input error (nothing sent), 130 interrupted.`,
		Example: `  export SALESBYTE_UUID=...            # or --uuid-file uuid.txt
  sbimport run -m mapping.yaml -i kunder.xlsx
  sbimport run -m mapping.yaml -i kunder.csv --rate 2 --yes
  sbimport run -m mapping.yaml -i kunder-result.xlsx   # re-send fixed rows`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
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
input error.`
		cmd.Example = `  sbimport validate -m mapping.yaml -i kunder.xlsx
  sbimport validate -m mapping.yaml -i kunder.csv -o checked.csv`
	}
	f := cmd.Flags()
	f.StringVarP(&o.mapping, "mapping", "m", "", "the YAML mapping file (required)")
	f.StringVarP(&o.input, "input", "i", "", "the CSV or XLSX sheet to read (required)")
	f.StringVarP(&o.output, "output", "o", "", "the output sheet (default <input>-result.<ext>)")
	f.StringVar(&o.sheetName, "sheet", "", "XLSX: the sheet to read (default: the first visible one)")
	f.IntVar(&o.headerRow, "header-row", 1, "the row that holds the column names")
	f.StringVar(&o.delimiter, "delimiter", "", "CSV: the delimiter: , ; tab or | (default: detected)")
	f.StringVar(&o.encoding, "encoding", "", "CSV: utf-8, windows-1252 or utf-16 (default: detected)")
	f.BoolVar(&o.jsonOut, "json", false, "print a machine-readable summary on stdout")
	cmd.MarkFlagRequired("mapping")
	cmd.MarkFlagRequired("input")
	if validate {
		return cmd
	}
	f.StringVar(&o.baseURL, "base-url", defaultBaseURL, "SalesByte's address (http:// only to loopback, e.g. the sandbox)")
	f.StringVar(&o.uuidFile, "uuid-file", "", "read the integration uuid from this file (default: $SALESBYTE_UUID)")
	f.Float64Var(&o.rate, "rate", 5, "requests per second; 0 = unlimited (for the sandbox)")
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
	if o.headerRow < 1 {
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

// signals turns the first interrupt into "stop sending" and the second
// into "abort the requests in flight".
func signals(ctx context.Context, s streams) (stop, abort context.Context, cleanup func()) {
	stop, cancelStop := context.WithCancel(ctx)
	abort, cancelAbort := context.WithCancel(context.Background())
	if s.Signals == nil {
		return stop, abort, func() { cancelStop(); cancelAbort() }
	}
	ch, release := s.Signals()
	done := make(chan struct{})
	go func() {
		n := 0
		for {
			select {
			case <-ch:
				n++
				if n == 1 {
					fmt.Fprintln(s.Err, "\nInterrupted: no new requests; waiting for those in flight, then writing the output. Press Ctrl-C again to abandon them (their rows become unknown).")
					cancelStop()
				} else {
					cancelAbort()
				}
			case <-done:
				return
			}
		}
	}()
	return stop, abort, func() { close(done); release(); cancelStop(); cancelAbort() }
}

func runImport(ctx context.Context, s streams, o *runOptions, validate bool) error {
	if o.plainUUID != "" {
		return usageErr("--uuid is not accepted: the integration uuid is a secret and a flag's value shows in the process list and shell history; put it in SALESBYTE_UUID or in a file given with --uuid-file")
	}
	if _, err := o.readOptions(); err != nil {
		return err
	}
	if _, err := parseOnly(o.only); err != nil {
		return err
	}
	if o.rate < 0 {
		return usageErr("--rate must be 0 (unlimited) or more")
	}
	var sender importer.Sender
	if !validate && !o.dryRun {
		uuid, err := readSecret(s, o.uuidFile, "SALESBYTE_UUID", "integration uuid")
		if err != nil {
			return err
		}
		if uuid.IsZero() {
			return usageErr("no integration uuid: set SALESBYTE_UUID, or put it in a file and give --uuid-file FILE")
		}
		client, err := salesbyte.NewClient(o.baseURL, uuid, &http.Client{Timeout: o.timeout, Transport: defaultTransport()})
		if err != nil {
			return usageErr("--base-url: %v", err)
		}
		sender = client
	}
	if o.reconcile && !validate {
		// Checked up front, so a missing token is known before sending.
		tok, err := readSecret(s, o.tokenFile, "SALESBYTE_API_TOKEN", "Quotes API token")
		if err != nil {
			return err
		}
		if tok.IsZero() {
			return usageErr("--reconcile needs the Quotes API token: set SALESBYTE_API_TOKEN or give --token-file FILE")
		}
	}
	return importWithValidate(ctx, s, o, sender, validate)
}

// importWith runs an import through sender (the demo's in-process client).
func importWith(ctx context.Context, s streams, o *runOptions, sender importer.Sender) error {
	return importWithValidate(ctx, s, o, sender, false)
}

func asExit(err error, target **exitError) bool { return errors.As(err, target) }

func importWithValidate(ctx context.Context, s streams, o *runOptions, sender importer.Sender, validate bool) error {
	ro, err := o.readOptions()
	if err != nil {
		return err
	}
	only, err := parseOnly(o.only)
	if err != nil {
		return err
	}
	cfg := importer.Config{
		Input: o.input, Read: ro, Mapping: o.mapping, Output: o.output,
		ValidateOnly: validate, DryRun: o.dryRun, Sender: sender,
		Rate: o.rate, Concurrency: o.concurrency, MaxAttempts: o.maxAttempts,
		RetryUnknown: o.retryUnknown, AllowDuplicates: o.allowDuplicates, Only: only,
	}
	cfg.Confirm = func(p importer.Plan) (bool, error) {
		fmt.Fprint(s.Err, p.String())
		if o.yes {
			return true, nil
		}
		if !s.Terminal {
			return false, &exitError{code: exitUsage, err: errors.New("not sending: there is no terminal to confirm on; check the plan above and add --yes to send")}
		}
		fmt.Fprintf(s.Err, "Send %d requests to %s? [y/N] ", p.ToSend, o.baseURL)
		line, _ := bufio.NewReader(s.In).ReadString('\n')
		ans := strings.ToLower(strings.TrimSpace(line))
		return ans == "y" || ans == "yes" || ans == "j" || ans == "ja", nil
	}
	stop, abort, cleanup := signals(ctx, s)
	defer cleanup()
	cfg.Abort = abort
	prog := newProgress(s, o.verbose)
	cfg.Progress = prog
	cfg.Logf = prog.logf
	cfg.Verbose = o.verbose

	sum, err := importer.Run(stop, cfg)
	if errors.Is(err, importer.ErrNotConfirmed) {
		fmt.Fprintln(s.Err, "Nothing was sent.")
		return &exitError{code: exitRowsFailed}
	}
	if err != nil {
		return err
	}
	if sum.DryRun {
		fmt.Fprint(s.Err, sum.Plan.String())
		fmt.Fprintln(s.Err, "Dry run: nothing was sent and nothing was written.")
	} else if o.reconcile && !validate && (sum.Counts[importer.Unknown] > 0 || sum.Counts[importer.Created] > 0) {
		if rerr := reconcileAfterRun(ctx, s, o, sum); rerr != nil {
			fmt.Fprintln(s.Err, "sbimport: reconcile:", rerr)
		}
	}
	printSummary(s, o, sum, validate)
	if o.jsonOut {
		writeJSONSummary(s, sum)
	}
	if code := sum.ExitCode(); code != 0 {
		return &exitError{code: code}
	}
	return nil
}

func defaultTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 1024
	t.MaxIdleConnsPerHost = 1024
	t.ResponseHeaderTimeout = 0 // the client's Timeout bounds each request
	return t
}

func printSummary(s streams, o *runOptions, sum *importer.Summary, validate bool) {
	if sum.DryRun {
		return
	}
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
			fmt.Fprintf(w, " (%d requests, %.1f/s", sum.Requests, sum.Rate())
			if sum.Throttled > 0 {
				fmt.Fprintf(w, ", %d slowed down by SalesByte", sum.Throttled)
			}
			fmt.Fprint(w, ")")
		}
		fmt.Fprintln(w, ".")
	}
	problemRows := 0
	for _, e := range sum.Errors {
		problemRows += e.N
	}
	if problemRows > len(sum.Problems) {
		fmt.Fprintln(w, "Most common problems:")
		for i, e := range sum.Errors {
			if i == 5 {
				break
			}
			fmt.Fprintf(w, "  %5d × %s\n", e.N, e.Error)
		}
	}
	if len(sum.Problems) > 0 {
		where := sum.Plan.Input
		if sum.Plan.Sheet != "" {
			where += fmt.Sprintf(", sheet %q", sum.Plan.Sheet)
		}
		fmt.Fprintf(w, "Rows to look at (%s):\n", where)
		for _, p := range sum.Problems {
			fmt.Fprintf(w, "  row %d, %s: %s\n", p.Line, p.Status, p.Error)
		}
	}
	if sum.Stopped != "" {
		fmt.Fprintf(w, "Sending stopped early: %s.\n", sum.Stopped)
	}
	fmt.Fprintf(w, "Output: %s\n", sum.Output)
	switch {
	case sum.Interrupted:
		fmt.Fprintf(w, "Interrupted. Run the same command again to send the rest; rows already sent are not sent again (journal: %s).\n", sum.Journal)
	case validate && c[importer.Invalid] > 0:
		fmt.Fprintf(w, "Next: fix the invalid rows in %s (sb_error says what is wrong) and validate again, or run it: sbimport run -m %s -i %s\n", sum.Output, o.mapping, sum.Output)
	case !validate && c[importer.Failed]+c[importer.Invalid] > 0:
		fmt.Fprintf(w, "Next: fix the %s marked failed or invalid in %s (sb_error says what is wrong), then send them again:\n  sbimport run -m %s -i %s\n", rows(c[importer.Failed]+c[importer.Invalid]), sum.Output, o.mapping, sum.Output)
	}
	if !validate && c[importer.Unknown] > 0 {
		fmt.Fprintf(w, "%d rows may or may not have been created (the answer was lost). Settle them before re-sending:\n  sbimport reconcile -i %s\n", c[importer.Unknown], sum.Output)
	}
}

func rows(n int) string {
	if n == 1 {
		return "1 row"
	}
	return fmt.Sprintf("%d rows", n)
}

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
	Errors      []jsonError    `json:"errors"`
	ExitCode    int            `json:"exit_code"`
}

type jsonError struct {
	Error string `json:"error"`
	Rows  int    `json:"rows"`
}

func writeJSONSummary(s streams, sum *importer.Summary) {
	js := jsonSummary{
		Input: sum.Plan.Input, Output: sum.Output, Journal: sum.Journal, Endpoint: string(sum.Plan.Endpoint),
		Counts: map[string]int{}, Requests: sum.Requests, Throttled: sum.Throttled, Rate: sum.Rate(),
		Interrupted: sum.Interrupted, DryRun: sum.DryRun, Validated: sum.Validated, Stopped: sum.Stopped,
		Errors: []jsonError{}, ExitCode: sum.ExitCode(),
	}
	for _, st := range importer.Statuses {
		js.Counts[string(st)] = sum.Counts[st]
	}
	if sum.Validated {
		js.Counts["valid"] = sum.Counts[importer.Pending]
	}
	js.Rows = total(sum)
	if sum.DryRun {
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
