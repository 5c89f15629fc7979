package campaign

import (
	"sort"
	"sync"
	"time"

	"netsim/sim"
)

// progressInterval is the least wall-clock time between two progress reports.
const progressInterval = 500 * time.Millisecond

// tracker gathers a campaign's progress from the workers and reports it from one
// goroutine, on a wall-clock ticker, so that the callback never runs concurrently.
type tracker struct {
	mu      sync.Mutex
	done    int
	skipped int
	total   int
	start   time.Time
	running map[int]sim.Progress

	report func(CampaignProgress)
	quit   chan struct{}
	wg     sync.WaitGroup
}

func newTracker(total, skipped int, report func(CampaignProgress)) *tracker {
	t := &tracker{done: skipped, skipped: skipped, total: total, start: time.Now(),
		running: map[int]sim.Progress{}, report: report, quit: make(chan struct{})}
	if report != nil {
		t.wg.Add(1)
		go t.loop()
	}
	return t
}

func (t *tracker) loop() {
	defer t.wg.Done()
	tick := time.NewTicker(progressInterval)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			t.report(t.snapshot())
		case <-t.quit:
			return
		}
	}
}

// stop ends the ticker and makes the final report.
func (t *tracker) stop() {
	close(t.quit)
	t.wg.Wait()
	if t.report != nil {
		t.report(t.snapshot())
	}
}

func (t *tracker) snapshot() CampaignProgress {
	t.mu.Lock()
	defer t.mu.Unlock()
	cp := CampaignProgress{Done: t.done, Skipped: t.skipped, Total: t.total, Elapsed: time.Since(t.start)}
	for run, sp := range t.running {
		cp.Running = append(cp.Running, RunProgress{Run: run, Sim: sp})
	}
	sort.Slice(cp.Running, func(i, j int) bool { return cp.Running[i].Run < cp.Running[j].Run })
	return cp
}

// update records the kernel's progress in run i; workers call it.
func (t *tracker) update(i int, sp sim.Progress) {
	t.mu.Lock()
	t.running[i] = sp
	t.mu.Unlock()
}

// forget drops run i from the runs in flight.
func (t *tracker) forget(i int) {
	t.mu.Lock()
	delete(t.running, i)
	t.mu.Unlock()
}

// finished counts one more finished run.
func (t *tracker) finished() {
	t.mu.Lock()
	t.done++
	t.mu.Unlock()
}
