package campaign

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"

	"netsim/scenarios"
)

// The journal, runs.jsonl, records each run as it finishes, one JSON line fsynced per
// run, so that an interrupted campaign keeps what it did and a re-run skips it. Numbers
// are strings (strconv 'g' -1) so that NaN and ±Inf survive JSON exactly. A run's sample
// sets and time series travel with its values, so that a resumed or merged campaign
// writes the same samples.csv and series.csv.
//
// The journal cannot lie: each line carries a checksum of its content and of its
// run's identity (the campaign's scenario hash, which with the run index fixes the
// seed), so that a hand-edited value, a damaged line or a line copied from another
// campaign is found, said in words, and not used; a run recorded twice with different
// values is used from neither line; a line cut short by a crash, or one too long to be
// read back, is skipped. Those runs are run again.

const journalName = "runs.jsonl"

// maxJournalLine is the longest journal line read back; a longer one is skipped
// without being held in memory. It is the same bound a run's line is written under. A
// variable, so that tests can lower it.
var maxJournalLine = 256 << 20

type journalLine struct {
	Run     int                    `json:"run"`
	Seed    uint64                 `json:"seed"`
	Status  string                 `json:"status"`
	Values  map[string]string      `json:"values"`
	Samples map[string][]string    `json:"samples,omitempty"`
	Series  map[string][2][]string `json:"series,omitempty"` // times, values
	// Sum is the checksum: the first 128 bits, in hex, of the SHA-256 of the campaign's
	// scenario hash, a newline and the line's JSON without Sum.
	Sum string `json:"sum"`
}

