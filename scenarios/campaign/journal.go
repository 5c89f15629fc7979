package campaign

import (
	"bufio"
	"encoding/json"
	"fmt"
	"netsim/scenarios"
	"os"
	"strconv"
)

// The journal, runs.jsonl, records each run as it finishes, one JSON line fsynced per
// run, so that an interrupted campaign keeps what it did and a re-run skips it. scenarios.Values
// are strings (strconv 'g' -1) so that NaN and ±Inf survive JSON exactly.

const journalName = "runs.jsonl"

type journalLine struct {
	Run    int               `json:"run"`
	Seed   uint64            `json:"seed"`
	Values map[string]string `json:"values"`
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
