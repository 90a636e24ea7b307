package main

import (
	"fmt"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/sbimport/sbimport/explain"
	"github.com/sbimport/sbimport/importer"
)

// progress shows how a run goes: a bar on a terminal, a plain line every
// few seconds otherwise. It is an importer.Observer: the import's events
// say when to redraw, and its tally (snapshot) says what the counts are.
// Rows count as their outcomes arrive, so one row in retry holds up
// nothing.
type progress struct {
	s        streams
	verbose  bool
	snapshot func() importer.Snapshot

	mu      sync.Mutex
	started time.Time
	bar     *progressbar.ProgressBar
	stopTk  chan struct{}
	wg      sync.WaitGroup
	every   time.Duration // how often a plain line is logged
}

const logEvery = 5 * time.Second

func newProgress(s streams, verbose bool, snapshot func() importer.Snapshot) *progress {
	return &progress{s: s, verbose: verbose, snapshot: snapshot, every: logEvery}
}

// Observe takes the import's events.
func (p *progress) Observe(e importer.Event) {
	switch e := e.(type) {
	case importer.Started:
		p.start(e.Rows)
	case importer.RowDone:
		p.row(e)
	case importer.Retrying:
		if p.verbose {
			p.logf("row %d: not created, sent again in %s (attempt %d)", e.Line, e.Wait.Round(time.Millisecond), e.Attempt)
		}
	case importer.SlowedDown:
		p.logf("%s", explain.SlowedDown(e))
	case importer.Finished:
		p.finish()
	}
}

func (p *progress) logf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		p.bar.Clear()
	}
	fmt.Fprintf(p.s.Err, format+"\n", args...)
}

func (p *progress) start(rows int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.started = time.Now()
	if p.s.Terminal && p.s.Bar != barLines {
		p.bar = progressbar.NewOptions(rows,
			progressbar.OptionUseANSICodes(p.s.Bar == barANSI),
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
	go p.tick(p.stopTk)
}

// tick logs a plain line every p.every until stop closes.
func (p *progress) tick(stop chan struct{}) {
	defer p.wg.Done()
	t := time.NewTicker(p.every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			fmt.Fprintln(p.s.Err, p.line())
		case <-stop:
			return
		}
	}
}

// line is the plain progress line.
func (p *progress) line() string {
	p.mu.Lock()
	el := time.Since(p.started).Seconds()
	p.mu.Unlock()
	sn := p.snapshot()
	rate := 0.0
	if el > 0 {
		rate = float64(sn.Done) / el
	}
	eta := "?"
	if rate > 0 {
		eta = (time.Duration(float64(sn.Rows-sn.Done)/rate) * time.Second).Round(time.Second).String()
	}
	c := sn.Counts
	return fmt.Sprintf("progress: %d/%d rows (created %d, failed %d, invalid %d, unknown %d, skipped %d)%s, %.1f rows/s, ETA %s",
		sn.Done, sn.Rows, c[importer.Created], c[importer.Failed], c[importer.Invalid],
		c[importer.Unknown], c[importer.Skipped], waiting(sn), rate, eta)
}

// waiting says what holds rows back: retries, or SalesByte's pause.
func waiting(sn importer.Snapshot) string {
	s := ""
	if sn.Retrying > 0 {
		s += fmt.Sprintf(", %d waiting to be sent again", sn.Retrying)
	}
	if d := time.Until(sn.PausedUntil); d > 0 {
		s += fmt.Sprintf(", SalesByte asked us to wait %s", d.Round(100*time.Millisecond))
	}
	return s
}

func (p *progress) row(e importer.RowDone) {
	if p.verbose {
		p.logf("%s", rowWords(e))
	}
	p.mu.Lock()
	bar := p.bar
	p.mu.Unlock()
	if bar == nil {
		return
	}
	sn := p.snapshot()
	c := sn.Counts
	bar.Describe(fmt.Sprintf("created %d · failed %d · invalid %d · unknown %d%s", c[importer.Created], c[importer.Failed], c[importer.Invalid], c[importer.Unknown], waiting(sn)))
	bar.Add(1)
}

// rowWords is a row's outcome, for --verbose.
func rowWords(e importer.RowDone) string {
	o := e.Outcome
	word := string(o.Status)
	if o.Status == importer.Pending {
		word = "valid"
	}
	if e.Kept {
		word = "already " + word + ", not sent"
	}
	switch {
	case o.ID != 0:
		return fmt.Sprintf("row %d: %s id %d %s", e.Line, word, o.ID, o.Links.CustomerView)
	case o.Error != "":
		return fmt.Sprintf("row %d: %s: %s", e.Line, word, o.Error)
	}
	return fmt.Sprintf("row %d: %s", e.Line, word)
}

func (p *progress) finish() {
	p.mu.Lock()
	bar, stop := p.bar, p.stopTk
	p.stopTk = nil
	p.mu.Unlock()
	if bar != nil {
		bar.Finish()
	}
	if stop != nil {
		close(stop)
		p.wg.Wait()
	}
}
