package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// serveOptions are netsim serve's limits for a shared classroom server.
type serveOptions struct {
	dir          string // scenario files offered beside the built-ins; "" for none
	maxRuns      int    // runs per campaign
	maxCampaigns int    // campaigns running at once
	maxQueue     int    // campaigns waiting for a slot
	maxKept      int    // finished campaigns whose results are kept
	workers      int    // runs of one campaign at a time
	// abandon is how long a campaign's page may be closed (no page load, no open
	// progress stream) before the campaign is cancelled.
	abandon time.Duration
	// tick is how often progress is sent and abandoned campaigns are looked for.
	tick time.Duration
}

func defaultServeOptions() serveOptions {
	return serveOptions{maxRuns: 2000, maxCampaigns: 1, maxQueue: 8, maxKept: 20, abandon: 15 * time.Second, tick: 500 * time.Millisecond}
}

// jobState is where a campaign submitted to the server is.
type jobState int

const (
	queued jobState = iota
	running
	done
	cancelled
	failed
)

func (s jobState) String() string {
	return [...]string{"queued", "running", "done", "cancelled", "failed"}[s]
}

func (s jobState) finished() bool { return s >= done }

// job is one campaign submitted to the server. Its fields are guarded by the server's
// mutex.
type job struct {
	id       string
	scenario string   // the name it was asked for by
	sets     []string // the --set arguments of the form's changes
	sc       scenario
	dir      string // its output folder
	resolved []byte // the resolved scenario file
	runs     int
	ctx      context.Context
	cancel   context.CancelFunc

	state      jobState
	why        string // why it was cancelled or failed
	counts     runCounts
	submitted  time.Time
	started    time.Time
	ended      time.Time
	lastSeen   time.Time // the page was last loaded, or its progress stream closed
	watchers   int       // open progress streams
	prev       *job      // the scenario's last finished campaign when this was submitted
	forgotten  bool      // its results have been removed to keep the server's disk bounded
	figures    []figureInfo
	summary    [][]string
	files      []string
	summaryErr string
}

// server runs the campaigns submitted from the page, at most maxCampaigns at once.
type server struct {
	eng  engine
	opts serveOptions
	root string // the temporary folder holding every campaign's output folder
	mux  *serveMux
	now  func() time.Time

	mu      sync.Mutex
	jobs    map[string]*job
	order   []*job // every job, oldest first
	queue   []*job // waiting for a slot, in submission order
	running int
	last    map[string]*job // the last campaign of each scenario that finished
	nextID  int
	closed  bool

	wg   sync.WaitGroup
	stop chan struct{}
}

var errBusy = errors.New("busy")

func newServer(eng engine, o serveOptions) (*server, error) {
	if o.dir != "" {
		if fi, err := os.Stat(o.dir); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("--dir %s: not a folder", o.dir)
		}
	}
	root, err := os.MkdirTemp("", "netsim-serve-")
	if err != nil {
		return nil, err
	}
	s := &server{
		eng: eng, opts: o, root: root, now: time.Now,
		jobs: map[string]*job{}, last: map[string]*job{}, stop: make(chan struct{}),
	}
	s.mux = newServeMux(s)
	s.wg.Add(1)
	go s.reap()
	return s, nil
}

// Close cancels every campaign, waits for them to stop and removes their results.
func (s *server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	for _, j := range s.order {
		s.cancelLocked(j, "cancelled: the server stopped")
	}
	close(s.stop)
	s.mu.Unlock()
	s.wg.Wait()
	os.RemoveAll(s.root)
}

// scenarioList is what the start page offers: the built-ins, then the files in --dir
// by file name. A request names one of these; nothing else is ever loaded.
func (s *server) scenarioList() []entry {
	list := s.eng.Builtins()
	if s.opts.dir == "" {
		return list
	}
	entries, err := os.ReadDir(s.opts.dir)
	if err != nil {
		return list
	}
	for _, e := range entries {
		if e.Type().IsRegular() && (strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
			desc := ""
			if sc, err := s.eng.Load(filepath.Join(s.opts.dir, e.Name())); err == nil {
				desc = sc.Description()
			} else {
				desc = "does not load: " + err.Error()
			}
			list = append(list, entry{e.Name(), desc})
		}
	}
	return list
}

