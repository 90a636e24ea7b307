package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/sbimport/sbimport/ui"
)

func newUICmd(s streams) *cobra.Command {
	var addr, runsDir, ledgerPath string
	var noBrowser bool
	cmd := &cobra.Command{
		Use:   "ui [--addr 127.0.0.1:0] [--no-browser]",
		Short: "The import wizard as a local web page",
		Long: `ui starts a web page on this computer that walks through one import: choose
the sheet, map its columns, see every invalid row, read the plan, send (to
the sandbox first), watch the progress and download the output sheet. It
uses the same checks, plan, journal and output sheet as run.

The page's address is printed on the first line of stdout; open the whole
of it: its access token is the part after #token=, which the browser keeps
to itself (it is sent to no server). It answers on loopback only; the integration uuid entered in it is
held in this program's memory and never shown again. Uploaded files live in
a private temporary folder that is removed at exit. A sheet that is sent is
kept, with its mapping, output sheet and journal, in a folder of --runs-dir
named by the sheet's content: choosing the same sheet again (after a crash,
say) resumes the run as 'sbimport run' does, and nothing is sent twice.`,
		Example: `  sbimport ui
  SALESBYTE_UUID=... sbimport ui --no-browser --addr 127.0.0.1:8090`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runsDir == "" {
				runsDir = defaultRunsDir(s.Getenv)
			}
			l, err := openLedger(cmd.Context(), s, ledgerPath)
			if err != nil {
				return err
			}
			defer l.Close()
			srv, err := ui.New(ui.Options{Getenv: s.Getenv, RunsDir: runsDir, Ledger: l})
			if err != nil {
				return err
			}
			defer srv.Close()
			url, err := srv.Start(addr)
			if err != nil {
				return usageErr("--addr %s: %v", addr, err)
			}
			fmt.Fprintf(s.Out, "Open %s\n", url)
			fmt.Fprintf(s.Err, "A copy of each sheet you send, with its output sheet and its record of what was sent (so that a run cut off resumes), is kept in %s.\n", runsDir)
			fmt.Fprintln(s.Err, "sbimport ui is running; press Ctrl-C to stop it (a run in progress stops as with Ctrl-C, and its output is written first).")
			if !noBrowser {
				if err := openBrowser(url); err != nil {
					fmt.Fprintf(s.Err, "Could not open a browser (%v): open the address above yourself.\n", err)
				}
			}
			if !waitForInterrupt(cmd.Context(), s, srv.StopRun) {
				return nil
			}
			if !srv.Running() {
				return nil
			}
			fmt.Fprintln(s.Err, "\nInterrupted: the run sends no new requests and writes its output first. Press Ctrl-C again to abandon the requests in flight (their rows become unknown).")
			srv.Close()
			return &exitError{code: exitInterrupted}
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:0", "where to listen: a loopback address and port (0 = any free port)")
	cmd.Flags().StringVar(&runsDir, "runs-dir", "", "where sent sheets, their outputs and journals are kept (default: $XDG_STATE_HOME/sbimport/ui-runs or ~/.local/state/sbimport/ui-runs)")
	cmd.Flags().BoolVar(&noBrowser, "no-browser", false, "do not open the default browser; just print the address")
	cmd.Flags().StringVar(&ledgerPath, "ledger", "", "the ledger production runs are recorded in (default: $SBIMPORT_LEDGER, else sbimport/ledger.db in your config folder)")
	return cmd
}

// waitForInterrupt waits for Ctrl-C (true) or the end of ctx (false). A
// second Ctrl-C calls again, which abandons a run's requests in flight.
func waitForInterrupt(ctx context.Context, s streams, again func()) bool {
	if s.Signals == nil {
		<-ctx.Done()
		return false
	}
	ch, release := s.Signals()
	select {
	case <-ctx.Done():
		release()
		return false
	case <-ch:
	}
	go func() {
		defer release()
		for {
			select {
			case <-ch:
				again()
			case <-ctx.Done():
				return
			}
		}
	}()
	return true
}

// defaultRunsDir is where sbimport ui keeps the sheets it sent, with
// their outputs and journals: state that must outlive the program.
func defaultRunsDir(getenv func(string) string) string {
	if d := getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "sbimport", "ui-runs")
	}
	if runtime.GOOS == "linux" {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, ".local", "state", "sbimport", "ui-runs")
		}
	}
	if d, err := os.UserConfigDir(); err == nil {
		return filepath.Join(d, "sbimport", "ui-runs")
	}
	return filepath.Join(os.TempDir(), "sbimport-ui-runs")
}

// openBrowser opens url in the default browser.
func openBrowser(url string) error {
	var c *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		c = exec.Command("open", url)
	case "windows":
		c = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		c = exec.Command("xdg-open", url)
	}
	if err := c.Start(); err != nil {
		return err
	}
	go c.Wait()
	return nil
}