// checksum is the Sum of jl in the campaign of scenario hash.
func (jl journalLine) checksum(hash string) (string, error) {
	jl.Sum = ""
	content, err := json.Marshal(jl)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write([]byte(hash))
	h.Write([]byte{'\n'})
	h.Write(content)
	return hex.EncodeToString(h.Sum(nil)[:16]), nil
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

// JournalProblem is a line of a journal that is not used, and why.
type JournalProblem struct {
	Path   string
	Line   int // 1-based
	Reason string
}

func (p JournalProblem) String() string { return fmt.Sprintf("%s:%d: %s", p.Path, p.Line, p.Reason) }

// journalProblems is the error of a journal a merge cannot use as it is.
type journalProblems []JournalProblem

func (ps journalProblems) Error() string {
	var b bytes.Buffer
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i == maxProblemsShown {
			fmt.Fprintf(&b, "... and %d more", len(ps)-maxProblemsShown)
			break
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// maxProblemsShown is how many journal problems a message lists.
const maxProblemsShown = 10

// readJournal returns the runs recorded in path that belong to s (of scenario hash),
// by run index, and every line it does not use, with the reason. A missing journal is
// an empty one.
func readJournal(path string, s *scenarios.Scenario, hash string) (map[int]RunResult, []JournalProblem, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return map[int]RunResult{}, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	type seen struct {
		line    int
		sum     string
		status  string
		ignored bool // recorded twice with different values: used from neither line
	}
	var (
		done     = map[int]RunResult{}
		first    = map[int]*seen{}
		problems []JournalProblem
	)
	problem := func(line int, format string, args ...any) {
		problems = append(problems, JournalProblem{Path: path, Line: line, Reason: fmt.Sprintf(format, args...)})
	}
	rd := bufio.NewReaderSize(f, 64<<10)
	for n := 1; ; n++ {
		text, length, ended, err := readLine(rd, maxJournalLine)
		if err != nil {
			return nil, nil, fmt.Errorf("reading %s: %w", path, err)
		}
		if length == 0 && !ended {
			break // the end of the file
		}
		switch {
		case text == nil:
			problem(n, "a line of %s, longer than the %s a journal line may be: skipped", megabytes(length), megabytes(int64(maxJournalLine)))
			continue
		case len(bytes.TrimSpace(text)) == 0:
			continue
		}
		var jl journalLine
		if err := json.Unmarshal(text, &jl); err != nil {
			if !ended {
				problem(n, "the last line is cut short (netsim was stopped while writing it): skipped")
			} else {
				problem(n, "not a journal line (%s): skipped", jsonReason(err))
			}
			continue
		}
		want, err := jl.checksum(hash)
		switch {
		case err != nil:
			problem(n, "run %d: %v: skipped", jl.Run, err)
			continue
		case jl.Sum == "":
			problem(n, "run %d has no checksum (written by hand, or by an older netsim): it will be run again", jl.Run)
			continue
		case jl.Sum != want:
			problem(n, "run %d's checksum does not match its content (the line was edited or damaged, or comes from another campaign's journal): it will be run again", jl.Run)
			continue
		}
		r, reason := runOfLine(s, jl)
		if reason != "" {
			problem(n, "run %d: %s: it will be run again", jl.Run, reason)
			continue
		}
		prev := first[jl.Run]
		switch {
		case prev == nil:
			first[jl.Run] = &seen{line: n, sum: jl.Sum, status: jl.Status}
			done[jl.Run] = r
		case prev.ignored:
		case prev.sum == jl.Sum:
			// The same run, recorded the same way twice (merged journals): harmless.
		case prev.status == StatusWallTime:
			// A run the wall-time limit stopped is run again on resume: the later line
			// is its new result.
			*prev = seen{line: n, sum: jl.Sum, status: jl.Status}
			done[jl.Run] = r
		default:
			problem(n, "run %d is recorded again (first at line %d) with other values: neither line is used, and the run will be run again", jl.Run, prev.line)
			prev.ignored = true
			delete(done, jl.Run)
		}
	}
	return done, problems, nil
}

// runOfLine turns a journal line whose checksum holds into the run it records, or
// says why it cannot be used.
func runOfLine(s *scenarios.Scenario, jl journalLine) (RunResult, string) {
	if jl.Run < 0 || jl.Run >= s.NumRuns() {
		return RunResult{}, fmt.Sprintf("out of range: the campaign has %d runs", s.NumRuns())
	}
	if jl.Seed != scenarios.RunSeed(s.Seed, jl.Run) {
		return RunResult{}, "its seed is not the run's"
	}
	r := newRunResult(s, jl.Run)
	switch jl.Status {
	case StatusOK:
	case StatusSimTime, StatusEvents, StatusWallTime:
		r.Status = jl.Status
		return r, ""
	default:
		return RunResult{}, fmt.Sprintf("unknown status %q", jl.Status)
	}
	for _, m := range s.Kind.Metrics() {
		text, have := jl.Values[m.Name]
		v, err := strconv.ParseFloat(text, 64)
		if !have || err != nil {
			return RunResult{}, "no value for metric " + m.Name
		}
		r.Values[m.Name] = v
	}
	for _, m := range s.Kind.Samples() {
		xs, have := jl.Samples[m.Name]
		v, good := parseAll(xs)
		if !have || !good {
			return RunResult{}, "no sample set " + m.Name
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
			return RunResult{}, "no time series " + m.Name
		}
		if r.Series == nil {
			r.Series = map[string]scenarios.TimeSeries{}
		}
		r.Series[m.Name] = scenarios.TimeSeries{Time: t, Value: v}
	}
	return r, ""
}

// readLine reads one line of rd without its newline, holding at most max bytes of it:
// a longer line is read through and returned as nil, with its length. ended is false
// for a last line without a newline, and for the end of the file (then length is 0).
func readLine(rd *bufio.Reader, max int) (line []byte, length int64, ended bool, err error) {
	var buf []byte
	keep := true
	for {
		chunk, err := rd.ReadSlice('\n')
		length += int64(len(chunk))
		if keep = keep && length <= int64(max)+1; keep {
			buf = append(buf, chunk...)
		} else {
			buf = nil
		}
		switch {
		case err == nil: // a whole line, its newline last
			if !keep {
				return nil, length - 1, true, nil
			}
			return buf[:len(buf)-1], length - 1, true, nil
		case errors.Is(err, bufio.ErrBufferFull):
		case errors.Is(err, io.EOF):
			if length == 0 || !keep || length > int64(max) {
				return nil, length, false, nil
			}
			return buf, length, false, nil
		default:
			return nil, length, false, err
		}
	}
}

// megabytes is a size in words: bytes below a mebibyte, MiB above.
func megabytes(n int64) string {
	if n < 1<<20 {
		return strconv.FormatInt(n, 10) + " bytes"
	}
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
}

// jsonReason is a JSON error in words, without the package's prefix.
func jsonReason(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("invalid JSON at byte %d", se.Offset)
	}
	return "its fields are not a run's"
}

// newJournalLine is the journal line of run r in the campaign of scenario hash.
func newJournalLine(r RunResult, hash string) (journalLine, error) {
	jl := journalLine{Run: r.Run, Seed: r.Seed, Status: r.Status, Values: map[string]string{}}
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
	var err error
	jl.Sum, err = jl.checksum(hash)
	return jl, err
}

// encodeJournalLine is run r's line of the journal, newline included.
func encodeJournalLine(r RunResult, hash string) ([]byte, error) {
	jl, err := newJournalLine(r, hash)
	if err != nil {
		return nil, err
	}
	line, err := json.Marshal(jl)
	if err != nil {
		return nil, err
	}
	if len(line) > maxJournalLine {
		return nil, fmt.Errorf("run %d's results make a journal line of %s, over the %s netsim reads back", r.Run, megabytes(int64(len(line))), megabytes(int64(maxJournalLine)))
	}
	return append(line, '\n'), nil
}

// journalOf is the text of a journal holding runs, in run order.
func journalOf(runs map[int]RunResult, hash string) ([]byte, error) {
	idx := make([]int, 0, len(runs))
	for i := range runs {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	var b bytes.Buffer
	for _, i := range idx {
		line, err := encodeJournalLine(runs[i], hash)
		if err != nil {
			return nil, err
		}
		b.Write(line)
	}
	return b.Bytes(), nil
}

// journal appends finished runs to runs.jsonl.
type journal struct {
	f    *os.File
	hash string
}

func openJournal(path, hash string) (*journal, error) {
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
	return &journal{f: f, hash: hash}, nil
}

// add writes one run and syncs it to disk before returning.
func (j *journal) add(r RunResult) error {
	line, err := encodeJournalLine(r, j.hash)
	if err != nil {
		return err
	}
	if _, err := j.f.Write(line); err != nil {
		return err
	}
	return j.f.Sync()
}

func (j *journal) close() error { return j.f.Close() }
