package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Swedish file names as users name them: spaces, apostrophes (straight
// and typographic), dollar signs, backticks, commas, Windows paths.
var quoteCases = []struct {
	in, posix, ps string
}{
	{"kunder.csv", "kunder.csv", "kunder.csv"},
	{"kunder_åäö-2026.xlsx", "kunder_åäö-2026.xlsx", "kunder_åäö-2026.xlsx"},
	{"Kunder december.xlsx", "'Kunder december.xlsx'", "'Kunder december.xlsx'"},
	{"Åsa's lista.xlsx", `'Åsa'\''s lista.xlsx'`, `'Åsa''s lista.xlsx'`},
	{"Örjans ’bästa’ kunder.csv", "'Örjans ’bästa’ kunder.csv'", "'Örjans ’’bästa’’ kunder.csv'"},
	{"priser $2026 (ny).csv", "'priser $2026 (ny).csv'", "'priser $2026 (ny).csv'"},
	{"$env:SALESBYTE_UUID.csv", "'$env:SALESBYTE_UUID.csv'", "'$env:SALESBYTE_UUID.csv'"},
	{"a`b$(date).csv", "'a`b$(date).csv'", "'a`b$(date).csv'"},
	{"Malmö,Lund.csv", "Malmö,Lund.csv", "'Malmö,Lund.csv'"},
	{"@lista.csv", "@lista.csv", "'@lista.csv'"},
	{"ärende #12.csv", "'ärende #12.csv'", "'ärende #12.csv'"},
	{`C:\Users\Åsa\Kunder.xlsx`, `'C:\Users\Åsa\Kunder.xlsx'`, `C:\Users\Åsa\Kunder.xlsx`},
	{`C:\Users\Åsa Öberg\Mina dokument\k.csv`, `'C:\Users\Åsa Öberg\Mina dokument\k.csv'`, `'C:\Users\Åsa Öberg\Mina dokument\k.csv'`},
	{"/tmp/körning/k.csv", "/tmp/körning/k.csv", "/tmp/körning/k.csv"},
	{"a&b;c|d.csv", "'a&b;c|d.csv'", "'a&b;c|d.csv'"},
	{"", "''", "''"},
}

func TestQuoteForBothShells(t *testing.T) {
	for _, c := range quoteCases {
		if got := quoteFor(posixShell, []string{c.in}); got != c.posix {
			t.Errorf("POSIX: quote %q = %s; want %s", c.in, got, c.posix)
		}
		if got := quoteFor(powerShell, []string{c.in}); got != c.ps {
			t.Errorf("PowerShell: quote %q = %s; want %s", c.in, got, c.ps)
		}
	}
	args := []string{"sbimport", "run", "-m", "m.yaml", "-i", "Åsa's lista.xlsx", "--base-url", "http://127.0.0.1:8080"}
	if got, want := quoteFor(powerShell, args), `sbimport run -m m.yaml -i 'Åsa''s lista.xlsx' --base-url http://127.0.0.1:8080`; got != want {
		t.Errorf("PowerShell command line:\n got %s\nwant %s", got, want)
	}
}

// TestQuotePOSIXRoundTrip gives every quoted name to a real sh and gets
// each back as one argument, unchanged.
func TestQuotePOSIXRoundTrip(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatalf("sh: %v", err)
	}
	var ins []string
	for _, c := range quoteCases {
		ins = append(ins, c.in)
	}
	out, err := exec.Command(sh, "-c", "set -- "+quoteFor(posixShell, ins)+`; for a; do printf '%s\0' "$a"; done`).Output()
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if strings.Join(got, "|") != strings.Join(ins, "|") {
		t.Errorf("sh read back\n%q\nwant\n%q", got, ins)
	}
}

// unquotePowerShell reads one argument the way PowerShell reads a
// single-quoted string: everything literal, a doubled quote (any of the
// four it accepts) is one.
func unquotePowerShell(t *testing.T, s string) string {
	t.Helper()
	r := []rune(s)
	if len(r) == 0 || !isPowerShellQuote(r[0]) {
		return s
	}
	var b strings.Builder
	for i := 1; i < len(r); i++ {
		if isPowerShellQuote(r[i]) {
			if i+1 < len(r) && isPowerShellQuote(r[i+1]) {
				b.WriteRune(r[i+1])
				i++
				continue
			}
			if i != len(r)-1 {
				t.Errorf("%s: the quotes close before the end", s)
			}
			return b.String()
		}
		b.WriteRune(r[i])
	}
	t.Errorf("%s: the quotes never close", s)
	return b.String()
}

func TestQuotePowerShellReadsBack(t *testing.T) {
	for _, c := range quoteCases {
		if got := unquotePowerShell(t, quoteFor(powerShell, []string{c.in})); got != c.in {
			t.Errorf("PowerShell reads %s back as %q; want %q", quoteFor(powerShell, []string{c.in}), got, c.in)
		}
	}
}

