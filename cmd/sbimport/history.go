package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/sbimport/sbimport/explain"
	"github.com/sbimport/sbimport/ledger"
)

type historyOptions struct {
	ledgerPath, key, forgetBefore string
	jsonOut                       bool
	limit                         int
}

func newHistoryCmd(s streams) *cobra.Command {
	o := &historyOptions{}
	cmd := &cobra.Command{
		Use:   "history [--key KEY] [--json] [--forget-before YYYY-MM-DD]",
		Short: "List the runs the ledger recorded, or what was sent for one customer",
		Long: `history reads the ledger: the per-user record of every run and every row
sent, which run uses to never send a customer twice across sheets.

Without options it lists the runs, newest first: when, which sheet, the
campaign, the endpoint, the counts and where they were sent. --key shows
what was sent for one key (the mapping's key: an e-mail, a phone, a
customer number), in which runs, with SalesByte's ids and links. The
ledger holds keys only as keyed hashes, so a key can be looked up but not
listed.

--forget-before deletes the runs that began before a date, with
everything they recorded: their customers may then be sent again.`,
		Example: `  sbimport history
  sbimport history --key anna@example.se
  sbimport history --json
  sbimport history --forget-before 2026-01-01`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return history(cmd.Context(), s, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.ledgerPath, "ledger", "", "the ledger (default: $SBIMPORT_LEDGER, else your config folder's sbimport/ledger.db)")
	f.StringVar(&o.key, "key", "", "show what was sent for this key (e.g. an e-mail address)")
	f.BoolVar(&o.jsonOut, "json", false, "print JSON on stdout")
	f.StringVar(&o.forgetBefore, "forget-before", "", "delete the runs that began before this date (YYYY-MM-DD), with all they recorded")
	f.IntVar(&o.limit, "limit", 0, "list at most this many runs (default: all)")
	return cmd
}

func history(ctx context.Context, s streams, o *historyOptions) error {
	var before time.Time
	if o.forgetBefore != "" {
		var err error
		if before, err = time.ParseInLocation("2006-01-02", o.forgetBefore, time.Local); err != nil {
			return usageErr("--forget-before %q: give a date as YYYY-MM-DD", o.forgetBefore)
		}
	}
	l, err := openLedger(ctx, s, o.ledgerPath)
	if err != nil {
		return err
	}
	defer l.Close()
	switch {
	case o.forgetBefore != "":
		f, err := l.Forget(ctx, before)
		if err != nil {
			return usageErr("%s", ledgerWords(l.Path(), err))
		}
		fmt.Fprintf(s.Err, "Forgot %d %s and %d %s that began before %s (runs under way are kept). Their customers may be sent again.\n",
			f.Runs, plural(int(f.Runs), "run", "runs"), f.Entries, plural(int(f.Entries), "row", "rows"), o.forgetBefore)
		return nil
	case o.key != "":
		es, err := l.KeyHistory(ctx, o.key)
		if err != nil {
			return usageErr("%s", ledgerWords(l.Path(), err))
		}
		if o.jsonOut {
			return writeJSON(s.Out, keyJSON(es))
		}
		printKeyHistory(s.Out, o.key, es)
		return nil
	}
	runs, err := l.Runs(ctx, o.limit)
	if err != nil {
		return usageErr("%s", ledgerWords(l.Path(), err))
	}
	if o.jsonOut {
		return writeJSON(s.Out, runsJSON(runs))
	}
	printRuns(s.Out, l.Path(), runs)
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func localTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("2006-01-02 15:04")
}

func runState(r ledger.Run) string {
	switch {
	case r.Alive:
		return "under way"
	case r.Ended.IsZero():
		return "stopped (run the same command again to finish it)"
	}
	return "finished"
}

func printRuns(w io.Writer, path string, runs []ledger.Run) {
	if len(runs) == 0 {
		fmt.Fprintf(w, "No runs recorded in %s yet.\n", path)
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tSTARTED\tINPUT\tCAMPAIGN\tENDPOINT\tROWS\tCREATED\tFAILED\tINVALID\tUNKNOWN\tSKIPPED\tSENT TO\tSTATE")
	for _, r := range runs {
		c := r.Counts
		campaign := r.Campaign
		if campaign == "" {
			campaign = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\n", r.ID, localTime(r.Started), filepath.Base(r.Input), campaign,
			r.Endpoint, c.Rows, c.Created, c.Failed, c.Invalid, c.Unknown, c.Skipped, r.BaseURL, runState(r))
	}
	tw.Flush()
}

func printKeyHistory(w io.Writer, key string, es []*ledger.Entry) {
	if len(es) == 0 {
		fmt.Fprintf(w, "Nothing was sent for %s (as far as this ledger knows).\n", key)
		return
	}
	fmt.Fprintf(w, "Sent for %s:\n", key)
	for _, e := range es {
		fmt.Fprintf(w, "  %s  %-8s %s, run %d (%s row %d)", localTime(e.When()), e.Status, explain.ScopeName(e.Scope), e.Run, filepath.Base(e.File), e.Row)
		if e.SBID != 0 {
			fmt.Fprintf(w, ", id %d", e.SBID)
		}
		fmt.Fprintln(w)
		for _, l := range []struct{ name, v string }{{"customer view", e.Links.CustomerView}, {"edit", e.Links.Edit}} {
			if l.v != "" {
				fmt.Fprintf(w, "      %s: %s\n", l.name, l.v)
			}
		}
	}
}

type runJSON struct {
	ID       int64      `json:"id"`
	Started  time.Time  `json:"started"`
	Ended    *time.Time `json:"ended,omitempty"`
	Input    string     `json:"input"`
	Mapping  string     `json:"mapping"`
	Campaign string     `json:"campaign,omitempty"`
	Endpoint string     `json:"endpoint"`
	BaseURL  string     `json:"base_url"`
	State    string     `json:"state"`
	Counts   countsJSON `json:"counts"`
}

type countsJSON struct {
	Rows    int `json:"rows"`
	Created int `json:"created"`
	Failed  int `json:"failed"`
	Invalid int `json:"invalid"`
	Unknown int `json:"unknown"`
	Skipped int `json:"skipped"`
}

func runsJSON(runs []ledger.Run) []runJSON {
	out := make([]runJSON, 0, len(runs))
	for _, r := range runs {
		c := r.Counts
		j := runJSON{ID: r.ID, Started: r.Started, Input: r.Input, Mapping: r.Mapping, Campaign: r.Campaign, Endpoint: r.Endpoint,
			BaseURL: r.BaseURL, State: map[bool]string{true: "running", false: "finished"}[r.Alive],
			Counts: countsJSON{c.Rows, c.Created, c.Failed, c.Invalid, c.Unknown, c.Skipped}}
		if !r.Ended.IsZero() {
			e := r.Ended
			j.Ended = &e
		} else if !r.Alive {
			j.State = "stopped"
		}
		out = append(out, j)
	}
	return out
}

type entryJSON struct {
	Run         int64     `json:"run"`
	At          time.Time `json:"at"`
	Status      string    `json:"status"`
	Scope       string    `json:"scope"`
	File        string    `json:"file"`
	Row         int       `json:"row"`
	ID          int64     `json:"id,omitempty"`
	LinkEdit    string    `json:"link_edit,omitempty"`
	LinkView    string    `json:"link_customer_view,omitempty"`
	HTTPStatus  int       `json:"http_status,omitempty"`
	RunInput    string    `json:"run_input"`
	RunStarted  time.Time `json:"run_started"`
	RunBaseURL  string    `json:"run_base_url"`
	LinkVerify  string    `json:"link_customer_verificate,omitempty"`
	LinkApprove string    `json:"link_project_approval,omitempty"`
}

func keyJSON(es []*ledger.Entry) []entryJSON {
	out := make([]entryJSON, 0, len(es))
	for _, e := range es {
		out = append(out, entryJSON{Run: e.Run, At: e.When(), Status: string(e.Status), Scope: e.Scope, File: e.File, Row: e.Row,
			ID: e.SBID, LinkEdit: e.Links.Edit, LinkView: e.Links.CustomerView, HTTPStatus: e.HTTPStatus,
			RunInput: e.RunInput, RunStarted: e.RunStarted, RunBaseURL: e.RunBaseURL,
			LinkVerify: e.Links.CustomerVerificate, LinkApprove: e.Links.ProjectApproval})
	}
	return out
}
