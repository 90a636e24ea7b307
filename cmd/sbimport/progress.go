package main

import (
	"fmt"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/sbimport/sbimport/importer"
)

// progress shows how a run goes: a bar on a terminal, a plain line every
// few seconds otherwise. Workers only report; the drawing happens here.
type progress struct {
	s       streams
	verbose bool

	mu      sync.Mutex
	total   int
	done    int
	counts  map[importer.Status]int
	started time.Time
	bar     *progressbar.ProgressBar
	stopTk  chan struct{}
	wg      sync.WaitGroup
	every   time.Duration // how often a plain line is logged
}

const logEvery = 5 * time.Second

func newProgress(s streams, verbose bool) *progress {
	return &progress{s: s, verbose: verbose, counts: make(map[importer.Status]int), every: logEvery}
}

func (p *progress) logf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		p.bar.Clear()
	}
	fmt.Fprintf(p.s.Err, format+"\n", args...)
}

func (p *progress) Start(rows int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total = rows
	p.started = time.Now()
	if p.s.Terminal {
		p.bar = progressbar.NewOptions(rows,
			progressbar.OptionSetWriter(p.s.Err),
			progressbar.OptionSetDescription("rows"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("rows"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
		return
	}
	p.stopTk = make(chan struct{})
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(p.every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				fmt.Fprintln(p.s.Err, p.line())
			case <-p.stopTk:
				return
			}
		}
	}()
}

// line is the plain progress line.
func (p *progress) line() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	el := time.Since(p.started).Seconds()
	rate := 0.0
	if el > 0 {
		rate = float64(p.done) / el
	}
	eta := "?"
	if rate > 0 {
		eta = (time.Duration(float64(p.total-p.done)/rate) * time.Second).Round(time.Second).String()
	}
	return fmt.Sprintf("progress: %d/%d rows (created %d, failed %d, invalid %d, unknown %d, skipped %d), %.1f rows/s, ETA %s",
		p.done, p.total, p.counts[importer.Created], p.counts[importer.Failed], p.counts[importer.Invalid],
		p.counts[importer.Unknown], p.counts[importer.Skipped], rate, eta)
}

func (p *progress) Row(st importer.Status) {
	p.mu.Lock()
	p.done++
	p.counts[st]++
	bar := p.bar
	if bar != nil {
		bar.Describe(fmt.Sprintf("created %d · failed %d · invalid %d · unknown %d", p.counts[importer.Created], p.counts[importer.Failed], p.counts[importer.Invalid], p.counts[importer.Unknown]))
	}
	p.mu.Unlock()
	if bar != nil {
		bar.Add(1)
	}
}

func (p *progress) Finish() {
	p.mu.Lock()
	bar, stop := p.bar, p.stopTk
	p.mu.Unlock()
	if bar != nil {
		bar.Finish()
	}
	if stop != nil {
		close(stop)
		p.wg.Wait()
	}
}
