package campaign

import (
	"fmt"
	"maps"
	"math"
	"netsim/scenarios"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// MergeOptions control Merge.
type MergeOptions struct {
	// OutDir is the folder to write, as Run would have written it.
	OutDir string
	// Force lets Merge write into a folder that holds another campaign or other files,
	// as RunOptions.Force does.
	Force bool
}

// MissingRunsError is Merge's error when the folders do not hold every run.
type MissingRunsError struct {
	Missing []int // sorted
	Total   int
	// Shards are the shards of Of that the missing runs belong to, sorted, when every
	// folder merged holds a shard of Of: the tasks of a job array to run again.
	Shards []int
	Of     int
}

// missingShown is how many missing run indices the message lists.
const missingShown = 5

func (e *MissingRunsError) Error() string {
	shown := e.Missing[:min(len(e.Missing), missingShown)]
	more := ""
	if len(e.Missing) > len(shown) {
		more = ", ..."
	}
	of := ""
	if len(e.Shards) > 0 {
		names := make([]string, len(e.Shards))
		for i, k := range e.Shards {
			names[i] = fmt.Sprintf("%d/%d", k, e.Of)
		}
		of = " of shard " + names[0]
		if len(names) > 1 {
			of = " of shards " + strings.Join(names, ", ")
		}
	}
	return fmt.Sprintf("%d of %d runs missing (run %s%s)%s; nothing written: run the missing runs (--run-index) or shards, and merge again with their folders",
		len(e.Missing), e.Total, joinInts(shown, ", "), more, of)
}

// Merge joins the output folders dirs, each written by Run with a Subset of one campaign
// (or with none), into opts.OutDir, as a single Run of the whole campaign would have
// written it: runs.csv and summary.csv byte for byte, the plots, manifest.json and the
// journal (in run order). Each folder's manifest says the campaign; its journal, the
// runs. The folders must hold the same campaign (the same scenario hash), no run may
// have different values in two folders (the same values twice are fine), and together
// they must hold every run: otherwise Merge writes nothing and returns an error, a
// *MissingRunsError when runs are missing.
func Merge(dirs []string, opts MergeOptions) (*Result, error) {
	if len(dirs) == 0 {
		return nil, fmt.Errorf("merge: no folders to merge")
	}
	dirs, shardsOf := mergeOrder(dirs)
	var (
		s       *scenarios.Scenario
		first   *Manifest
		started time.Time
		runs    = map[int]RunResult{}
		from    = map[int]string{} // run index -> the folder it was first read from
	)
	for _, dir := range dirs {
		m, err := ReadManifest(dir)
		if err != nil {
			return nil, fmt.Errorf("merge: %s: not a netsim output folder: %w", dir, err)
		}
		if first == nil {
			first = m
			started = m.Started
			if s, err = scenarios.Parse(filepath.Join(dir, "manifest.json"), []byte(m.Scenario)); err != nil {
				return nil, fmt.Errorf("merge: %s: %w", dir, err)
			}
			if h, err := s.Hash(); err != nil || h != m.ScenarioHash {
				return nil, fmt.Errorf("merge: %s: the scenario in manifest.json does not match its scenario hash %.12s", dir, m.ScenarioHash)
			}
		} else if m.ScenarioHash != first.ScenarioHash {
			return nil, fmt.Errorf("merge: %s holds a different campaign (%s, scenario hash %.12s) from %s (%s, scenario hash %.12s)",
				dir, m.Name, m.ScenarioHash, dirs[0], first.Name, first.ScenarioHash)
		}
		if m.Started.Before(started) {
			started = m.Started
		}
		got, problems, err := readJournal(filepath.Join(dir, journalName), s, first.ScenarioHash)
		if err != nil {
			return nil, fmt.Errorf("merge: %s: %w", dir, err)
		}
		if len(problems) > 0 {
			return nil, fmt.Errorf("merge: %s: its journal has lines that cannot be used; nothing written: run its part again there (it resumes, running those runs again), then merge:\n%w",
				dir, journalProblems(problems))
		}
		for _, i := range slices.Sorted(maps.Keys(got)) {
			r := got[i]
			if prev, ok := runs[i]; ok {
				if name, ok := differ(s, prev, r); ok {
					if _, isScalar := prev.Values[name]; !isScalar {
						return nil, fmt.Errorf("merge: run %d differs between %s and %s: its %s differ", i, from[i], dir, name)
					}
					return nil, fmt.Errorf("merge: run %d differs between %s and %s: %s is %s in one, %s in the other",
						i, from[i], dir, name, formatFloat(prev.Values[name]), formatFloat(r.Values[name]))
				}
				continue
			}
			runs[i] = r
			from[i] = dir
		}
	}

	total := s.NumRuns()
	var missing []int
	for i := range total {
		if _, ok := runs[i]; !ok {
			missing = append(missing, i)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("merge: %w", &MissingRunsError{Missing: missing, Total: total, Shards: shardsOfRuns(missing, shardsOf), Of: shardsOf})
	}

	res := &Result{Dir: opts.OutDir, Name: s.Name, Hash: first.ScenarioHash, Runs: make([]RunResult, total)}
	for i := range total {
		res.Runs[i] = runs[i]
	}
	res.Summary = summarizeRuns(s, res.Runs)
	lock, err := lockDir(opts.OutDir)
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	defer lock.release()
	if _, _, err := prepareDir(opts.OutDir, s, res.Hash, nil, opts.Force); err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	end := time.Now().UTC()
	manifest := &Manifest{
		NetsimVersion: Version, GoVersion: runtime.Version(), Kind: s.Kind.Name(), Name: s.Name,
		ScenarioHash: res.Hash, Seed: s.Seed, Points: s.NumPoints(), Replications: s.Replications,
		Runs: total, Started: started, Finished: &end, Scenario: first.Scenario,
	}
	if err := writeMerged(opts.OutDir, s, res, manifest); err != nil {
		return nil, fmt.Errorf("merge: output folder %s: %w", opts.OutDir, err)
	}
	return res, nil
}

// writeMerged writes the journal first and the manifest last, so that a merge cut short
// leaves a folder that `netsim run` resumes, and only a finished one has Finished set.
func writeMerged(dir string, s *scenarios.Scenario, res *Result, m *Manifest) error {
	runs := make(map[int]RunResult, len(res.Runs))
	for _, r := range res.Runs {
		runs[r.Run] = r
	}
	jl, err := journalOf(runs, res.Hash)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(dir, journalName), jl); err != nil {
		return err
	}
	if err := writeOutputs(dir, s, res); err != nil {
		return err
	}
	return writeManifest(dir, m)
}

// differ returns the first metric, in the kind's order, whose values in a and b are not
// the same float64 (NaN equals NaN: both came from the same formatting), or else the
// first sample set or time series that differs.
func differ(s *scenarios.Scenario, a, b RunResult) (string, bool) {
	for _, m := range s.Kind.Metrics() {
		if math.Float64bits(a.Values[m.Name]) != math.Float64bits(b.Values[m.Name]) {
			return m.Name, true
		}
	}
	for _, m := range s.Kind.Samples() {
		if !sameBits(a.Samples[m.Name], b.Samples[m.Name]) {
			return m.Name, true
		}
	}
	for _, m := range s.Kind.Series() {
		ta, tb := a.Series[m.Name], b.Series[m.Name]
		if !sameBits(ta.Time, tb.Time) || !sameBits(ta.Value, tb.Value) {
			return m.Name, true
		}
	}
	return "", false
}

func sameBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

// mergeOrder puts first the folder whose manifest has the most replications, so that
// Merge takes the campaign from it: the folders of a campaign topped up in some parts
// and not yet in others merge into the larger campaign, which names the runs still
// missing. It also returns n if every folder holds a shard of n, and 0 otherwise. A
// folder whose manifest cannot be read keeps its place, for Merge to report.
func mergeOrder(dirs []string) ([]string, int) {
	reps := make(map[string]int, len(dirs))
	of := -1
	for _, dir := range dirs {
		m, err := ReadManifest(dir)
		if err != nil {
			of = 0
			continue
		}
		reps[dir] = m.Replications
		switch {
		case m.Subset == nil || m.Subset.Of == 0 || (of >= 0 && m.Subset.Of != of):
			of = 0
		case of < 0:
			of = m.Subset.Of
		}
	}
	out := slices.Clone(dirs)
	slices.SortStableFunc(out, func(a, b string) int { return reps[b] - reps[a] })
	return out, max(of, 0)
}

// shardsOfRuns are the shards of n (1 to n) that hold the runs, sorted; nil if n is 0.
func shardsOfRuns(runs []int, n int) []int {
	if n == 0 {
		return nil
	}
	var out []int
	for _, i := range runs {
		out = append(out, i%n+1)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
