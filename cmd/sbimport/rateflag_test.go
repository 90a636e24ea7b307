package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/sbimport/sbimport/sandbox"
)

// --rate auto sends, and the plan and the summary say what it started at
// and what rate it found, so the next run can give it.
func TestRateAuto(t *testing.T) {
	e := startSandbox(t, sandbox.Options{}, nil)
	in := filepath.Join(e.dir, "k.xlsx")
	writeXLSX(t, in, endpointSheets["quote"])
	code, _, stderr := e.cli.run("run", "-m", mappingFile(t, "quote"), "-i", in, "--base-url", e.url, "--rate", "auto", "--max-rate", "40", "--yes")
	if code != 1 || len(e.srv.Created()) != 3 {
		t.Fatalf("exit %d, %d created; want 1 (one invalid row) and 3\n%s", code, len(e.srv.Created()), stderr)
	}
	for _, want := range []string{"rate: auto, from 5 up to 40 requests/s", "Rate found: ", "next time you can give --rate "} {
		if !strings.Contains(stderr, want) {
			t.Errorf("output lacks %q:\n%s", want, stderr)
		}
	}
}

func TestRateFlagRefusesNonsense(t *testing.T) {
	e := startSandbox(t, sandbox.Options{}, nil)
	in := filepath.Join(e.dir, "k.xlsx")
	writeXLSX(t, in, endpointSheets["quote"])
	for _, args := range [][]string{{"--rate", "fast"}, {"--rate", "NaN"}, {"--rate", "-1"}, {"--rate", "auto", "--max-rate", "0"}} {
		code, _, stderr := e.cli.run(append([]string{"run", "-m", mappingFile(t, "quote"), "-i", in, "--base-url", e.url, "--yes"}, args...)...)
		if code != 2 || len(e.srv.Created()) != 0 || !strings.Contains(stderr, "rate") {
			t.Errorf("%v: exit %d, %d created; want 2, nothing sent, a word on the rate\n%s", args, code, len(e.srv.Created()), stderr)
		}
	}
}
