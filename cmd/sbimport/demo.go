package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/sbimport/sbimport"
	"github.com/sbimport/sbimport/importer"
	"github.com/sbimport/sbimport/salesbyte"
	"github.com/sbimport/sbimport/sandbox"
)

func newDemoCmd(s streams) *cobra.Command {
	var dir string
	var rate float64
	cmd := &cobra.Command{
		Use:   "demo [--dir DIR]",
		Short: "Import the bundled example sheet into an in-process sandbox",
		Long: `demo starts the sandbox inside this process, writes the bundled example
(kunder.xlsx: 50 Swedish-looking customers, two of them invalid on purpose and
one a duplicate, and quote.yaml, its mapping) into a folder, imports it as
quotes and prints where the output sheet is. Nothing leaves this machine.`,
		Example: `  sbimport demo
  sbimport demo --dir ./demo --rate 10`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir == "" {
				d, err := os.MkdirTemp("", "sbimport-demo-")
				if err != nil {
					return err
				}
				dir = d
			} else if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			sheetPath := filepath.Join(dir, "kunder.xlsx")
			mapPath := filepath.Join(dir, "quote.yaml")
			// A fresh demo each time: the previous output and journal go.
			for _, p := range []string{importer.DefaultOutput(sheetPath), importer.JournalPath(importer.DefaultOutput(sheetPath))} {
				os.Remove(p)
			}
			if err := os.WriteFile(sheetPath, sbimport.DemoSheet, 0o644); err != nil {
				return err
			}
			if err := os.WriteFile(mapPath, sbimport.DemoMapping, 0o644); err != nil {
				return err
			}
			srv, err := sandbox.New(sandbox.Options{UUIDs: []string{sandboxUUID}, Token: sandboxToken})
			if err != nil {
				return err
			}
			url, err := srv.Start("127.0.0.1:0")
			if err != nil {
				return err
			}
			defer srv.Close()
			fmt.Fprintf(s.Err, "Sandbox running at %s (in this process).\nImporting %s with %s …\n\n", url, sheetPath, mapPath)
			client, err := salesbyte.NewClient(url, salesbyte.NewSecret(sandboxUUID), nil)
			if err != nil {
				return err
			}
			o := &runOptions{mapping: mapPath, input: sheetPath, headerRow: 1, baseURL: url, rate: rate, yes: true, maxAttempts: 6, inDemo: true}
			err = importWith(cmd.Context(), s, o, client)
			var ee *exitError
			if err != nil && !(asExit(err, &ee) && ee.code == exitRowsFailed) {
				return err
			}
			st := srv.Stats()
			fmt.Fprintf(s.Err, "\nThe sandbox received %d requests and created %d quotes.\n", st.Requests, st.Created)
			fmt.Fprintf(s.Err, "Open the output sheet: %s\n", importer.DefaultOutput(sheetPath))
			fmt.Fprintln(s.Out, importer.DefaultOutput(sheetPath))
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "folder for the example sheet and its output (default: a new temporary folder)")
	cmd.Flags().Float64Var(&rate, "rate", 20, "requests per second")
	return cmd
}
