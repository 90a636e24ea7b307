package main

import (
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sbimport/sbimport/importer"
)

// drawProgress runs a terminal's progress through three rows, a log line
// and the end, and returns what reached stderr.
func drawProgress(t *testing.T, bar barMode) string {
	t.Helper()
	var out syncBuffer
	var mu sync.Mutex
	sn := importer.Snapshot{Rows: 3, Counts: map[importer.Status]int{}}
	p := newProgress(streams{Err: &out, Terminal: true, Bar: bar}, false, func() importer.Snapshot {
		mu.Lock()
		defer mu.Unlock()
		return importer.Snapshot{Rows: sn.Rows, Done: sn.Done, Counts: maps.Clone(sn.Counts)}
	})
	p.every = 10 * time.Millisecond
	p.Observe(importer.Started{Rows: 3})
	mu.Lock()
	sn.Done, sn.Counts[importer.Created] = 1, 1
	mu.Unlock()
	p.Observe(importer.RowDone{Line: 2, Outcome: importer.Outcome{Status: importer.Created}})
	if bar == barLines {
		deadline := time.Now().Add(5 * time.Second)
		for !strings.Contains(out.String(), "progress: 1/3 rows") && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
	}
	p.Observe(importer.SlowedDown{Status: 429, Pause: time.Second, Rate: 2})
	p.Observe(importer.Finished{})
	return out.String()
}

// TestProgressBarModes: a Unix terminal redraws the bar with carriage
// returns; a Windows console with escape codes clears its line with them
// (without, the bar's remains would trail a shorter log line); a console
// that takes no escape codes gets plain lines and no bar at all.
func TestProgressBarModes(t *testing.T) {
	got := drawProgress(t, barCR)
	if !strings.Contains(got, "\r") || !strings.Contains(got, "created 1") || strings.Contains(got, "\x1b[") {
		t.Errorf("Unix terminal: want a bar redrawn with \\r and no escape codes:\n%q", got)
	}
	got = drawProgress(t, barANSI)
	if !strings.Contains(got, "\x1b[2K\r") || !strings.Contains(got, "created 1") {
		t.Errorf("Windows console with escape codes: want the bar's line cleared with ESC[2K:\n%q", got)
	}
	got = drawProgress(t, barLines)
	if strings.Contains(got, "\r") || strings.Contains(got, "\x1b") || strings.Contains(got, "█") {
		t.Errorf("old Windows console: a bar was drawn:\n%q", got)
	}
	if !strings.Contains(got, "progress: 1/3 rows (created 1") || !strings.Contains(got, "SalesByte refused again") {
		t.Errorf("old Windows console: want plain progress lines:\n%q", got)
	}
}

// TestSetupConsoleOutsideWindows: nothing to change, the bar as before.
func TestSetupConsoleOutsideWindows(t *testing.T) {
	restore, bar := setupConsole()
	restore()
	if bar != barCR {
		t.Errorf("bar mode %d; want barCR", bar)
	}
}
