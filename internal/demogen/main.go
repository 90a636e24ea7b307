// Command demogen writes the demo sheet (kunder.xlsx) and its mapping
// (quote.yaml) that `sbimport demo` imports. Its output is deterministic:
// go generate in the module root rewrites testdata/demo.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/sbimport/sbimport/internal/demodata"
)

func main() {
	dir := flag.String("o", "testdata/demo", "folder to write into")
	flag.Parse()
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		log.Fatal(err)
	}
	sheet, err := demodata.Sheet()
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*dir, "kunder.xlsx"), sheet, 0o644); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*dir, "quote.yaml"), []byte(demodata.Mapping), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Println("wrote", filepath.Join(*dir, "kunder.xlsx"), "and quote.yaml")
}