func TestSetEnvFor(t *testing.T) {
	if got := setEnvFor(posixShell, "SALESBYTE_UUID", "..."); got != "export SALESBYTE_UUID=..." {
		t.Errorf("POSIX: %s", got)
	}
	if got := setEnvFor(powerShell, "SALESBYTE_UUID", "..."); got != `$env:SALESBYTE_UUID = "..."` {
		t.Errorf("PowerShell: %s", got)
	}
}

// runIn runs sbimport with streams that print commands for sh.
func runIn(sh shell, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	s := streams{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(string) string { return "" }, Shell: sh}
	code = execute(context.Background(), args, s)
	return code, out.String(), errb.String()
}

// TestPrintedCommandsFollowTheShell: init's next step, the hint for a
// missing mapping, and the help examples are written for PowerShell on
// Windows (no export, no backslash escapes) and for sh elsewhere.
func TestPrintedCommandsFollowTheShell(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "Åsa's kunder $2026.csv")
	writeCSV(t, in, endpointSheets["quote"], ';', false)
	m := filepath.Join(dir, "min mapping.yaml")

	code, _, stderr := runIn(powerShell, "init", "-i", in, "--endpoint", "quote", "-o", m, "--header-row", "1", "--delimiter", ";")
	if code != 0 {
		t.Fatalf("init: exit %d\n%s", code, stderr)
	}
	want := "sbimport validate -m " + quoteFor(powerShell, []string{m}) + " -i " + quoteFor(powerShell, []string{in}) + " --delimiter ';'"
	if !strings.Contains(stderr, "Next: edit the lines marked TODO, then: "+want+"\n") || !strings.Contains(want, "Åsa''s kunder $2026.csv'") {
		t.Errorf("init's next step is not PowerShell's %s:\n%s", want, stderr)
	}
	os.Remove(m)
	_, _, stderr = runIn(posixShell, "init", "-i", in, "--endpoint", "quote", "-o", m)
	if !strings.Contains(stderr, `'\''s kunder $2026.csv'`) {
		t.Errorf("init's next step is not quoted for sh:\n%s", stderr)
	}

	missing := filepath.Join(dir, "saknas.yaml")
	_, _, stderr = runIn(powerShell, "validate", "-m", missing, "-i", in)
	if !strings.Contains(stderr, "sbimport init -i "+quoteFor(powerShell, []string{in})+" -o "+quoteFor(powerShell, []string{missing})) {
		t.Errorf("the missing-mapping hint is not PowerShell's:\n%s", stderr)
	}

	for _, cmd := range []string{"", "run", "reconcile", "sandbox"} {
		args := []string{"--help"}
		if cmd != "" {
			args = []string{cmd, "--help"}
		}
		_, ps, _ := runIn(powerShell, args...)
		_, posix, _ := runIn(posixShell, args...)
		if strings.Contains(ps, "export ") || strings.Contains(ps, "SALESBYTE_UUID=") || !strings.Contains(ps, `$env:SALESBYTE_`) {
			t.Errorf("sbimport %s --help for PowerShell:\n%s", cmd, ps)
		}
		if !strings.Contains(posix, "export SALESBYTE_") {
			t.Errorf("sbimport %s --help for sh lacks export:\n%s", cmd, posix)
		}
	}

	// A missing uuid or token says how to set it in this shell.
	dir2 := t.TempDir()
	in2 := filepath.Join(dir2, "k.csv")
	writeCSV(t, in2, endpointSheets["quote"], ';', false)
	m2 := filepath.Join(dir2, "m.yaml")
	if code, _, stderr := runIn(posixShell, "init", "-i", in2, "--endpoint", "quote", "-o", m2); code != 0 {
		t.Fatalf("init: exit %d\n%s", code, stderr)
	}
	for sh, want := range map[shell]string{powerShell: `($env:SALESBYTE_UUID = "...")`, posixShell: "(export SALESBYTE_UUID=...)"} {
		_, _, stderr := runIn(sh, "run", "-m", m2, "-i", in2, "--yes")
		if !strings.Contains(stderr, "no integration uuid: set SALESBYTE_UUID "+want) {
			t.Errorf("shell %d: the missing uuid message lacks %s:\n%s", sh, want, stderr)
		}
	}
	_, _, stderr = runIn(powerShell, "reconcile", "-i", in2)
	if !strings.Contains(stderr, `($env:SALESBYTE_API_TOKEN = "...")`) {
		t.Errorf("the missing token message is not PowerShell's:\n%s", stderr)
	}
}

