// Command sbimport loads CSV and XLSX sheets into SalesByte as leads or
// quotes. See README.md, or run sbimport --help.
package main

import (
	"context"
	"os"
	"os/exec"
)

func main() {
	restore, bar := setupConsole()
	s := stdio()
	exe, _ := os.Executable()
	cwd, _ := os.Getwd()
	selfPath = locateSelf(exe, cwd, exec.LookPath)
	s.Bar = bar
	code := execute(context.Background(), os.Args[1:], s)
	restore()
	os.Exit(code)
}
