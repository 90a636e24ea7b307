package importer

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sbimport/sbimport/salesbyte"
	"github.com/sbimport/sbimport/sandbox"
)

// unavailableSender answers calls first..first+n-1 with 503 and a long
// Retry-After, every other call with a creation.
type unavailableSender struct {
	first, n int64
	calls    atomic.Int64
	created  atomic.Int64
}

func (s *unavailableSender) Create(ctx context.Context, _ salesbyte.Endpoint, _ map[string]any) (salesbyte.Created, error) {
	if c := s.calls.Add(1); c >= s.first && c < s.first+s.n {
		return salesbyte.Created{}, &salesbyte.Error{Status: 503, Outcome: salesbyte.Retry, Message: "Service Unavailable", RetryAfter: time.Minute}
	}
	return salesbyte.Created{ID: s.created.Add(1), Status: 201}, nil
}

// Rows waiting out a 503's Retry-After hold no request in flight: with
// the in-flight bound sized automatically (a handful at this speed, once
// the first answers are in: more rows than it starts with), the
// other rows go on while they wait.
func TestRowsWaitingToRetryDoNotHoldTheOthersBack(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	const rows, waiting = 2500, 20
	e.customers(rows)
	snd := &unavailableSender{first: 100, n: waiting}
	cfg := e.config()
	cfg.Sender, cfg.Rate, cfg.Concurrency = snd, 2000, 0
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	var sum *Summary
	wg.Add(1)
	go func() {
		defer wg.Done()
		sum, _ = Run(ctx, cfg)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for snd.created.Load() < rows-waiting {
		if time.Now().After(deadline) {
			cancel()
			wg.Wait()
			t.Fatalf("%d of the %d rows without a 503 created in 30 s: the rows waiting to retry hold the others back", snd.created.Load(), rows-waiting)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel() // the 20 would wait a minute
	wg.Wait()
	if sum == nil || sum.Counts[Created] != rows-waiting || sum.Counts[Skipped] != waiting {
		t.Fatalf("summary %+v; want %d created and %d not sent", sum, rows-waiting, waiting)
	}
}
