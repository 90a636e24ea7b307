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

// initOptions are init's flags.
type initOptions struct {
	input, output, endpoint, sheetName, delimiter, encoding string
	headerRow                                               int
	headerRowSet, force                                     bool
}

func newInitCmd(s streams) *cobra.Command {
	o := &initOptions{}
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
			o.headerRowSet = cmd.Flags().Changed("header-row")
			return initRun(s, o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.input, "input", "i", "", "the sheet whose header row to read (required)")
	f.StringVarP(&o.output, "output", "o", "mapping.yaml", "the mapping file to write; - for stdout")
	f.StringVar(&o.endpoint, "endpoint", "quote", "lead, quote or template")
	f.StringVar(&o.sheetName, "sheet", "", "XLSX: the sheet to read")
	f.IntVar(&o.headerRow, "header-row", 1, "the row that holds the column names")
	f.StringVar(&o.delimiter, "delimiter", "", "CSV: the delimiter: , ; tab or | (default: detected)")
	f.StringVar(&o.encoding, "encoding", "", "CSV: utf-8, windows-1252 or utf-16 (default: detected)")
	f.BoolVar(&o.force, "force", false, "overwrite the mapping file if it exists")
	cmd.MarkFlagRequired("input")
	return cmd
}

// initRun writes the starter mapping o describes and says what to do next.
func initRun(s streams, o *initOptions) error {
	ep, err := salesbyte.ParseEndpoint(o.endpoint)
	if err != nil {
		return usageErr("--endpoint: %v", err)
	}
	header, err := o.readHeader(s)
	if err != nil {
		return err
	}
	out := mapping.StarterAt(header, ep, mapping.Where{Sheet: o.sheetName, HeaderRow: o.headerRow})
	if o.output == "-" {
		_, err := s.Out.Write(out)
		return err
	}
	if err := o.writeMapping(out); err != nil {
		return err
	}
	// The mapping holds the sheet and the header row.
	next := []string{"sbimport", "validate", "-m", o.output, "-i", o.input}
	if o.delimiter != "" {
		next = append(next, "--delimiter", o.delimiter)
	}
	if o.encoding != "" {
		next = append(next, "--encoding", o.encoding)
	}
	fmt.Fprintf(s.Err, "Wrote %s for the %s endpoint from %d columns of %s.\nNext: edit the lines marked TODO, then: %s\n", o.output, ep, len(header), o.input, quoteFor(s.Shell, next))
	return nil
}

// readHeader reads the sheet's header row, and refuses one that looks
// like a title above the real header (unless --header-row was given).
func (o *initOptions) readHeader(s streams) ([]string, error) {
	ro, err := (&runOptions{sheetName: o.sheetName, headerRow: o.headerRow, headerRowSet: true, delimiter: o.delimiter, encoding: o.encoding}).readOptions()
	if err != nil {
		return nil, err
	}
	r, err := sheet.Open(o.input, ro)
	if err != nil {
		if msg, ok := inputWords(err, s.Shell); ok {
			return nil, usageErr("%s", msg)
		}
		return nil, usageErr("%v", err)
	}
	header := r.Header()
	r.Close()
	if !o.headerRowSet {
		if g := importer.LikelyHeaderRow(o.input, ro, header); g.Row != 0 {
			return nil, usageErr("%s: row %d has %d column %s, but row %d has %d, so the column names are probably on row %d. If so, run:\n  %s\nThe mapping remembers the row, so this is the only time you give it. (If row %d does hold the column names, give --header-row %d instead.)", o.input, o.headerRow, filled(header), plural(filled(header), "name", "names"), g.Row, g.Filled, g.Row, quoteFor(s.Shell, o.again(g.Row)), o.headerRow, o.headerRow)
		}
	}
	return header, nil
}

// again is the init command line that was given, with --header-row row.
func (o *initOptions) again(row int) []string {
	args := []string{"sbimport", "init", "-i", o.input, "--endpoint", o.endpoint, "-o", o.output}
	for _, f := range [][2]string{{"--sheet", o.sheetName}, {"--delimiter", o.delimiter}, {"--encoding", o.encoding}} {
		if f[1] != "" {
			args = append(args, f[0], f[1])
		}
	}
	if o.force {
		args = append(args, "--force")
	}
	return append(args, "--header-row", fmt.Sprint(row))
}

// writeMapping writes the starter, never over an existing file unless
// --force.
func (o *initOptions) writeMapping(out []byte) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if o.force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(o.output, flags, 0o644)
	if os.IsExist(err) {
		return usageErr("%s already exists; choose another name with -o, or --force to overwrite it", o.output)
	}
	if err != nil {
		return usageErr("%v", err)
	}
	if _, err := f.Write(out); err != nil {
		f.Close()
		return err
	}
	return f.Close()
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
