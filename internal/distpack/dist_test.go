package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const testVersion = "v0.0.0-disttest.1"

// TestDistArchives runs scripts/dist.sh for Linux (this machine's
// amd64) and Windows, as a user would get them: the checksum file
// verifies with sha256sum -c, the tar.gz unpacks to a program that
// prints the stamped version, and the zip holds sbimport.exe. CI builds
// the other targets with the same script; this checks one of each kind.
func TestDistArchives(t *testing.T) {
	out := t.TempDir()
	cmd := exec.Command("bash", "../../scripts/dist.sh", out)
	cmd.Env = append(os.Environ(), "VERSION="+testVersion, "TARGETS=linux/amd64 windows/amd64")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("dist.sh: %v\n%s", err, msg)
	}
	tgz := "sbimport_" + testVersion + "_linux_amd64.tar.gz"
	zipName := "sbimport_" + testVersion + "_windows_amd64.zip"
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"SHA256SUMS.txt", tgz, zipName}; !slices.Equal(names, want) {
		t.Fatalf("dist.sh wrote %v; want %v", names, want)
	}

	checkSums(t, out, []string{tgz, zipName})

	bin := t.TempDir()
	if msg, err := exec.Command("tar", "-xzf", filepath.Join(out, tgz), "-C", bin).CombinedOutput(); err != nil {
		t.Fatalf("tar: %v\n%s", err, msg)
	}
	got, err := exec.Command(filepath.Join(bin, "sbimport"), "--version").CombinedOutput()
	if err != nil || string(got) != "sbimport "+testVersion+"\n" {
		t.Errorf("the unpacked sbimport --version: %v\n%q; want %q", err, got, "sbimport "+testVersion+"\n")
	}
	checkStaticTrimmed(t, filepath.Join(bin, "sbimport"))
	if _, err := os.Stat(filepath.Join(bin, "README.md")); err != nil {
		t.Errorf("the tar.gz lacks README.md: %v", err)
	}

	zr, err := zip.OpenReader(filepath.Join(out, zipName))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var inZip []string
	for _, f := range zr.File {
		inZip = append(inZip, f.Name)
		if f.Name != "sbimport.exe" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		head := make([]byte, 2)
		_, err = io.ReadFull(rc, head)
		rc.Close()
		if err != nil || string(head) != "MZ" {
			t.Errorf("sbimport.exe in the zip is not a Windows program (starts %q, %v)", head, err)
		}
	}
	if !slices.Equal(inZip, []string{"sbimport.exe", "README.md"}) {
		t.Errorf("the zip holds %v; want sbimport.exe and README.md", inZip)
	}
}

// checkStaticTrimmed: the program runs on any Linux (static: no dynamic
// loader, so CGO_ENABLED=0 held) and carries no path of the machine that
// built it (-trimpath).
func checkStaticTrimmed(t *testing.T, prog string) {
	t.Helper()
	f, err := elf.Open(prog)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s is linked dynamically (it names a loader): build with CGO_ENABLED=0", prog)
		}
	}
	data, err := os.ReadFile(prog)
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte(root+"/")) {
		t.Errorf("%s holds the build machine's path %s: build with -trimpath", prog, root)
	}
}

// checkSums verifies SHA256SUMS.txt with sha256sum -c, as the README
// tells users to, and against sums computed here, so that a file the
// tool skips or a wrong name cannot pass.
func checkSums(t *testing.T, dir string, archives []string) {
	t.Helper()
	c := exec.Command("sha256sum", "-c", "--strict", "SHA256SUMS.txt")
	c.Dir = dir
	if msg, err := c.CombinedOutput(); err != nil {
		t.Errorf("sha256sum -c: %v\n%s", err, msg)
	}
	sums, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	for _, a := range archives {
		data, err := os.ReadFile(filepath.Join(dir, a))
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256(data)
		want.WriteString(hex.EncodeToString(h[:]) + "  " + a + "\n")
	}
	if string(sums) != want.String() {
		t.Errorf("SHA256SUMS.txt:\n%s\nwant:\n%s", sums, want.String())
	}
}

// TestPackSameBytes: packing the same files twice gives the same
// archives, whenever and by whom they are packed; the program is
// executable and the README is not.
func TestPackSameBytes(t *testing.T) {
	dir := t.TempDir()
	prog := filepath.Join(dir, "sbimport")
	readme := filepath.Join(dir, "README.md")
	os.WriteFile(prog, []byte("#!/bin/sh\necho hej\n"), 0o700)
	os.WriteFile(readme, []byte("# Läs mig\n"), 0o600)
	for _, kind := range []string{"tar.gz", "zip"} {
		a, b := filepath.Join(dir, "a."+kind), filepath.Join(dir, "b."+kind)
		if err := run(kind, a, []string{prog, readme}); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(prog, modTime.AddDate(5, 0, 0), modTime.AddDate(5, 0, 0))
		if err := run(kind, b, []string{prog, readme}); err != nil {
			t.Fatal(err)
		}
		da, _ := os.ReadFile(a)
		db, _ := os.ReadFile(b)
		if !bytes.Equal(da, db) {
			t.Errorf("%s: two packings of the same files differ", kind)
		}
	}
	f, _ := os.Open(filepath.Join(dir, "a.tar.gz"))
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	modes := map[string]int64{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		modes[h.Name] = h.Mode
	}
	if modes["sbimport"] != 0o755 || modes["README.md"] != 0o644 || len(modes) != 2 {
		t.Errorf("tar modes %v", modes)
	}
	zr, err := zip.OpenReader(filepath.Join(dir, "a.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if m := zr.File[0].Mode().Perm(); zr.File[0].Name != "sbimport" || m != 0o755 {
		t.Errorf("zip: %s mode %o", zr.File[0].Name, m)
	}
	if err := run("rar", filepath.Join(dir, "x"), []string{prog}); err == nil {
		t.Error("an unknown kind was accepted")
	}
}
