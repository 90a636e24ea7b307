package main

import (
	"bytes"
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

// Without a terminal, progress is a plain line every few seconds.
func TestProgressPlainLines(t *testing.T) {
	var out syncBuffer
	p := newProgress(streams{Err: &out}, false)
	p.every = 10 * time.Millisecond
	p.Start(10)
	for _, st := range []importer.Status{importer.Created, importer.Created, importer.Failed, importer.Invalid} {
		p.Row(st)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "progress: 4/10 rows") && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	p.Finish()
	got := out.String()
	if !strings.Contains(got, "progress: 4/10 rows (created 2, failed 1, invalid 1, unknown 0, skipped 0)") {
		t.Errorf("progress lines:\n%s", got)
	}
	if strings.Contains(got, "\r") || strings.Contains(got, "█") {
		t.Errorf("a bar was drawn without a terminal:\n%q", got)
	}
}
