package importer

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/sbimport/sbimport/sandbox"
)

// rewriteCSV applies edit to the records of a CSV file.
func rewriteCSV(t *testing.T, path string, edit func(recs [][]string)) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	edit(recs)
	var buf strings.Builder
	csv.NewWriter(&buf).WriteAll(recs)
	if err := os.WriteFile(path, []byte(buf.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// An interrupted in-place re-run of an output sheet exits 130 and says to
// run the same command again; that command must resume, not be refused
// because the sheet it reads is the one the interrupted run rewrote.
func TestInterruptedInPlaceRerunResumes(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(12, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
	if _, err := Run(context.Background(), e.config()); err != nil {
		t.Fatal(err)
	}
	out := DefaultOutput(e.input)
	rewriteCSV(t, out, func(recs [][]string) {
		for i := 1; i < len(recs); i++ {
			recs[i][2] = fmt.Sprintf("fixad%d@example.se", i)
		}
	})

	cfg := e.config()
	cfg.Input = out
	cfg.Concurrency = 2
	sum, err := runInterrupted(t, e, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sum.ExitCode() != 130 || sum.Counts[Created] != 2 || sum.Counts[Skipped] != 10 {
		t.Fatalf("interrupted run: exit %d, counts %v; want 130, 2 created, 10 skipped", sum.ExitCode(), sum.Counts)
	}
	// The same command again.
	cfg = e.config()
	cfg.Input = out
	sum, err = Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("the same command after an interrupt: %v", err)
	}
	if sum.Counts[Created] != 12 || e.srv.Stats().Created != 12 || len(e.srv.Duplicates()) != 0 {
		t.Errorf("after resuming: counts %v, server created %d, duplicates %v", sum.Counts, e.srv.Stats().Created, e.srv.Duplicates())
	}
}

// validate writes the same output sheet as run: it must not wipe an earlier
// run's results whose journal is gone, or the next run sends every row again.
func TestValidateDoesNotWipeEarlierResultsWithoutJournal(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(5)
	if _, err := Run(context.Background(), e.config()); err != nil {
		t.Fatal(err)
	}
	os.Remove(JournalPath(DefaultOutput(e.input)))
	cfg := e.config()
	cfg.Sender = nil
	_, verr := validateRun(context.Background(), cfg)
	rsum, rerr := Run(context.Background(), e.config())
	if rsum != nil {
		t.Logf("run after validate: %v", rsum.Counts)
	}
	if got := e.srv.Stats().Created; got != 5 {
		t.Errorf("server created %d; want 5 (nothing twice)", got)
	}
	if verr == nil || !strings.Contains(verr.Error(), "already holds the results of an earlier run") {
		t.Errorf("validate: %v; want a refusal to overwrite the earlier results", verr)
	}
	if rerr == nil {
		t.Errorf("run after validate: no error; want the earlier output refused")
	}
}
