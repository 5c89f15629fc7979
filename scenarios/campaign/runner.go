package campaign

import (
	"context"
	"errors"
	"fmt"
	"netsim/scenarios"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"netsim/sim"
)

// RunOptions control a campaign.
type RunOptions struct {
	// OutDir is the output folder; "" writes nothing (the Result still holds everything).
	OutDir string
	// Workers is the number of runs at a time; 0 means runtime.NumCPU(). Results do not
	// depend on it.
	Workers int
	// Subset, if not nil, runs only that part of the campaign (see Subset); the folder
	// then holds that part, and summary.csv and the plots only if the part is every run.
	Subset *Subset
	// Force lets a campaign start afresh in a folder that holds another campaign's
	// files (or other files): netsim's own files there are replaced.
	Force bool
	// Progress, if not nil, is called from one goroutine at most every half second of
	// wall-clock time, and once at the end.
	Progress func(CampaignProgress)
	// Warn, if not nil, is told of each line of the output folder's journal that is not
	// used (and whose run is run again), before anything runs.
	Warn func(JournalProblem)
}

// CampaignProgress is how far a campaign has got.
type CampaignProgress struct {
	Done    int // runs finished, including the skipped ones
	Skipped int // runs found already done in the output folder's journal
	Total   int
	Elapsed time.Duration
	Running []RunProgress // runs in flight that have reported progress, by run index
}

// RunProgress is the kernel's progress within one run.
type RunProgress struct {
	Run int
	Sim sim.Progress
}

// RunResult is one run: a row of runs.csv.
type RunResult struct {
	Run, Point, Replication int
	Seed                    uint64
	// Status is StatusOK for a run that ended, or the limit it stopped at; a run
	// stopped at a limit has no values, samples or series.
	Status string
	Values map[string]float64 // by metric name
	// Samples and Series are the run's sample sets and time series, by name; nil if
	// the kind declares none.
	Samples map[string][]float64
	Series  map[string]scenarios.TimeSeries
}

// Result is a finished campaign.
type Result struct {
	Dir     string
	Name    string         // scenarios.Scenario.Name
	Hash    string         // scenarios.Scenario.Hash
	Runs    []RunResult    // ordered by run index: every run, or those of RunOptions.Subset
	Summary []PointSummary // ordered by point; nil unless Runs holds every run
	Skipped int            // runs taken from the journal rather than run
}

// The status of a run: it ended, or it stopped at one of the limits the scenario gives
// each run (limits.sim_time, events, wall_time). A run stopped at a limit is a row of
// runs.csv with that status and no metrics, and summary.csv leaves it out of its
// point's statistics (n counts the runs that ended).
const (
	StatusOK       = "ok"
	StatusSimTime  = "sim_time_limit"
	StatusEvents   = "events_limit"
	StatusWallTime = "wall_time_limit"
)

// Stopped counts the runs of the result that stopped at a limit, by status.
func (r *Result) Stopped() map[string]int {
	out := map[string]int{}
	for _, run := range r.Runs {
		if run.Status != StatusOK {
			out[run.Status]++
		}
	}
	return out
}

// outputFiles are the files a campaign writes besides its plots; Force removes them.
var outputFiles = []string{"manifest.json", journalName, "runs.csv", "summary.csv", "samples.csv", "series.csv"}

func newRunResult(s *scenarios.Scenario, run int) RunResult {
	point, rep := s.RunPoint(run)
	return RunResult{Run: run, Point: point, Replication: rep,
		Seed: scenarios.RunSeed(s.Seed, run), Status: StatusOK, Values: map[string]float64{}}
}

// errWallTime is the cause of a run's context ending at limits.wall_time.
var errWallTime = errors.New("stopped at its wall-time limit")