// TestLocateSelf: a program unpacked into the current folder and not on
// the PATH must be named by its path there (PowerShell, like sh, does not
// run it by its bare name); one on the PATH by its name.
func TestLocateSelf(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "sbimport")
	if err := os.WriteFile(exe, []byte("x"), 0o755); err != nil {
		t.Fatal(err)
	}
	notFound := func(string) (string, error) { return "", exec.ErrNotFound }
	if got, want := locateSelf(exe, dir, notFound), "."+string(filepath.Separator)+"sbimport"; got != want {
		t.Errorf("in the current folder: %q; want %q", got, want)
	}
	link := filepath.Join(t.TempDir(), "genväg")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	if got, want := locateSelf(exe, link, notFound), "."+string(filepath.Separator)+"sbimport"; got != want {
		t.Errorf("in the current folder reached through a link: %q; want %q", got, want)
	}
	if got := locateSelf(exe, t.TempDir(), notFound); got != exe {
		t.Errorf("elsewhere: %q; want the full path %q", got, exe)
	}
	onPath := func(string) (string, error) { return exe, nil }
	if got := locateSelf(exe, dir, onPath); got != "" {
		t.Errorf("on the PATH: %q; want the bare name", got)
	}
	other := filepath.Join(t.TempDir(), "sbimport")
	if err := os.WriteFile(other, []byte("y"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := locateSelf(exe, dir, func(string) (string, error) { return other, nil }); got == "" {
		t.Error("another sbimport on the PATH: the printed commands would run that one")
	}
}

func TestProgFor(t *testing.T) {
	for _, c := range []struct {
		sh         shell
		path, want string
	}{
		{powerShell, "", "sbimport"},
		{posixShell, "", "sbimport"},
		{powerShell, `.\sbimport.exe`, `.\sbimport.exe`},
		{posixShell, "./sbimport", "./sbimport"},
		{powerShell, `C:\Users\Åsa\Downloads\sbimport_1.0_windows_amd64\sbimport.exe`, `C:\Users\Åsa\Downloads\sbimport_1.0_windows_amd64\sbimport.exe`},
		{powerShell, `C:\Users\Åsa Öberg\Hämtade filer\sbimport.exe`, `& 'C:\Users\Åsa Öberg\Hämtade filer\sbimport.exe'`},
		{posixShell, "/home/åsa/Hämtade filer/sbimport", "'/home/åsa/Hämtade filer/sbimport'"},
	} {
		if got := progFor(c.sh, c.path); got != c.want {
			t.Errorf("progFor(%d, %q) = %s; want %s", c.sh, c.path, got, c.want)
		}
	}
}

// TestPrintedCommandsRunThisProgram: with sbimport unpacked in the current
// folder (not on the PATH), every "Next:" line starts with .\sbimport.exe
// in PowerShell, so it runs when pasted; init's header-row advice is a
// whole command to paste.
func TestPrintedCommandsRunThisProgram(t *testing.T) {
	defer func(p string) { selfPath = p }(selfPath)
	selfPath = `.\sbimport.exe`
	dir := t.TempDir()
	in := filepath.Join(dir, "kunder.csv")
	if err := os.WriteFile(in, []byte("Kundlista december\n\nFörnamn;Efternamn;E-post;Mobil\nAnna;Åberg;anna@example.se;0701234567\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m := filepath.Join(dir, "mapping.yaml")
	code, _, stderr := runIn(powerShell, "init", "-i", in, "--endpoint", "quote", "-o", m)
	want := "\n  " + `.\sbimport.exe init -i ` + quoteFor(powerShell, []string{in}) + " --endpoint quote -o " + quoteFor(powerShell, []string{m}) + " --header-row 3\n"
	if code != 2 || !strings.Contains(stderr, want) {
		t.Fatalf("init on a sheet with a title: exit %d; want 2 and the command to paste%s\n%s", code, want, stderr)
	}
	code, _, stderr = runIn(powerShell, "init", "-i", in, "--endpoint", "quote", "-o", m, "--header-row", "3")
	if want := `Next: edit the lines marked TODO, then: .\sbimport.exe validate -m `; code != 0 || !strings.Contains(stderr, want) {
		t.Errorf("init: exit %d; want %q\n%s", code, want, stderr)
	}
}

// TestSandboxSaysHowToUseIt: the sandbox prints the two lines that point
// a run at it, in the user's shell, naming the program as it can be run.
func TestSandboxSaysHowToUseIt(t *testing.T) {
	defer func(p string) { selfPath = p }(selfPath)
	selfPath = `.\sbimport.exe`
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // it prints its address, then stops at once
	var out, errb bytes.Buffer
	s := streams{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(string) string { return "" }, Shell: powerShell}
	if code := execute(ctx, []string{"sandbox", "--addr", "127.0.0.1:0"}, s); code != 0 {
		t.Fatalf("sandbox: exit %d\n%s", code, errb.String())
	}
	got := errb.String()
	url := strings.Fields(strings.TrimPrefix(got, "SalesByte sandbox on "))[0]
	url = strings.TrimSuffix(url, ":")
	for _, want := range []string{
		"\n  $env:SALESBYTE_UUID = \"" + sandboxUUID + "\"\n",
		"\n  .\\sbimport.exe run -m mapping.yaml -i kunder.xlsx --base-url " + url + "\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the sandbox does not say %q:\n%s", want, got)
		}
	}
}
