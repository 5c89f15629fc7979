package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// progress reports a campaign's progress on stderr: nothing for the first couple of
// seconds (a short campaign should not flicker), then a bar redrawn in place when stderr
// is a terminal, or a plain line every few seconds when it is a file or a pipe, so logs
// stay readable.
type progress struct {
	w        io.Writer
	terminal bool
	now      func() time.Time

	// quiet is how long to wait before the first report, and every the interval
	// between reports. Fields, so tests can shorten them.
	quiet, every time.Duration

	mu       sync.Mutex
	start    time.Time
	last     time.Time // of the last report; zero before the first
	counts   runCounts
	barWidth int // of the bar drawn last, to erase it; 0 if none is shown
	stop     chan struct{}
	done     chan struct{}
}

const (
	progressQuiet    = 2 * time.Second
	progressBarEvery = 200 * time.Millisecond
	progressLogEvery = 5 * time.Second
)

func newProgress(w io.Writer, terminal bool, now func() time.Time) *progress {
	p := &progress{w: w, terminal: terminal, now: now, quiet: progressQuiet, every: progressLogEvery}
	if terminal {
		p.every = progressBarEvery
	}
	return p
}

// Start starts the clock and a ticker that reports even while no run finishes, so the
// elapsed time keeps moving.
func (p *progress) Start() {
	p.start = p.now()
	p.stop, p.done = make(chan struct{}), make(chan struct{})
	tick := p.every
	if !p.terminal {
		tick = time.Second // check often, report every p.every
	}
	go func() {
		defer close(p.done)
		t := time.NewTicker(tick)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.mu.Lock()
				p.maybeReport()
				p.mu.Unlock()
			}
		}
	}()
}

// Update records the campaign's counts; the runner may call it from any goroutine.
func (p *progress) Update(c runCounts) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts = c
	p.maybeReport()
}

// Finish stops the ticker and erases the bar, so what follows starts on a clean line.
func (p *progress) Finish() {
	if p.stop != nil {
		close(p.stop)
		<-p.done
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.barWidth > 0 {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.barWidth))
		p.barWidth = 0
	}
}

func (p *progress) maybeReport() {
	now := p.now()
	if now.Sub(p.start) < p.quiet || (!p.last.IsZero() && now.Sub(p.last) < p.every) {
		return
	}
	p.last = now
	if p.terminal {
		bar := p.bar(now)
		// Spaces erase the tail of a longer bar drawn before.
		fmt.Fprintf(p.w, "\r%s%s", bar, strings.Repeat(" ", max(0, p.barWidth-len(bar))))
		p.barWidth = len(bar)
		return
	}
	fmt.Fprintf(p.w, "netsim: %s\n", p.status(now))
}

// bar is e.g. "[=========>          ] 45/100 runs  45%  12s elapsed, about 15s left".
func (p *progress) bar(now time.Time) string {
	const width = 24
	c := p.counts
	filled := 0
	if c.Total > 0 {
		filled = width * c.Done / c.Total
	}
	b := strings.Repeat("=", filled)
	if filled < width {
		b += ">" + strings.Repeat(" ", width-filled-1)
	}
	return fmt.Sprintf("[%s] %s", b, p.status(now))
}

// status is e.g. "45/100 runs (45%), 12s elapsed, about 15s left".
func (p *progress) status(now time.Time) string {
	c := p.counts
	elapsed := now.Sub(p.start)
	s := fmt.Sprintf("%d/%d runs", c.Done, c.Total)
	if c.Total > 0 {
		s += fmt.Sprintf(" (%d%%)", 100*c.Done/c.Total)
	}
	s += fmt.Sprintf(", %s elapsed", elapsed.Round(time.Second))
	// Within long runs, the kernels' own progress (DESIGN: events and events/s).
	if c.Events > 0 && c.Done < c.Total {
		s += fmt.Sprintf(", in progress: %s events, %s events/s", count(float64(c.Events)), count(c.EventsPerSec))
	}
	// Runs found already done took no time: estimate from the runs done in this session.
	if ran := c.Done - c.Skipped; ran > 0 && c.Done < c.Total {
		left := time.Duration(float64(elapsed) / float64(ran) * float64(c.Total-c.Done))
		s += fmt.Sprintf(", about %s left", left.Round(time.Second))
	}
	return s
}

// isTerminal reports whether f is a terminal (a character device), without a
// dependency on a terminal package.
func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// count writes a large count briefly: 950, 12.3k, 4.56M, 7.89G.
func count(n float64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.3gG", n/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.3gM", n/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.3gk", n/1e3)
	}
	return fmt.Sprintf("%.0f", n)
}
