package importer

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sbimport/sbimport/bench/gen"
	"github.com/sbimport/sbimport/ledger"
	"github.com/sbimport/sbimport/salesbyte"
	"github.com/sbimport/sbimport/sandbox"
)

// benchInputs writes a generated CSV of rows customers and its mapping.
func benchInputs(b *testing.B, rows int) (dir, in, mapping string) {
	return benchInputsOf(b, "csv", rows)
}

// benchInputsOf writes generated customers as kind (csv or xlsx), and
// their mapping.
func benchInputsOf(b *testing.B, kind string, rows int) (dir, in, mapping string) {
	b.Helper()
	dir = b.TempDir()
	in = filepath.Join(dir, "kunder."+kind)
	write := gen.WriteCSVFile
	if kind == "xlsx" {
		write = gen.WriteXLSXFile
	}
	if err := write(in, rows); err != nil {
		b.Fatal(err)
	}
	mapping = filepath.Join(dir, "mapping.yaml")
	if err := gen.WriteFile(mapping, gen.Mapping); err != nil {
		b.Fatal(err)
	}
	return dir, in, mapping
}

// BenchmarkRunOverhead is the importer's own cost: a whole run (plan,
// map, journal, send, write) of a generated 10-column CSV against a
// zero-latency loopback sandbox with no rate limit. The target is 5,000
// rows/s (PRODUCT.md, Performance). Profile it with
//
//	go test ./importer -run '^$' -bench RunOverhead -cpuprofile cpu.out
func BenchmarkRunOverhead(b *testing.B) { benchmarkRun(b, "csv", false) }

// BenchmarkRunOverheadXLSX is the same run from the same rows as XLSX:
// what reading and writing a workbook adds.
func BenchmarkRunOverheadXLSX(b *testing.B) { benchmarkRun(b, "xlsx", false) }

// BenchmarkRunOverheadLedger is BenchmarkRunOverhead with the ledger (a
// new one each run, synced as sbimport does).
func BenchmarkRunOverheadLedger(b *testing.B) { benchmarkRun(b, "csv", true) }

func benchmarkRun(b *testing.B, kind string, withLedger bool) {
	const rows = 5000
	dir, in, m := benchInputsOf(b, kind, rows)
	srv, err := sandbox.New(sandbox.Options{UUIDs: []string{testUUID}})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	b.Cleanup(func() { srv.Close(); ts.Close() })
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 256
	client, err := salesbyte.NewClient(ts.URL, salesbyte.NewSecret(testUUID), &http.Client{Timeout: 10 * time.Second, Transport: tr})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		runDir, err := os.MkdirTemp(dir, "run")
		if err != nil {
			b.Fatal(err)
		}
		out := filepath.Join(runDir, "result."+kind)
		cfg := Config{Input: in, Mapping: m, Output: out, Sender: client, Rate: 0}
		if withLedger {
			l, err := ledger.Open(context.Background(), filepath.Join(runDir, "ledger.db"), ledger.Options{})
			if err != nil {
				b.Fatal(err)
			}
			cfg.Ledger, cfg.Integration = l, l.Fingerprint(testUUID)
			defer l.Close()
		}
		sum, err := Run(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		if sum.Counts[Created] != rows {
			b.Fatalf("created %d of %d rows: %v", sum.Counts[Created], rows, sum.Errors)
		}
		if err := srv.Reset(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows*b.N)/time.Since(start).Seconds(), "rows/s")
}

// BenchmarkValidate is `sbimport validate`'s cost per row: read, map and
// check, and write the output sheet.
func BenchmarkValidate(b *testing.B) {
	const rows = 10000
	_, in, m := benchInputs(b, rows)
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		sum, err := validateRun(context.Background(), Config{Input: in, Mapping: m})
		if err != nil {
			b.Fatal(err)
		}
		if sum.Counts[Pending] != rows {
			b.Fatalf("valid %d of %d rows: %v", sum.Counts[Pending], rows, sum.Errors)
		}
	}
	b.ReportMetric(float64(rows*b.N)/time.Since(start).Seconds(), "rows/s")
}

// BenchmarkThrottle is how closely the throttle keeps a rate: it lets
// 100 requests go at 500/s from 16 goroutines and reports the achieved
// rate as a share of the configured one (1 = exact).
func BenchmarkThrottle(b *testing.B) {
	const r, n, workers = 500.0, 100, 16
	var share float64
	for b.Loop() {
		t := newThrottle(r, time.Now)
		ctx := context.Background()
		jobs := make(chan struct{}, n)
		for range n {
			jobs <- struct{}{}
		}
		close(jobs)
		var first, last time.Time
		sent := make(chan time.Time, n)
		done := make(chan struct{})
		for range workers {
			go func() {
				for range jobs {
					at, err := t.Wait(ctx)
					if err != nil {
						b.Error(err)
						return
					}
					sent <- at
				}
				done <- struct{}{}
			}()
		}
		for range workers {
			<-done
		}
		close(sent)
		for at := range sent {
			if first.IsZero() || at.Before(first) {
				first = at
			}
			if at.After(last) {
				last = at
			}
		}
		share = float64(n-1) / last.Sub(first).Seconds() / r
	}
	b.ReportMetric(share, "rate/target")
}
