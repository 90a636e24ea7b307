package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sbimport/sbimport/ledger"
	"github.com/sbimport/sbimport/sandbox"
)

// TestRehearsalThenProductionIsRefused: the README's quick start rehearses
// against the sandbox, then runs the same command to another SalesByte.
// The output sheet of the rehearsal marks its rows created (in the sandbox
// only); carried over, they would never reach the real one. The second run
// is refused before anything is sent, with the command that gives it an
// output of its own, and that command sends every valid row.
func TestRehearsalThenProductionIsRefused(t *testing.T) {
	rehearsal := startSandbox(t, sandbox.Options{Latency: time.Millisecond}, nil)
	real := startSandbox(t, sandbox.Options{Latency: time.Millisecond}, nil)
	dir := rehearsal.dir
	in := filepath.Join(dir, "kunder.csv")
	writeCSV(t, in, endpointSheets["quote"], ';', true)
	m := mappingFile(t, "quote")
	c := rehearsal.cli
	if code, _, stderr := c.run("run", "-m", m, "-i", in, "--base-url", rehearsal.url, "--rate", "0", "--yes"); code != 1 {
		t.Fatalf("rehearsal: exit %d; want 1 (one invalid row)\n%s", code, stderr)
	}
	out := filepath.Join(dir, "kunder-result.csv")
	before, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}

	code, _, stderr := c.run("run", "-m", m, "-i", in, "--base-url", real.url, "--rate", "0", "--yes")
	if code != 2 || !strings.Contains(stderr, "holds a run sent to "+rehearsal.url) || !strings.Contains(stderr, "Nothing was sent") {
		t.Fatalf("the same command to another SalesByte: exit %d; want 2 and why\n%s", code, stderr)
	}
	if st := real.srv.Stats(); st.Requests != 0 {
		t.Errorf("the refused run sent %d requests", st.Requests)
	}
	if after, _ := os.ReadFile(out); string(after) != string(before) {
		t.Error("the refused run changed the rehearsal's output sheet")
	}
	other := filepath.Join(dir, "kunder-"+strings.NewReplacer("http://", "", ":", "-").Replace(real.url)+".csv")
	want := "\n  sbimport run -m " + m + " -i " + in + " -o " + other + " --base-url " + real.url + "\n"
	if !strings.HasSuffix(stderr, want) {
		t.Fatalf("the advice is not the command %q:\n%s", want, stderr)
	}
	// The real integration has a uuid of its own, so the ledger's scope is
	// another; here both servers take one uuid, so give the run a ledger of
	// its own instead.
	c.env[ledger.EnvVar] = filepath.Join(t.TempDir(), "real-ledger.db")
	if code, _, stderr = c.run("run", "-m", m, "-i", in, "-o", other, "--base-url", real.url, "--rate", "0", "--yes"); code != 1 {
		t.Fatalf("with an output of its own: exit %d; want 1\n%s", code, stderr)
	}
	if st := real.srv.Stats(); st.Created != 3 {
		t.Errorf("the real SalesByte has %d quotes; want all 3 valid rows\n%s", st.Created, stderr)
	}
	// The rehearsal's output sheet as the input is no way round it: the
	// advice names the original sheet, not the output.
	code, _, stderr = c.run("run", "-m", m, "-i", out, "--base-url", real.url, "--rate", "0", "--yes")
	if code != 2 || !strings.Contains(stderr, " -i YOUR-ORIGINAL-SHEET.csv -o "+other+" ") {
		t.Errorf("the rehearsal's output as the input: exit %d; want 2 and the original sheet in the advice\n%s", code, stderr)
	}
	// The same SalesByte written another way is the same run: resumed, not refused.
	c.env[ledger.EnvVar] = testLedger(t)
	if code, _, stderr := c.run("run", "-m", m, "-i", in, "--base-url", rehearsal.url+"/", "--rate", "0", "--yes"); code != 1 {
		t.Errorf("the rehearsal again, address with a slash: exit %d; want 1 (resumed)\n%s", code, stderr)
	}
}
