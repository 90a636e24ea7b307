package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/sbimport/sbimport/sandbox"
)

// The sandbox's own credentials: not secrets, they open nothing real.
const (
	sandboxUUID  = "00000000-0000-4000-8000-5a4db0c5a4db"
	sandboxToken = "sandbox-token"
)

func newSandboxCmd(s streams) *cobra.Command {
	o := sandbox.Options{}
	var addr string
	var uuids []string
	cmd := &cobra.Command{
		Use:   "sandbox [--addr 127.0.0.1:8080] [faults]",
		Short: "Run a local SalesByte-compatible server for rehearsals and tests",
		Long: `sandbox serves the three Integration API endpoints and the Quotes API on
a loopback address, with SalesByte's documented validation (422 with field
errors), its documented answers, and what it created kept in memory (or in
--store). Flags inject what the real service can do: latency, a rate limit
answered with 429, 503s, 500s and 502s after creating, dropped connections and
answers that never come. GET /_sandbox/stats counts creations per customer.

It accepts the integration uuid ` + sandboxUUID + `
(or those given with --accept-uuid) and the Quotes API token ` + sandboxToken + `.`,
		Example: `  sbimport sandbox --addr 127.0.0.1:8080
  ` + setEnvFor(s.Shell, "SALESBYTE_UUID", sandboxUUID) + `
  sbimport run -m mapping.yaml -i kunder.csv --base-url http://127.0.0.1:8080 --rate 0 --yes
  sbimport sandbox --latency 1s --rate-limit 20 --p503 0.02 --p502-after 0.01 --drop-after 0.01`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.UUIDs = append([]string{sandboxUUID}, uuids...)
			if o.Token == "" {
				o.Token = sandboxToken
			}
			o.Log = nil
			srv, err := sandbox.New(o)
			if err != nil {
				return usageErr("%v", err)
			}
			url, err := srv.Start(addr)
			if err != nil {
				return usageErr("%v", err)
			}
			defer srv.Close()
			fmt.Fprintf(s.Err, "SalesByte sandbox on %s: a stand-in on this computer; nothing reaches SalesByte or customers.\n  integration uuid: %s\n  Quotes API token: %s\n  stats: %s/_sandbox/stats\n"+
				"To rehearse, leave this window open and type in another one (your mapping and sheet instead of mapping.yaml and kunder.xlsx):\n  %s\n  %s\nPress Ctrl-C to stop.\n",
				url, sandboxUUID, o.Token, url, setEnvFor(s.Shell, "SALESBYTE_UUID", sandboxUUID),
				quoteFor(s.Shell, []string{"sbimport", "run", "-m", "mapping.yaml", "-i", "kunder.xlsx", "--base-url", url}))
			ctx := cmd.Context()
			if s.Signals != nil {
				ch, release := s.Signals()
				defer release()
				select {
				case <-ch:
				case <-ctx.Done():
				}
			} else {
				<-ctx.Done()
			}
			st := srv.Stats()
			fmt.Fprintf(s.Err, "sandbox: %d requests, %d created\n", st.Requests, st.Created)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:8080", "loopback address to listen on")
	f.StringSliceVar(&uuids, "accept-uuid", nil, "also accept these integration uuids")
	f.StringVar(&o.Token, "token", "", "Quotes API token to accept (default "+sandboxToken+")")
	f.Int64SliceVar(&o.TemplateIDs, "template-ids", nil, "templates tied to the integration (default: any)")
	f.BoolVar(&o.PlainTemplate, "plain-template", false, "answer template creations with the plain text \"Quote created\", as its doc page says")
	f.DurationVar(&o.Latency, "latency", 0, "added before each answer")
	f.DurationVar(&o.Jitter, "jitter", 0, "random ± added to --latency")
	f.Float64Var(&o.RateLimit, "rate-limit", 0, "requests/s accepted; above it 429 with Retry-After (0 = no limit)")
	f.StringVar(&o.RetryAfter, "retry-after", "1", "Retry-After sent with 429/503: seconds, or http-date")
	f.Float64Var(&o.P503, "p503", 0, "share of requests answered 503 without creating")
	f.Float64Var(&o.P429, "p429", 0, "share of requests answered 429 with Retry-After without creating, whatever the rate")
	f.Float64Var(&o.P500After, "p500-after", 0, "share answered 500 after creating")
	f.Float64Var(&o.P502After, "p502-after", 0, "share answered 502 (a gateway lost the answer) after creating")
	f.Float64Var(&o.PDropBefore, "drop-before", 0, "share whose connection is dropped before creating")
	f.Float64Var(&o.PDropAfter, "drop-after", 0, "share created, then the connection dropped")
	f.Float64Var(&o.PHangAfter, "hang-after", 0, "share created, then the answer never comes")
	f.DurationVar(&o.HangFor, "hang-for", time.Minute, "how long a hanging answer hangs")
	f.Int64Var(&o.Seed, "seed", 1, "seed for the fault dice")
	f.StringVar(&o.StoreFile, "store", "", "keep creations in this JSON-lines file across restarts")
	return cmd
}