// load loads the scenario the start page calls name, or says there is none.
func (s *server) load(name string) (scenario, bool, error) {
	for _, b := range s.eng.Builtins() {
		if b.Name == name {
			sc, err := s.eng.Load(name)
			return sc, true, err
		}
	}
	if s.opts.dir == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
		return nil, false, nil
	}
	entries, err := os.ReadDir(s.opts.dir)
	if err != nil {
		return nil, false, nil
	}
	for _, e := range entries {
		if e.Name() == name && e.Type().IsRegular() {
			sc, err := s.eng.Load(filepath.Join(s.opts.dir, e.Name()))
			return sc, true, err
		}
	}
	return nil, false, nil
}

// submit queues the campaign sc (the scenario name with the --set arguments sets)
// and starts it when a slot is free; errBusy if the queue is full.
func (s *server) submit(name string, sets []string, sc scenario) (*job, error) {
	resolved, err := sc.Resolved()
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errBusy
	}
	if s.running >= s.opts.maxCampaigns && len(s.queue) >= s.opts.maxQueue {
		return nil, errBusy
	}
	s.nextID++
	id := strconv.Itoa(s.nextID)
	dir := filepath.Join(s.root, id)
	ctx, cancel := context.WithCancel(context.Background())
	now := s.now()
	j := &job{
		id: id, scenario: name, sets: sets, sc: sc, dir: dir, resolved: resolved, runs: sc.Runs(),
		ctx: ctx, cancel: cancel, state: queued, submitted: now, lastSeen: now,
		prev: s.last[name], counts: runCounts{Total: sc.Runs()},
	}
	s.jobs[id] = j
	s.order = append(s.order, j)
	s.queue = append(s.queue, j)
	s.forgetOld()
	s.wg.Add(1)
	s.dispatch()
	return j, nil
}

// dispatch starts queued campaigns while there are free slots. The caller holds s.mu.
func (s *server) dispatch() {
	for s.running < s.opts.maxCampaigns && len(s.queue) > 0 {
		j := s.queue[0]
		s.queue = s.queue[1:]
		s.running++
		j.state, j.started = running, s.now()
		go s.run(j)
	}
}

// run runs campaign j; it was counted in s.running and s.wg.
func (s *server) run(j *job) {
	defer s.wg.Done()
	counts, err := s.eng.Run(j.ctx, j.sc, runOptions{
		OutDir: j.dir, Workers: s.opts.workers,
		Progress: func(c runCounts) {
			s.mu.Lock()
			j.counts = c
			s.mu.Unlock()
		},
	})
	// The results are read before the job is marked finished, so that a page that sees
	// it finished sees them too.
	var (
		summary    [][]string
		summaryErr string
	)
	if err == nil {
		summary, _, err = summaryTable(filepath.Join(j.dir, "summary.csv"), -1)
		if err != nil {
			summaryErr = err.Error()
		}
	}
	files := []string{}
	if entries, rerr := os.ReadDir(j.dir); rerr == nil {
		for _, e := range entries {
			if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
				files = append(files, e.Name())
			}
		}
	}
	sort.Strings(files)

	s.mu.Lock()
	defer s.mu.Unlock()
	j.counts = counts
	j.ended = s.now()
	j.files = files
	switch {
	case j.ctx.Err() != nil:
		j.state = cancelled
		if j.why == "" {
			j.why = "cancelled"
		}
	case err != nil:
		j.state, j.why = failed, err.Error()
	default:
		j.state, j.summary, j.summaryErr = done, summary, summaryErr
		j.figures = s.eng.Figures(j.sc)
		s.last[j.scenario] = j
	}
	j.cancel()
	s.running--
	s.dispatch()
}

