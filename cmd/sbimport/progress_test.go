package main

import (
	"bytes"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sbimport/sbimport/importer"
)

// syncBuffer is a bytes.Buffer safe for the progress ticker and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Without a terminal, progress is a plain line every few seconds, with
// the counts read from the import's tally.
func TestProgressPlainLines(t *testing.T) {
	var out syncBuffer
	var mu sync.Mutex
	sn := importer.Snapshot{Rows: 10, Counts: map[importer.Status]int{}}
	p := newProgress(streams{Err: &out}, false, func() importer.Snapshot {
		mu.Lock()
		defer mu.Unlock()
		c := sn
		c.Counts = maps.Clone(sn.Counts)
		return c
	})
	p.every = 10 * time.Millisecond
	p.Observe(importer.Started{Rows: 10})
	for i, st := range []importer.Status{importer.Created, importer.Created, importer.Failed, importer.Invalid} {
		mu.Lock()
		sn.Done++
		sn.Counts[st]++
		mu.Unlock()
		p.Observe(importer.RowDone{Line: i + 2, Outcome: importer.Outcome{Status: st}})
	}
	mu.Lock()
	sn.Retrying = 2
	mu.Unlock()
	want := "progress: 4/10 rows (created 2, failed 1, invalid 1, unknown 0, skipped 0), 2 waiting to be sent again"
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), want) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	p.Observe(importer.Finished{})
	got := out.String()
	if !strings.Contains(got, want) {
		t.Errorf("progress lines:\n%s\nwant a line with %q", got, want)
	}
	if strings.Contains(got, "\r") || strings.Contains(got, "█") {
		t.Errorf("a bar was drawn without a terminal:\n%q", got)
	}
}
