package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sbimport/sbimport/importer"
	"github.com/sbimport/sbimport/mapping"
	"github.com/sbimport/sbimport/salesbyte"
	"github.com/sbimport/sbimport/sheet"
)

func newInitCmd(s streams) *cobra.Command {
	var input, output, endpoint, sheetName, delimiter, encoding string
	var headerRow int
	var force bool
	cmd := &cobra.Command{
		Use:   "init -i SHEET --endpoint quote [-o mapping.yaml]",
		Short: "Write a starter mapping file from a sheet's header row",
		Long: `init reads the sheet's header row and writes a starter mapping: it matches
column names to fields by their Swedish and English names (Namn, Kund,
E-post, Telefon/Mobil, Företag, Säljare …), fills every required field, and
leaves a comment on each line it could not match: the columns left over are
ready, commented out, under custom_fields: (quote) or customer_fields:
(template). The sheet and header row given with --sheet and --header-row are
written into the mapping, so run, validate and reconcile need neither flag.
Edit it, then validate.`,
		Example: `  sbimport init -i kunder.xlsx --endpoint quote -o mapping.yaml
  sbimport init -i leads.csv --endpoint lead -o -      # print it`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ep, err := salesbyte.ParseEndpoint(endpoint)
			if err != nil {
				return usageErr("--endpoint: %v", err)
			}
			ro, err := (&runOptions{sheetName: sheetName, headerRow: headerRow, headerRowSet: true, delimiter: delimiter, encoding: encoding}).readOptions()
			if err != nil {
				return err
			}
			r, err := sheet.Open(input, ro)
			if err != nil {
				if msg, ok := inputWords(err, s.Shell); ok {
					return usageErr("%s", msg)
				}
				return usageErr("%v", err)
			}
			header := r.Header()
			r.Close()
			if !cmd.Flags().Changed("header-row") {
				if g := importer.GuessHeaderRow(input, ro, nil); g.Row != headerRow && g.Filled >= 3 && g.Filled >= 2*filled(header) {
					return usageErr("%s: row %d has %d column %s, but row %d has %d: if the column names are on row %d, run again with --header-row %d, and the mapping will remember it (or with --header-row %d to use row %d as it is)", input, headerRow, filled(header), plural(filled(header), "name", "names"), g.Row, g.Filled, g.Row, g.Row, headerRow, headerRow)
				}
			}
			out := mapping.StarterAt(header, ep, mapping.Where{Sheet: sheetName, HeaderRow: headerRow})
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
			// The mapping holds the sheet and the header row.
			next := []string{"sbimport", "validate", "-m", output, "-i", input}
			if delimiter != "" {
				next = append(next, "--delimiter", delimiter)
			}
			if encoding != "" {
				next = append(next, "--encoding", encoding)
			}
			fmt.Fprintf(s.Err, "Wrote %s for the %s endpoint from %d columns of %s.\nNext: edit the lines marked TODO, then: %s\n", output, ep, len(header), input, quoteFor(s.Shell, next))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&input, "input", "i", "", "the sheet whose header row to read (required)")
	f.StringVarP(&output, "output", "o", "mapping.yaml", "the mapping file to write; - for stdout")
	f.StringVar(&endpoint, "endpoint", "quote", "lead, quote or template")
	f.StringVar(&sheetName, "sheet", "", "XLSX: the sheet to read")
	f.IntVar(&headerRow, "header-row", 1, "the row that holds the column names")
	f.StringVar(&delimiter, "delimiter", "", "CSV: the delimiter: , ; tab or | (default: detected)")
	f.StringVar(&encoding, "encoding", "", "CSV: utf-8, windows-1252 or utf-16 (default: detected)")
	f.BoolVar(&force, "force", false, "overwrite the mapping file if it exists")
	cmd.MarkFlagRequired("input")
	return cmd
}

func filled(header []string) int {
	n := 0
	for _, h := range header {
		if strings.TrimSpace(h) != "" {
			n++
		}
	}
	return n
}
