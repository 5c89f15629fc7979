package campaign

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"netsim/scenarios"
)

// Replot redraws the figures of the campaign in dir from its CSV files, without running
// anything: the campaign comes from manifest.json, the runs from runs.csv, samples.csv
// and series.csv. With plotsFile "" the figures are the manifest's, and come out byte
// for byte as the run drew them (the CSVs hold every number exactly); otherwise they
// are the plots of plotsFile (see Scenario.ReadPlots), after an edit of their labels or
// units or to add a figure. It returns the names of the figures drawn.
func Replot(dir, plotsFile string) ([]string, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, fmt.Errorf("plot: %s: not a netsim output folder: %w", dir, err)
	}
	s, err := scenarios.Parse(filepath.Join(dir, "manifest.json"), []byte(m.Scenario))
	if err != nil {
		return nil, fmt.Errorf("plot: %s: %w", dir, err)
	}
	if h, err := s.Hash(); err != nil || h != m.ScenarioHash {
		return nil, fmt.Errorf("plot: %s: the scenario in manifest.json does not match its scenario hash %.12s", dir, m.ScenarioHash)
	}
	if m.Subset != nil {
		return nil, fmt.Errorf("plot: %s holds %s of the campaign: merge the parts first (netsim merge)", dir, m.Subset)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, fmt.Errorf("plot: %w", err)
	}
	defer lock.release()
	if plotsFile != "" {
		data, err := scenarios.ReadFile(plotsFile)
		if err != nil {
			return nil, fmt.Errorf("plot: %w", err)
		}
		if s.Plots, err = s.ReadPlots(plotsFile, data); err != nil {
			return nil, err
		}
	}
	runs, err := readRunsCSV(dir, s)
	if err != nil {
		return nil, fmt.Errorf("plot: %w", err)
	}
	res := &Result{Dir: dir, Name: s.Name, Hash: m.ScenarioHash, Runs: runs, Summary: summarizeRuns(s, runs)}
	if err := writeFigures(dir, s, res); err != nil {
		return nil, fmt.Errorf("plot: %w", err)
	}
	var names []string
	for _, p := range s.Plots {
		names = append(names, p.Name)
	}
	return names, nil
}

// readRunsCSV reads the runs of s back from dir's runs.csv, samples.csv and series.csv,
// which must hold every run.
func readRunsCSV(dir string, s *scenarios.Scenario) ([]RunResult, error) {
	rows, err := readCSV(filepath.Join(dir, "runs.csv"))
	if err != nil {
		return nil, err
	}
	if len(rows) != s.NumRuns()+1 {
		return nil, fmt.Errorf("%s: %d runs, want the campaign's %d", filepath.Join(dir, "runs.csv"), max(len(rows)-1, 0), s.NumRuns())
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	runs := make([]RunResult, s.NumRuns())
	for i, row := range rows[1:] {
		r := newRunResult(s, i)
		if row[0] != strconv.Itoa(i) {
			return nil, fmt.Errorf("runs.csv: row %d is run %s, want %d", i+1, row[0], i)
		}
		if j, ok := col["status"]; ok {
			switch r.Status = row[j]; r.Status {
			case StatusOK:
			case StatusSimTime, StatusEvents, StatusWallTime:
				runs[i] = r // stopped at a limit: no values
				continue
			default:
				return nil, fmt.Errorf("runs.csv: run %d: unknown status %q", i, row[j])
			}
		}
		for _, m := range s.Kind.Metrics() {
			j, ok := col[m.Name]
			if !ok {
				return nil, fmt.Errorf("runs.csv: no column %s", m.Name)
			}
			v, err := parseValue(row[j])
			if err != nil {
				return nil, fmt.Errorf("runs.csv: run %d: %s: %w", i, m.Name, err)
			}
			r.Values[m.Name] = v
		}
		runs[i] = r
	}
	if len(s.Kind.Samples()) > 0 {
		if err := readRows(filepath.Join(dir, "samples.csv"), 3, runs, func(r *RunResult, row []string) error {
			v, err := strconv.ParseFloat(row[2], 64)
			if r.Samples == nil {
				r.Samples = map[string][]float64{}
			}
			r.Samples[row[1]] = append(r.Samples[row[1]], v)
			return err
		}); err != nil {
			return nil, err
		}
	}
	if len(s.Kind.Series()) > 0 {
		if err := readRows(filepath.Join(dir, "series.csv"), 4, runs, func(r *RunResult, row []string) error {
			t, err1 := strconv.ParseFloat(row[2], 64)
			v, err2 := strconv.ParseFloat(row[3], 64)
			if r.Series == nil {
				r.Series = map[string]scenarios.TimeSeries{}
			}
			ts := r.Series[row[1]]
			ts.Time, ts.Value = append(ts.Time, t), append(ts.Value, v)
			r.Series[row[1]] = ts
			if err1 != nil {
				return err1
			}
			return err2
		}); err != nil {
			return nil, err
		}
	}
	return runs, nil
}

// readRows hands each row of a samples.csv or series.csv to add with its run.
func readRows(path string, width int, runs []RunResult, add func(r *RunResult, row []string) error) error {
	rows, err := readCSV(path)
	if err != nil {
		return err
	}
	for i, row := range rows[min(1, len(rows)):] {
		run, err := strconv.Atoi(row[0])
		if err != nil || len(row) != width || run < 0 || run >= len(runs) {
			return fmt.Errorf("%s: row %d: not a run of the campaign", path, i+2)
		}
		if err := add(&runs[run], row); err != nil {
			return fmt.Errorf("%s: row %d: %w", path, i+2, err)
		}
	}
	return nil
}

func readCSV(path string) ([][]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rows, nil
}

// RunList is what `netsim runs` prints: a header and one row per run of s, with the
// run index (what --run-index takes), point, replication, seed, and the point's
// variant and values, as runs.csv will have them.
func RunList(s *scenarios.Scenario) [][]string {
	rows := [][]string{append([]string{"run", "point", "replication", "seed"}, labelColumns(s)...)}
	pts := describePoints(s)
	for i := range s.NumRuns() {
		r := newRunResult(s, i)
		row := []string{strconv.Itoa(i), strconv.Itoa(r.Point), strconv.Itoa(r.Replication), strconv.FormatUint(r.Seed, 10)}
		rows = append(rows, append(row, pts[r.Point].labels()...))
	}
	return rows
}

// parseValue reads a metric's cell of runs.csv: empty is a run without a value (NaN).
func parseValue(cell string) (float64, error) {
	if cell == "" {
		return math.NaN(), nil
	}
	return strconv.ParseFloat(cell, 64)
}
