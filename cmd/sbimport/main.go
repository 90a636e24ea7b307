// Command sbimport loads CSV and XLSX sheets into SalesByte as leads or
// quotes. See README.md, or run sbimport --help.
package main

import (
	"context"
	"os"
)

func main() {
	os.Exit(execute(context.Background(), os.Args[1:], stdio()))
}
