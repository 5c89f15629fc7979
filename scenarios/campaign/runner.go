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
	Values                  map[string]float64 // by metric name
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

// outputFiles are the files a campaign writes besides its plots; Force removes them.
var outputFiles = []string{"manifest.json", journalName, "runs.csv", "summary.csv", "samples.csv", "series.csv"}

func newRunResult(s *scenarios.Scenario, run int) RunResult {
	return RunResult{Run: run, Point: run / s.Replications, Replication: run % s.Replications,
		Seed: scenarios.RunSeed(s.Seed, run), Values: map[string]float64{}}
}

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
		if done, err = prepareDir(opts.OutDir, s, hash, opts.Subset, opts.Force); err != nil {
			return nil, err
		}
		if err := writeManifest(opts.OutDir, manifest); err != nil {
			return nil, fmt.Errorf("output folder %s: %w", opts.OutDir, err)
		}
		if jr, err = openJournal(filepath.Join(opts.OutDir, journalName)); err != nil {
			return nil, fmt.Errorf("output folder %s: %w", opts.OutDir, err)
		}
		defer jr.close()
	}

	var pending []int
	for _, i := range indices {
		if _, ok := done[i]; ok && (s.Capture == nil || !captureMissing(opts.OutDir, s.Capture, i)) {
			res.Skipped++
		} else {
			pending = append(pending, i)
		}
	}
	prog := newTracker(len(indices), res.Skipped, opts.Progress)
	runErr := runPool(ctx, s, opts.OutDir, pending, opts.Workers, prog, func(r RunResult) error {
		if _, again := done[r.Run]; again {
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
// returns the runs its journal already holds for this campaign.
func prepareDir(dir string, s *scenarios.Scenario, hash string, part *Subset, force bool) (map[int]RunResult, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	if len(entries) > 0 {
		m, err := ReadManifest(dir)
		switch {
		case err == nil && m.ScenarioHash == hash && m.Subset.equal(part):
			done, err := readJournal(filepath.Join(dir, journalName), s)
			if err != nil {
				return nil, fmt.Errorf("output folder %s: %w", dir, err)
			}
			return done, nil
		case !force && err == nil && m.ScenarioHash == hash:
			return nil, fmt.Errorf("output folder %s holds %s of this campaign, not %s: choose another folder, or force to start afresh",
				dir, m.Subset.describe(), part.describe())
		case !force && err == nil:
			return nil, fmt.Errorf("output folder %s holds a different campaign (%s, scenario hash %.12s, not %.12s): choose another folder, or force to start afresh",
				dir, m.Name, m.ScenarioHash, hash)
		case !force:
			return nil, fmt.Errorf("output folder %s is not empty and holds no netsim campaign: choose another folder, or force to use it", dir)
		}
		for _, name := range outputFiles {
			if err := os.Remove(filepath.Join(dir, name)); err != nil && !os.IsNotExist(err) {
				return nil, fmt.Errorf("output folder %s: %w", dir, err)
			}
		}
		if err := os.RemoveAll(filepath.Join(dir, captureDir)); err != nil {
			return nil, fmt.Errorf("output folder %s: %w", dir, err)
		}
	}
	return map[int]RunResult{}, nil
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
	out, err := s.Kind.Run(ctx, p.Params, env)
	if err == nil && cr != nil {
		err = cr.write(dir, s, i)
	}
	if err != nil {
		return r, fmt.Errorf("run %d (point %d, replication %d): %w", i, r.Point, r.Replication, err)
	}
	r.Values, r.Samples, r.Series = out.Values, out.Samples, out.Series
	return r, nil
}
