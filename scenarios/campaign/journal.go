package campaign

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strconv"

	"netsim/scenarios"
)

// The journal, runs.jsonl, records each run as it finishes, one JSON line fsynced per
// run, so that an interrupted campaign keeps what it did and a re-run skips it. Numbers
// are strings (strconv 'g' -1) so that NaN and ±Inf survive JSON exactly. A run's sample
// sets and time series travel with its values, so that a resumed or merged campaign
// writes the same samples.csv and series.csv.

const journalName = "runs.jsonl"

type journalLine struct {
	Run     int                    `json:"run"`
	Seed    uint64                 `json:"seed"`
	Values  map[string]string      `json:"values"`
	Samples map[string][]string    `json:"samples,omitempty"`
	Series  map[string][2][]string `json:"series,omitempty"` // times, values
}

func formatAll(xs []float64) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = strconv.FormatFloat(x, 'g', -1, 64)
	}
	return out
}

func parseAll(ss []string) ([]float64, bool) {
	out := make([]float64, len(ss))
	for i, s := range ss {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, false
		}
		out[i] = v
	}
	return out, true
}

// readJournal returns the runs recorded in path that belong to s: a line with a wrong
// seed or missing metric is ignored (and re-run), as is a last line cut short by a crash.
func readJournal(path string, s *scenarios.Scenario) (map[int]RunResult, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return map[int]RunResult{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	done := map[int]RunResult{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		var jl journalLine
		if json.Unmarshal(sc.Bytes(), &jl) != nil {
			continue
		}
		if jl.Run < 0 || jl.Run >= s.NumRuns() || jl.Seed != scenarios.RunSeed(s.Seed, jl.Run) {
			continue
		}
		r := newRunResult(s, jl.Run)
		ok := true
		for _, m := range s.Kind.Metrics() {
			text, have := jl.Values[m.Name]
			v, err := strconv.ParseFloat(text, 64)
			if !have || err != nil {
				ok = false
				break
			}
			r.Values[m.Name] = v
		}
		for _, m := range s.Kind.Samples() {
			xs, have := jl.Samples[m.Name]
			v, good := parseAll(xs)
			if !have || !good {
				ok = false
				break
			}
			if r.Samples == nil {
				r.Samples = map[string][]float64{}
			}
			r.Samples[m.Name] = v
		}
		for _, m := range s.Kind.Series() {
			ts, have := jl.Series[m.Name]
			t, good1 := parseAll(ts[0])
			v, good2 := parseAll(ts[1])
			if !have || !good1 || !good2 || len(t) != len(v) {
				ok = false
				break
			}
			if r.Series == nil {
				r.Series = map[string]scenarios.TimeSeries{}
			}
			r.Series[m.Name] = scenarios.TimeSeries{Time: t, Value: v}
		}
		if ok {
			done[jl.Run] = r
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return done, nil
}

func newJournalLine(r RunResult) journalLine {
	jl := journalLine{Run: r.Run, Seed: r.Seed, Values: map[string]string{}}
	for k, v := range r.Values {
		jl.Values[k] = strconv.FormatFloat(v, 'g', -1, 64)
	}
	for k, xs := range r.Samples {
		if jl.Samples == nil {
			jl.Samples = map[string][]string{}
		}
		jl.Samples[k] = formatAll(xs)
	}
	for k, ts := range r.Series {
		if jl.Series == nil {
			jl.Series = map[string][2][]string{}
		}
		jl.Series[k] = [2][]string{formatAll(ts.Time), formatAll(ts.Value)}
	}
	return jl
}

// journal appends finished runs to runs.jsonl.
type journal struct{ f *os.File }

func openJournal(path string) (*journal, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	// A line cut short by a crash is ended, so that it spoils no later line.
	if fi, err := f.Stat(); err == nil && fi.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, fi.Size()-1); err == nil && last[0] != '\n' {
			if _, err := f.Write([]byte{'\n'}); err != nil {
				f.Close()
				return nil, err
			}
		}
	}
	return &journal{f: f}, nil
}

// add writes one run and syncs it to disk before returning.
func (j *journal) add(r RunResult) error {
	line, err := json.Marshal(newJournalLine(r))
	if err != nil {
		return err
	}
	if _, err := j.f.Write(append(line, '\n')); err != nil {
		return err
	}
	return j.f.Sync()
}

func (j *journal) close() error { return j.f.Close() }