// Run runs every run of the campaign s (or of opts.Subset) on a pool of workers and
// writes the output folder.
//
// The scenario is checked whole before anything runs. Each finished run is journaled at
// once; if ctx is cancelled, or a run fails, Run returns an error and the journal keeps
// the finished runs, which a re-run of the same campaign into the same folder skips.
// runs.csv is written when every run of the part is done, summary.csv and the plots
// when every run of the campaign is.
func Run(ctx context.Context, s *scenarios.Scenario, opts RunOptions) (*Result, error) {
	if err := s.Check(); err != nil {
		return nil, err
	}
	hash, err := s.Hash()
	if err != nil {
		return nil, err
	}
	resolved, err := s.Resolved()
	if err != nil {
		return nil, err
	}
	total := s.NumRuns()
	if opts.Subset != nil {
		if err := opts.Subset.check(total); err != nil {
			return nil, fmt.Errorf("campaign %s: %w", s.File, err)
		}
	}
	indices := opts.Subset.Indices(total)
	if s.Capture != nil {
		if opts.OutDir == "" {
			return nil, fmt.Errorf("campaign %s: a capture needs an output folder", s.File)
		}
		if err := checkCapture(ctx, s); err != nil {
			return nil, err
		}
	}
	res := &Result{Dir: opts.OutDir, Name: s.Name, Hash: hash}
	done := map[int]RunResult{}
	manifest := &Manifest{
		NetsimVersion: Version, GoVersion: runtime.Version(), Kind: s.Kind.Name(), Name: s.Name,
		ScenarioHash: hash, Seed: s.Seed, Points: s.NumPoints(), Replications: s.Replications,
		Runs: total, Subset: opts.Subset, Started: time.Now().UTC(), Scenario: string(resolved),
	}
	var jr *journal
	if opts.OutDir != "" {
		lock, err := lockDir(opts.OutDir)
		if err != nil {
			return nil, err
		}
		defer lock.release()
		var problems []JournalProblem
		if done, problems, err = prepareDir(opts.OutDir, s, hash, opts.Subset, opts.Force); err != nil {
			return nil, err
		}
		if len(problems) > 0 {
			for _, p := range problems {
				if opts.Warn != nil {
					opts.Warn(p)
				}
			}
			// Rewritten with the runs it holds, so that a line not used now is not
			// found again, nor a run it recorded twice recorded a third time.
			jl, err := journalOf(done, hash)
			if err == nil {
				err = writeFileAtomic(filepath.Join(opts.OutDir, journalName), jl)
			}
			if err != nil {
				return nil, fmt.Errorf("output folder %s: %w", opts.OutDir, err)
			}
		}
		if err := writeManifest(opts.OutDir, manifest); err != nil {
			return nil, fmt.Errorf("output folder %s: %w", opts.OutDir, err)
		}
		if jr, err = openJournal(filepath.Join(opts.OutDir, journalName), hash); err != nil {
			return nil, fmt.Errorf("output folder %s: %w", opts.OutDir, err)
		}
		defer jr.close()
	}

	var pending []int
	for _, i := range indices {
		// A run the wall-time limit stopped depends on the machine: it is run again, as
		// is a run that ended whose capture files are missing. A run stopped at another
		// limit has no capture, and would stop there again.
		r, ok := done[i]
		if ok && r.Status != StatusWallTime && (s.Capture == nil || r.Status != StatusOK || !captureMissing(opts.OutDir, s.Capture, i)) {
			res.Skipped++
		} else {
			pending = append(pending, i)
		}
	}
	prog := newTracker(len(indices), res.Skipped, opts.Progress)
	runErr := runPool(ctx, s, opts.OutDir, pending, opts.Workers, prog, func(r RunResult) error {
		if prev, again := done[r.Run]; again && prev.Status != StatusWallTime {
			return nil // run again for its capture: journaled already
		}
		done[r.Run] = r
		if jr != nil {
			return jr.add(r)
		}
		return nil
	})
	prog.stop()
	if runErr != nil {
		finished := 0
		for _, i := range indices {
			if _, ok := done[i]; ok {
				finished++
			}
		}
		where := ""
		if opts.OutDir != "" {
			where = fmt.Sprintf("; the %d finished runs are kept in %s, and running the same campaign there again resumes",
				finished, filepath.Join(opts.OutDir, journalName))
		}
		return nil, fmt.Errorf("campaign %s: %d of %d runs done%s: %w", s.File, finished, len(indices), where, runErr)
	}

	res.Runs = make([]RunResult, len(indices))
	for j, i := range indices {
		res.Runs[j] = done[i]
	}
	if len(indices) == total {
		res.Summary = summarizeRuns(s, res.Runs)
	}
	if opts.OutDir == "" {
		return res, nil
	}
	if err := writeOutputs(opts.OutDir, s, res); err != nil {
		return nil, fmt.Errorf("output folder %s: %w", opts.OutDir, err)
	}
	end := time.Now().UTC()
	manifest.Finished = &end
	if err := writeManifest(opts.OutDir, manifest); err != nil {
		return nil, fmt.Errorf("output folder %s: %w", opts.OutDir, err)
	}
	return res, nil
}

