package ledger

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkReserveRecord is the ledger's cost per row sent: Reserve a
// batch (the write-ahead intents, one transaction), then Record its
// outcomes (another), as the importer does per group commit. Set
// SBIMPORT_LEDGER_BENCH_DIR to measure on another disk than TMPDIR's.
func BenchmarkReserveRecord(b *testing.B) {
	for _, sync := range []Sync{SyncFull, SyncNormal} {
		for _, batch := range []int{1, 64, 256} {
			b.Run(fmt.Sprintf("sync=%s/batch=%d", sync, batch), func(b *testing.B) {
				benchReserveRecord(b, sync, batch)
			})
		}
	}
}

func benchReserveRecord(b *testing.B, sync Sync, batch int) {
	dir := os.Getenv("SBIMPORT_LEDGER_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	} else {
		var err error
		if dir, err = os.MkdirTemp(dir, "ledger-bench"); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { os.RemoveAll(dir) })
	}
	ctx := context.Background()
	l, err := Open(ctx, filepath.Join(dir, "ledger.db"), Options{Sync: sync})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	s := Scope{Integration: l.Fingerprint("uuid"), Endpoint: "quote"}
	run, err := l.BeginRun(ctx, RunInfo{Input: "bench.csv", Endpoint: "quote", Integration: s.Integration})
	if err != nil {
		b.Fatal(err)
	}
	claims := make([]Claim, 0, batch)
	outs := make([]Outcome, 0, batch)
	b.ResetTimer()
	for row := 0; row < b.N; {
		claims = claims[:0]
		for ; len(claims) < batch && row < b.N; row++ {
			claims = append(claims, Claim{Key: l.KeyHash(fmt.Sprintf("kund%d@example.se", row)), File: "bench.csv", Row: row})
		}
		ds, err := l.Reserve(ctx, run, s, claims, ReserveOptions{})
		if err != nil {
			b.Fatal(err)
		}
		outs = outs[:0]
		for _, d := range ds {
			outs = append(outs, Outcome{Entry: d.Entry, Status: Created, SBID: int64(row), HTTPStatus: 201})
		}
		if err := l.Record(ctx, outs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
