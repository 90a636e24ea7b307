package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/spf13/cobra"

	"github.com/sbimport/sbimport/importer"
	"github.com/sbimport/sbimport/ledger"
	"github.com/sbimport/sbimport/salesbyte"
	"github.com/sbimport/sbimport/sheet"
)

type reconcileOptions struct {
	input, output, mapping string
	sheetName              string
	baseURL, tokenFile     string
	forceBaseURL           bool
	ledgerPath             string
}

func newReconcileCmd(s streams) *cobra.Command {
	o := &reconcileOptions{}
	cmd := &cobra.Command{
		Use:   "reconcile -i OUTPUT_SHEET [-o OUTPUT]",
		Short: "Settle rows whose outcome is unknown, or created without an id, through the Quotes API",
		Long: `reconcile reads an output sheet of run, lists the quotes created since that
run began through SalesByte's Quotes API, and matches them to the rows whose
outcome is unknown (the answer was lost) and to rows created without an id
(template quotes answered with plain text), by customer e-mail, phone and
name. A match fills sb_id and the links and sets created; an unknown row with
no match becomes failed, safe to send again; a row with several candidates
is reported and left for you to decide. The sheet is updated in place
(atomically) unless -o says otherwise, and the run's journal is told, so
running the same run command again keeps what reconcile found.

Quotes are listed at the SalesByte address the run sent its rows to, as its
journal records it. Another --base-url is refused (a quote not found there
would mark its row safe to send again) unless --force-base-url.

The Quotes API token is read from SALESBYTE_API_TOKEN or --token-file.`,
		Example: `  ` + setEnvFor(s.Shell, "SALESBYTE_API_TOKEN", "...") + `        # or --token-file token.txt
  sbimport reconcile -i kunder-result.xlsx`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.forceBaseURL && o.baseURL == "" {
				return usageErr("--force-base-url goes with --base-url: give the address to look for the quotes at")
			}
			tok, err := readSecret(s, o.tokenFile, "SALESBYTE_API_TOKEN", "Quotes API token")
			if err != nil {
				return err
			}
			if tok.IsZero() {
				return usageErr("no Quotes API token: set SALESBYTE_API_TOKEN (%s), or put it in a file and give --token-file FILE", setEnvFor(s.Shell, "SALESBYTE_API_TOKEN", "..."))
			}
			return reconcileWith(cmd.Context(), s, o, quotesAt(tok))
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.input, "input", "i", "", "the output sheet of a run (required)")
	f.StringVarP(&o.output, "output", "o", "", "where to write the settled sheet (default: update the input in place)")
	f.StringVarP(&o.mapping, "mapping", "m", "", "the run's mapping (default: the one its journal names)")
	f.StringVar(&o.sheetName, "sheet", "", "XLSX: the sheet to read")
	f.StringVar(&o.baseURL, "base-url", "", "SalesByte's address (default: the one the run sent its rows to, as its journal records it; else "+defaultBaseURL+")")
	f.BoolVar(&o.forceBaseURL, "force-base-url", false, "look for the quotes at --base-url even though the run's journal records another address")
	f.StringVar(&o.tokenFile, "token-file", "", "read the Quotes API token from this file (default: $SALESBYTE_API_TOKEN)")
	f.StringVar(&o.ledgerPath, "ledger", "", "the ledger to settle the rows in too (default: $SBIMPORT_LEDGER, else your config folder's sbimport/ledger.db)")
	cmd.MarkFlagRequired("input")
	return cmd
}

// quotesAt makes Quotes API clients with tok for reconcile.
func quotesAt(tok salesbyte.Secret) func(baseURL string) (importer.QuoteLister, error) {
	return func(baseURL string) (importer.QuoteLister, error) {
		qc, err := salesbyte.NewQuotesClient(baseURL, tok, &http.Client{Transport: defaultTransport()})
		if err != nil {
			return nil, fmt.Errorf("--base-url: %w", err)
		}
		return qc, nil
	}
}