// prepareDir makes the output folder ready for part (nil: the whole campaign) and
// returns the runs its journal already holds for this campaign, and the lines of it
// that cannot be used.
func prepareDir(dir string, s *scenarios.Scenario, hash string, part *Subset, force bool) (map[int]RunResult, []JournalProblem, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("output folder: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("output folder: %w", err)
	}
	entries = slices.DeleteFunc(entries, func(e os.DirEntry) bool { return isPartDir(filepath.Join(dir, e.Name()), hash) })
	entries = slices.DeleteFunc(entries, func(e os.DirEntry) bool { return e.Name() == lockName })
	if len(entries) > 0 {
		m, err := ReadManifest(dir)
		switch {
		case err == nil && m.ScenarioHash == hash && m.Subset.equal(part):
			done, problems, err := readJournal(filepath.Join(dir, journalName), s, hash)
			if err != nil {
				return nil, nil, fmt.Errorf("output folder %s: %w", dir, err)
			}
			return done, problems, nil
		case !force && err == nil && m.ScenarioHash == hash:
			return nil, nil, fmt.Errorf("output folder %s holds %s of this campaign, not %s: choose another folder, or force to start afresh",
				dir, m.Subset.describe(), part.describe())
		case !force && err == nil:
			return nil, nil, fmt.Errorf("output folder %s holds a different campaign (%s, scenario hash %.12s, not %.12s): choose another folder, or force to start afresh",
				dir, m.Name, m.ScenarioHash, hash)
		case !force:
			return nil, nil, fmt.Errorf("output folder %s is not empty and holds no netsim campaign: choose another folder, or force to use it", dir)
		}
		if err := removeOutputs(dir, m); err != nil {
			return nil, nil, fmt.Errorf("output folder %s: %w", dir, err)
		}
	}
	return map[int]RunResult{}, nil, nil
}

