package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sbimport/sbimport/importer"
)

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