func reconcileWith(ctx context.Context, s streams, o *reconcileOptions, quotes func(string) (importer.QuoteLister, error)) error {
	l, err := openLedger(ctx, s, o.ledgerPath)
	if err != nil {
		return err
	}
	defer l.Close()
	sum, err := importer.Reconcile(ctx, importer.ReconcileConfig{
		Input: o.input, Read: sheet.Options{Sheet: o.sheetName}, Output: o.output, Mapping: o.mapping,
		BaseURL: o.baseURL, ForceBaseURL: o.forceBaseURL, Quotes: quotes, HeldOpen: heldOpenFor(s), Ledger: l,
	})
	if err != nil {
		return reconcileErr(explainLedgerErr(explainFileErr(err, nil)), s.Shell)
	}
	w := s.Err
	if sum.ToSettle == 0 {
		fmt.Fprintf(w, "Nothing to reconcile in %s: no row is unknown or created without an id.\n", o.input)
		return nil
	}
	printBaseURLNote(w, o.input, sum)
	fmt.Fprintf(w, "Reconciled %s against %d quotes created %s – %s:\n", rows(sum.ToSettle), sum.Quotes, sum.From.Format("2006-01-02 15:04"), sum.To.Format("2006-01-02 15:04"))
	fmt.Fprintf(w, "  found (now created, with id):        %d\n", sum.Found)
	fmt.Fprintf(w, "  not created (now failed, safe to send again): %d\n", sum.NotFound)
	if sum.NoID > 0 {
		fmt.Fprintf(w, "  created, but no quote found (no id): %d\n", sum.NoID)
	}
	if sum.Ambiguous > 0 {
		fmt.Fprintf(w, "  several candidates (decide by hand, see sb_error): %d\n", sum.Ambiguous)
	}
	fmt.Fprintf(w, "Output: %s\n", sum.Output)
	if sum.Ambiguous > 0 {
		return &exitError{code: exitRowsFailed}
	}
	return nil
}

// reconcileErr words reconcile's refusal to look at another SalesByte
// than the run's (exit 2); other errors pass as they are. The advice
// names the reconcile command, as run --reconcile ends here too.
func reconcileErr(err error, sh shell) error {
	var mm *importer.BaseURLMismatchError
	var se *salesbyte.Error
	if errors.As(err, &se) && se.Status == 401 {
		return fmt.Errorf("%w\nSet SALESBYTE_API_TOKEN to the Quotes API token, or give --token-file FILE", err)
	}
	if !errors.As(err, &mm) {
		return err
	}
	return usageErr("%s was written by a run that sent its rows to %s, but reconcile was told to look for them at %s.\n"+
		"Looking there, rows not found would be marked failed, \"safe to send again\", when they may have been created at %s. Nothing was changed.\n"+
		"To look for them at %s: %s (without --base-url). If %s really is the same SalesByte, add --base-url %s --force-base-url.",
		mm.Sheet, mm.Recorded, mm.Given, mm.Recorded, mm.Recorded, quoteFor(sh, []string{"sbimport", "reconcile", "-i", mm.Sheet}), mm.Given, mm.Given)
}

// printBaseURLNote says when the address listed was not checked against
// the run's, or was forced.
func printBaseURLNote(w io.Writer, input string, sum *importer.ReconcileSummary) {
	switch sum.BaseURLFrom {
	case importer.BaseURLNotRecorded:
		fmt.Fprintf(w, "Note: the journal of %s does not record which SalesByte the run sent its rows to (it is missing, or an older sbimport wrote it); looking for the quotes at %s.\n", input, sum.BaseURL)
	case importer.BaseURLForced:
		fmt.Fprintf(w, "Note: looking for the quotes at %s, though the run sent its rows to %s (--force-base-url).\n", sum.BaseURL, sum.RecordedBaseURL)
	}
}

// reconcileAfterRun is run --reconcile.
func reconcileAfterRun(ctx context.Context, s streams, o *runOptions, sum *importer.Summary, l *ledger.Ledger) error {
	tok, err := readSecret(s, o.tokenFile, "SALESBYTE_API_TOKEN", "Quotes API token")
	if err != nil {
		return err
	}
	rs, err := importer.Reconcile(ctx, importer.ReconcileConfig{Input: sum.Output, Read: sheet.Options{Sheet: o.sheetName}, Mapping: o.mapping, BaseURL: o.baseURL, Quotes: quotesAt(tok), Ledger: l})
	if err != nil {
		return reconcileErr(explainLedgerErr(explainFileErr(err, nil)), s.Shell)
	}
	if rs.ToSettle > 0 {
		fmt.Fprintf(s.Err, "Reconciled %s: %d found, %d not created (now failed), %d ambiguous.\n", rows(rs.ToSettle), rs.Found, rs.NotFound, rs.Ambiguous)
		// The counts shown next are those of the sheet as reconciled.
		for _, t := range []struct {
			from, to importer.Status
			n        int
		}{{importer.Unknown, importer.Created, rs.FoundUnknown}, {importer.Unknown, importer.Failed, rs.NotFound}} {
			sum.Counts[t.from] -= t.n
			sum.Counts[t.to] += t.n
		}
	}
	return nil
}