// cancelJob cancels j, queued or running, saying why.
func (s *server) cancelJob(j *job, why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cancelLocked(j, why)
}

func (s *server) cancelLocked(j *job, why string) {
	if j.state.finished() {
		return
	}
	if j.why == "" {
		j.why = why
	}
	j.cancel()
	if j.state == queued {
		for i, q := range s.queue {
			if q == j {
				s.queue = append(s.queue[:i], s.queue[i+1:]...)
				break
			}
		}
		j.state, j.ended = cancelled, s.now()
		s.wg.Done()
	}
}

// forgetOld removes the results of the oldest finished campaigns beyond maxKept, so
// that a server left running all term keeps its memory and disk bounded. The caller
// holds s.mu.
func (s *server) forgetOld() {
	kept := 0
	for i := len(s.order) - 1; i >= 0; i-- {
		j := s.order[i]
		if !j.state.finished() {
			continue
		}
		kept++
		if kept > s.opts.maxKept && !j.forgotten {
			j.forgotten = true
			os.RemoveAll(j.dir)
			delete(s.jobs, j.id)
			for name, l := range s.last {
				if l == j {
					delete(s.last, name)
				}
			}
		}
	}
	live := s.order[:0]
	for _, j := range s.order {
		if !j.forgotten {
			live = append(live, j)
		}
	}
	for i := len(live); i < len(s.order); i++ {
		s.order[i] = nil
	}
	s.order = live
}

// reap cancels the campaigns whose page has been closed for opts.abandon: no page load
// and no open progress stream.
func (s *server) reap() {
	defer s.wg.Done()
	t := time.NewTicker(s.opts.tick)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		s.mu.Lock()
		now := s.now()
		for _, j := range s.order {
			if !j.state.finished() && j.watchers == 0 && now.Sub(j.lastSeen) > s.opts.abandon {
				s.cancelLocked(j, fmt.Sprintf("cancelled: its page was closed for more than %s", s.opts.abandon))
			}
		}
		s.mu.Unlock()
	}
}

// jobView is a copy of a job's state for a page, taken under the mutex.
type jobView struct {
	ID, Scenario, State, Why string
	Sets                     []string
	Runs, Done, Skipped      int
	RunsPerSec               float64
	Left                     string // time left, "" when unknown
	Ahead                    int    // campaigns ahead of it in the queue
	Finished                 bool
	Figures                  []figureInfo
	Compare                  []figureInfo // figures the previous result also has
	PrevID                   string
	Summary                  [][]string
	SummaryErr               string
	Files                    []string
	Command                  string
}

func (s *server) view(j *job) jobView {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := jobView{
		ID: j.id, Scenario: j.scenario, State: j.state.String(), Why: j.why, Sets: j.sets,
		Runs: j.runs, Done: j.counts.Done, Skipped: j.counts.Skipped, Finished: j.state.finished(),
		Figures: j.figures, Summary: j.summary, SummaryErr: j.summaryErr, Files: j.files,
	}
	v.Command = "netsim run " + j.scenario
	for _, kv := range j.sets {
		v.Command += " --set " + shellQuote(kv)
	}
	if j.state == queued {
		for i, q := range s.queue {
			if q == j {
				v.Ahead = i + s.running
			}
		}
	}
	if j.state == running {
		elapsed := s.now().Sub(j.started).Seconds()
		ran := j.counts.Done - j.counts.Skipped
		if elapsed > 0 && ran > 0 {
			v.RunsPerSec = float64(ran) / elapsed
			v.Left = (time.Duration(float64(j.counts.Total-j.counts.Done)/v.RunsPerSec) * time.Second).Round(time.Second).String()
		}
	}
	if p := j.prev; p != nil && !p.forgotten && p.state == done && j.state == done {
		v.PrevID = p.id
		for _, f := range j.figures {
			for _, g := range p.figures {
				if f.Name == g.Name {
					v.Compare = append(v.Compare, f)
				}
			}
		}
	}
	return v
}

// shellQuote quotes an argument for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`!*?[]{}()<>|&;#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
