package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sbimport/sbimport/sandbox"
)

func TestOutputFolderThatCannotBeWrittenExits2(t *testing.T) {
	e := startSandbox(t, sandbox.Options{}, nil)
	input, _ := ntCustomers(t, e.dir, 3)
	mappingPath := ntWriteFile(t, filepath.Join(e.dir, "mapping.yaml"), neverTwiceMapping)
	notDir := ntWriteFile(t, filepath.Join(e.dir, "rapporter"), "a file, not a folder")
	for _, cmd := range []string{"run", "validate"} {
		args := []string{cmd, "-m", mappingPath, "-i", input, "-o", filepath.Join(notDir, "ut.csv")}
		if cmd == "run" {
			args = append(args, "--base-url", e.url, "--yes")
		}
		code, _, stderr := e.cli.run(args...)
		if code != 2 {
			t.Errorf("%s: exit %d; want 2. stderr:\n%s", cmd, code, stderr)
		}
		for _, want := range []string{"cannot write in folder " + notDir, "it is a file, not a folder", "Nothing was sent", "-o FILE"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("%s: the message lacks %q:\n%s", cmd, want, stderr)
			}
		}
	}
	if n := e.srv.Stats().Requests; n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// An earlier output that cannot be read is not overwritten, and nothing
// is sent: it may record quotes already created.
func TestUnreadableEarlierOutputExits2(t *testing.T) {
	e := startSandbox(t, sandbox.Options{}, nil)
	input, _ := ntCustomers(t, e.dir, 3)
	mappingPath := ntWriteFile(t, filepath.Join(e.dir, "mapping.yaml"), neverTwiceMapping)
	output := filepath.Join(e.dir, "kunder-result.csv")
	earlier := "Förnamn,Efternamn,E-post,Mobil,sb_status,sb_row,sb_id\n" +
		"\"Anna0,Svensson,kund0@example.se,070-123 00 00,failed,2,\n" +
		"Anna1,Svensson,kund1@example.se,070-123 00 01,created,3,42\n"
	ntWriteFile(t, output, earlier)
	code, _, stderr := e.cli.run("run", "-m", mappingPath, "-i", input, "--base-url", e.url, "--yes")
	if code != 2 {
		t.Errorf("exit %d; want 2. stderr:\n%s", code, stderr)
	}
	for _, want := range []string{output + " already exists and cannot be read", "Nothing was sent", "-o"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("the message lacks %q:\n%s", want, stderr)
		}
	}
	if n := e.srv.Stats().Requests; n != 0 {
		t.Errorf("%d requests sent", n)
	}
	if b, _ := os.ReadFile(output); string(b) != earlier {
		t.Error("the earlier output was overwritten")
	}
}
