package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
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
	forceBaseURL      bool // send although the output's journal records another address
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
	f.BoolVar(&o.forceBaseURL, "force-base-url", false, "send although the output sheet records a run to another address (only when it is the same SalesByte)")
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
	if !validate {
		if err := checkTarget(s, o); err != nil {
			return err
		}
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
		Input: o.input, Read: ro, Mapping: o.mapping, Output: o.output, BaseURL: o.baseURL, ForceBaseURL: o.forceBaseURL,
		Rate: o.rate, AutoRate: o.autoRate, MaxRate: o.maxRate, Concurrency: o.concurrency, MaxAttempts: o.maxAttempts,
		RetryUnknown: o.retryUnknown, AllowDuplicates: o.allowDuplicates, Only: only,
	}, nil
}

func defaultTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 1024
	t.MaxIdleConnsPerHost = 1024
	t.ResponseHeaderTimeout = 0 // the client's Timeout bounds each request
	return t
}