// removeOutputs removes netsim's files from dir, for --force: the campaign's own, its
// capture folder, and the figures of the campaign its manifest m describes (nil:
// none), each named through scenarios.JoinName, so that nothing outside dir is touched
// whatever the manifest says. Other files are left where they are.
func removeOutputs(dir string, m *Manifest) error {
	names := slices.Clone(outputFiles)
	if m != nil {
		if old, err := scenarios.Parse("manifest.json", []byte(m.Scenario)); err == nil {
			for _, p := range old.Plots {
				names = append(names, p.Name+".png", p.Name+".svg", p.Name+".csv")
			}
		}
	}
	for _, name := range names {
		path, err := scenarios.JoinName(dir, name)
		if err != nil {
			continue // not a name netsim would have written
		}
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return os.RemoveAll(filepath.Join(dir, captureDir))
}

// isPartDir says whether path is the folder of a part (a shard, or runs) of the
// campaign hash. Such folders may sit inside the whole campaign's folder, which is where
// a job array's merge writes (netsim slurm: DIR/shard-i-of-n, merged into DIR), so they
// do not make it "not empty". 'netsim run --shard' puts them beside it by default
// (out/NAME-shard-i-of-n).
func isPartDir(path, hash string) bool {
	m, err := ReadManifest(path)
	return err == nil && m.Subset != nil && m.ScenarioHash == hash
}

func writeOutputs(dir string, s *scenarios.Scenario, res *Result) error {
	if err := writeFileAtomic(filepath.Join(dir, "runs.csv"), runsCSV(s, res.Runs)); err != nil {
		return err
	}
	for name, data := range map[string][]byte{"samples.csv": samplesCSV(s, res.Runs), "series.csv": seriesCSV(s, res.Runs)} {
		if data == nil {
			continue
		}
		if err := writeFileAtomic(filepath.Join(dir, name), data); err != nil {
			return err
		}
	}
	if res.Summary == nil {
		return nil // a part of the campaign: merge the parts for the summary
	}
	if err := writeFileAtomic(filepath.Join(dir, "summary.csv"), summaryCSV(s, res.Summary)); err != nil {
		return err
	}
	return writeFigures(dir, s, res)
}

// writeFigures draws every plot of s from the campaign's results.
func writeFigures(dir string, s *scenarios.Scenario, res *Result) error {
	for _, p := range s.Plots {
		fig := buildFigure(s, p, res.Summary, res.Runs)
		if err := savePlot(fig, filepath.Join(dir, p.Name)); err != nil {
			return fmt.Errorf("plot %s: %w", p.Name, err)
		}
	}
	return nil
}

// runPool runs the pending run indices on workers goroutines and hands each result to
// record, from this goroutine, in the order they finish. The first failure (or ctx's
// cancellation) stops the dispatch of new runs; runs in flight are waited for.
func runPool(ctx context.Context, s *scenarios.Scenario, dir string, pending []int, workers int, prog *tracker, record func(RunResult) error) error {
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	workers = min(workers, max(len(pending), 1))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	jobs := make(chan int)
	type outcome struct {
		r   RunResult
		err error
	}
	results := make(chan outcome)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				r, err := runOne(ctx, s, dir, i, prog)
				if err != nil {
					// Stop the dispatch here, before this worker can take another run:
					// left to the receiver, a run handed out meanwhile would still start.
					cancel()
				}
				results <- outcome{r, err}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, i := range pending {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()

	var first error
	failures := 0
	for o := range results {
		if o.err == nil {
			if err := record(o.r); err != nil {
				o.err = fmt.Errorf("journal: %w", err)
			} else {
				prog.finished()
				continue
			}
		}
		// Runs stopped by our own cancel after a failure are not failures.
		if first == nil || !errors.Is(o.err, context.Canceled) {
			failures++
			if first == nil {
				first = o.err
			}
		}
		cancel()
	}
	switch {
	case failures > 1:
		return fmt.Errorf("%w (and %d more failed runs)", first, failures-1)
	case first != nil:
		return first
	case ctx.Err() != nil:
		return context.Cause(ctx) // the caller's context ended
	}
	return nil
}

// runOne runs run i, and writes its capture into dir if the scenario has one. A panic
// in the kind is a bug in netsim; it fails this run with the stack rather than killing
// the campaign's finished work.
func runOne(ctx context.Context, s *scenarios.Scenario, dir string, i int, prog *tracker) (r RunResult, err error) {
	r = newRunResult(s, i)
	p := s.Point(r.Point)
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("run %d (point %d, replication %d): panic: %v\n%s", i, r.Point, r.Replication, v, debug.Stack())
		}
		prog.forget(i)
	}()
	if err := ctx.Err(); err != nil {
		return r, err
	}
	env := scenarios.RunEnv{Seed: r.Seed, RunIndex: i, Progress: func(sp sim.Progress) { prog.update(i, sp) },
		Topology: s.Topology, Schedule: s.Schedule}
	var cr *captureRun
	if s.Capture != nil {
		cr = &captureRun{c: s.Capture}
		env.Attach = cr.attach
	}
	runCtx := sim.WithLimits(ctx, sim.Limits{Events: uint64(s.Limits.Events), Time: s.Limits.SimTime.Time()})
	if w := s.Limits.WallTime; w > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeoutCause(runCtx, w.Time().Duration(), errWallTime)
		defer cancel()
	}
	out, err := s.Kind.Run(runCtx, p.Params, env)
	if err == nil && cr != nil {
		err = cr.write(dir, s, i)
	}
	var limit *sim.LimitError
	switch {
	case err == nil:
		r.Values, r.Samples, r.Series = out.Values, out.Samples, out.Series
	case errors.As(err, &limit) && limit.Limit == sim.EventLimit:
		r.Status = StatusEvents
	case errors.As(err, &limit):
		r.Status = StatusSimTime
	case ctx.Err() == nil && errors.Is(context.Cause(runCtx), errWallTime):
		r.Status = StatusWallTime
	default:
		return r, fmt.Errorf("run %d (point %d, replication %d): %w", i, r.Point, r.Replication, err)
	}
	return r, nil
}
