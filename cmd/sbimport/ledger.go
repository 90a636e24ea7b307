package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/sbimport/sbimport/explain"
	"github.com/sbimport/sbimport/importer"
	"github.com/sbimport/sbimport/ledger"
	"github.com/sbimport/sbimport/salesbyte"
)

// openLedger opens the ledger --ledger, $SBIMPORT_LEDGER or the default
// names, and warns when it is on a network drive. Its errors are worded
// and exit 2: nothing has been sent.
func openLedger(ctx context.Context, s streams, flag string) (*ledger.Ledger, error) {
	path, err := ledger.Resolve(flag, s.Getenv)
	if err != nil {
		return nil, usageErr("%v", err)
	}
	l, err := ledger.Open(ctx, path, ledger.Options{Verify: true})
	if err != nil {
		return nil, usageErr("%s", ledgerWords(path, err))
	}
	if fs := l.Filesystem(); fs.Network {
		fmt.Fprintf(s.Err, "Warning: the ledger %s is on a network drive (%s); two computers sharing it may not see each other's reservations in time. Keep it on a local disk with --ledger PATH or %s.\n", path, fs.Type, ledger.EnvVar)
	}
	return l, nil
}

// ledgerWords says what is wrong with the ledger and what to do.
func ledgerWords(path string, err error) string {
	var corrupt *ledger.CorruptError
	var newer *ledger.VersionError
	switch {
	case errors.As(err, &newer):
		return fmt.Sprintf("the ledger %s was written by a newer sbimport (schema %d; this one knows up to %d). Use that newer sbimport. Nothing was sent and the ledger was not changed", path, newer.Found, newer.Known)
	case errors.As(err, &corrupt):
		return fmt.Sprintf("the ledger %s is damaged (%v). Nothing was sent and it was not changed. Restore it from a backup, or move it away to start a new one (sbimport then no longer knows what earlier runs sent)", path, corrupt.Err)
	case errors.Is(err, ledger.ErrNotLedger):
		return fmt.Sprintf("%s is not an sbimport ledger (it is another program's database). Nothing was sent. Give the ledger's path with --ledger PATH or %s", path, ledger.EnvVar)
	case errors.Is(err, ledger.ErrLocked):
		return fmt.Sprintf("the ledger %s is locked by another program or sbimport for too long. Nothing was sent. Try again when it is done", path)
	case errors.Is(err, ledger.ErrReadOnly):
		return fmt.Sprintf("the ledger %s cannot be written (read-only disk or no permission). Nothing was sent. Give a writable place with --ledger PATH or %s", path, ledger.EnvVar)
	case errors.Is(err, ledger.ErrDiskFull):
		return fmt.Sprintf("the disk holding the ledger %s is full. Nothing was sent and nothing was lost. Free some space and run the same command again", path)
	case errors.Is(err, ledger.ErrRunBusy):
		return fmt.Sprintf("the run recorded in the ledger %s is still going on in another process. Nothing was sent. Wait for it to end", path)
	}
	return fmt.Sprintf("the ledger %s: %v. Nothing was sent", path, err)
}

// explainLedgerErr words a ledger error the importer met before sending.
func explainLedgerErr(err error) error {
	var le *importer.LedgerError
	var ie *importer.InputError
	if errors.As(err, &le) && errors.As(err, &ie) {
		return usageErr("%s", ledgerWords(le.Path, le.Err))
	}
	return err
}

// parseNotWithin reads --not-within: 30d, 12h, 2w, or a Go duration.
func parseNotWithin(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	unit := map[byte]time.Duration{'d': 24 * time.Hour, 'w': 7 * 24 * time.Hour}
	if u, ok := unit[v[len(v)-1]]; ok {
		n, err := strconv.Atoi(v[:len(v)-1])
		if err != nil || n <= 0 {
			return 0, usageErr("--not-within %q: give a number of days, weeks or hours, e.g. 30d, 2w or 12h", v)
		}
		return time.Duration(n) * u, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, usageErr("--not-within %q: give a number of days, weeks or hours, e.g. 30d, 2w or 12h", v)
	}
	return d, nil
}

// withLedger opens the ledger and fills cfg's ledger fields: the
// integration's fingerprint when there is a uuid (validate has none; a
// dry run uses it when set). The caller closes the ledger.
func (o *runOptions) withLedger(ctx context.Context, s streams, cfg *importer.Config, uuid salesbyte.Secret) (*ledger.Ledger, error) {
	nw, err := parseNotWithin(o.notWithin)
	if err != nil {
		return nil, err
	}
	// The mapping's campaign: is the default (importer's Prepare).
	cfg.Campaign, cfg.NotWithin = o.campaign, nw
	if cfg.Campaign != "" {
		if err := ledger.CheckCampaign(cfg.Campaign); err != nil {
			return nil, usageErr("--campaign: %v", err)
		}
	}
	l, err := openLedger(ctx, s, o.ledgerPath)
	if err != nil {
		return nil, err
	}
	cfg.Ledger = l
	if !uuid.IsZero() {
		uuid.With(func(v string) { cfg.Integration = l.Fingerprint(v) })
	}
	return l, nil
}

// printHeld says, in the plan, which rows the ledger holds back.
func printHeld(w io.Writer, p importer.Plan) {
	if p.Ledger == "" {
		return
	}
	if p.LedgerUnchecked {
		fmt.Fprintf(w, "  ledger:  not checked: it needs the integration uuid (SALESBYTE_UUID or --uuid-file) to tell what was sent before\n")
		return
	}
	n := explain.NounFor(p.Endpoint)
	for _, h := range p.Held {
		fmt.Fprintf(w, "  %s\n", explain.Held(n, h))
	}
	if p.Campaign != "" {
		fmt.Fprintf(w, "  campaign: %s (a customer gets one %s per campaign)\n", p.Campaign, n.Singular)
	}
}

// explainLedger words the ledger's errors and a hand-edited output,
// whose way out names this command's mapping.
func (o *runOptions) explainLedger(sh shell, err error) error {
	var he *importer.HandEditedError
	if errors.As(err, &he) {
		when := "since sbimport wrote it"
		if !he.Written.IsZero() {
			when = "since sbimport wrote it on " + he.Written.Local().Format("2006-01-02 15:04")
		} else {
			when = "by hand or by another program (sbimport has no record of writing it)"
		}
		return usageErr("%s was changed %s, so it is not written over; nothing was sent.\n"+
			"To keep those changes, use it as the input:\n  %s\n"+
			"or write this run's output elsewhere with -o FILE", he.Output, when, o.rerunCommand(sh, he.Output))
	}
	return explainLedgerErr(err)
}

// printHeldSummary says how many rows the ledger held back.
func printHeldSummary(w io.Writer, sum *importer.Summary) {
	if n := sum.Held[ledger.HeldCreated]; n > 0 {
		fmt.Fprintf(w, "%s created by earlier runs (the ledger says when and where in sb_error); not sent again.\n", rows(n))
	}
	other := 0
	for why, n := range sum.Held {
		if why != ledger.HeldCreated {
			other += n
		}
	}
	if other > 0 {
		fmt.Fprintf(w, "%s skipped: another run sent them, is sending them, or may have (sb_error says which run).\n", rows(other))
	}
}
