package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/sbimport/sbimport/mapping"
	"github.com/sbimport/sbimport/salesbyte"
	"github.com/sbimport/sbimport/sheet"
)

func newInitCmd(s streams) *cobra.Command {
	var input, output, endpoint, sheetName string
	var headerRow int
	var force bool
	cmd := &cobra.Command{
		Use:   "init -i SHEET --endpoint quote [-o mapping.yaml]",
		Short: "Write a starter mapping file from a sheet's header row",
		Long: `init reads the sheet's header row and writes a starter mapping: it matches
column names to fields by their Swedish and English names (Namn, Kund,
E-post, Telefon/Mobil, Företag, Säljare …), fills every required field, and
leaves a comment on each line it could not match. Edit it, then validate.`,
		Example: `  sbimport init -i kunder.xlsx --endpoint quote -o mapping.yaml
  sbimport init -i leads.csv --endpoint lead -o -      # print it`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ep, err := salesbyte.ParseEndpoint(endpoint)
			if err != nil {
				return usageErr("--endpoint: %v", err)
			}
			r, err := sheet.Open(input, sheet.Options{Sheet: sheetName, HeaderRow: headerRow})
			if err != nil {
				return usageErr("%v", err)
			}
			header := r.Header()
			r.Close()
			out := mapping.Starter(header, ep)
			if output == "-" {
				_, err := s.Out.Write(out)
				return err
			}
			flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
			if force {
				flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
			}
			f, err := os.OpenFile(output, flags, 0o644)
			if os.IsExist(err) {
				return usageErr("%s already exists; choose another name with -o, or --force to overwrite it", output)
			}
			if err != nil {
				return usageErr("%v", err)
			}
			if _, err := f.Write(out); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			fmt.Fprintf(s.Err, "Wrote %s for the %s endpoint from %d columns of %s.\nNext: edit the lines marked TODO, then: sbimport validate -m %s -i %s\n", output, ep, len(header), input, output, input)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&input, "input", "i", "", "the sheet whose header row to read (required)")
	f.StringVarP(&output, "output", "o", "mapping.yaml", "the mapping file to write; - for stdout")
	f.StringVar(&endpoint, "endpoint", "quote", "lead, quote or template")
	f.StringVar(&sheetName, "sheet", "", "XLSX: the sheet to read")
	f.IntVar(&headerRow, "header-row", 1, "the row that holds the column names")
	f.BoolVar(&force, "force", false, "overwrite the mapping file if it exists")
	cmd.MarkFlagRequired("input")
	return cmd
}
