package demodata

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// The bundled files are what the generator makes: run `go generate` in the
// module root after changing it.
func TestBundledFilesAreGenerated(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "demo")
	sheet, err := Sheet()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "kunder.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, sheet) {
		t.Error("testdata/demo/kunder.xlsx differs from what demogen writes; run go generate")
	}
	m, err := os.ReadFile(filepath.Join(dir, "quote.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if string(m) != Mapping {
		t.Error("testdata/demo/quote.yaml differs from demodata.Mapping; run go generate")
	}
}
