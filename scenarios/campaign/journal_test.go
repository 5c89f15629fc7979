package campaign

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"netsim/scenarios/internal/testkinds"
)

// journalCampaign is 6 toy runs, each with its own draws.
const journalCampaign = `kind: toy
name: journal
seed: 5
replications: 2
sweep:
  file: [1Mbit, 4Mbit, 8Mbit]
`

// damaged runs journalCampaign into a folder, damages its journal with damage, and
// runs it again there. The damaged lines must each be reported in words, exactly as
// want says, their runs run again, and the folder end byte for byte as the first run
// left it; a third run then finds nothing wrong and runs nothing.
func damaged(t *testing.T, damage func(lines [][]byte) [][]byte, rerun int, want ...string) {
	t.Helper()
	noPlots(t)
	s := mustParse(t, journalCampaign)
	dir := t.TempDir()
	if _, err := Run(context.Background(), s, RunOptions{OutDir: dir, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	before := readFile(t, filepath.Join(dir, "runs.csv"))
	jpath := filepath.Join(dir, journalName)
	lines := bytes.SplitAfter(readFile(t, jpath), []byte("\n"))
	lines = lines[:len(lines)-1] // after the last newline
	if err := os.WriteFile(jpath, bytes.Join(damage(lines), nil), 0o644); err != nil {
		t.Fatal(err)
	}
	var got []string
	res, err := Run(context.Background(), s, RunOptions{OutDir: dir, Workers: 1, Warn: func(p JournalProblem) { got = append(got, p.String()) }})
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		want[i] = jpath + ":" + want[i]
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if ran := 6 - res.Skipped; ran != rerun {
		t.Errorf("%d runs run again, want %d", ran, rerun)
	}
	if after := readFile(t, filepath.Join(dir, "runs.csv")); !bytes.Equal(after, before) {
		t.Errorf("runs.csv changed:\n%s\nwas:\n%s", after, before)
	}
	got = nil
	res, err = Run(context.Background(), s, RunOptions{OutDir: dir, Workers: 1, Warn: func(p JournalProblem) { got = append(got, p.String()) }})
	if err != nil || res.Skipped != 6 || got != nil {
		t.Errorf("third run: %d skipped, problems %q, %v; want 6 and none", res.Skipped, got, err)
	}
}

// A value edited by hand no longer matches its line's checksum.
func TestJournalTamperedValue(t *testing.T) {
	damaged(t, func(lines [][]byte) [][]byte {
		i := bytes.Index(lines[2], []byte(`"draw":"0.`))
		lines[2][i+len(`"draw":"0.`)] ^= 1 // one digit of run 2's draw
		return lines
	}, 1, "3: run 2's checksum does not match its content (the line was edited or damaged, or comes from another campaign's journal): it will be run again")
}

// A run recorded twice, each line sound but with different values, is used from
// neither line; the same line twice is harmless.
func TestJournalConflictingDuplicate(t *testing.T) {
	s := mustParse(t, journalCampaign)
	hash, _ := s.Hash()
	damaged(t, func(lines [][]byte) [][]byte {
		r := newRunResult(s, 1)
		r.Values = map[string]float64{"time_s": 1, "draw": 0.5}
		other, err := encodeJournalLine(r, hash)
		if err != nil {
			t.Fatal(err)
		}
		return append(append(lines, lines[4]), other)
	}, 1, "8: run 1 is recorded again (first at line 2) with other values: neither line is used, and the run will be run again")
}

// A line cut short by a crash is skipped: at the end of the journal, or within it,
// where a later run was appended after it.
func TestJournalTornLines(t *testing.T) {
	damaged(t, func(lines [][]byte) [][]byte {
		lines[5] = lines[5][:40]
		return lines
	}, 1, "6: the last line is cut short (netsim was stopped while writing it): skipped")
	damaged(t, func(lines [][]byte) [][]byte {
		lines[1] = append(lines[1][:40:40], '\n')
		return lines
	}, 1, "2: not a journal line (invalid JSON at byte 40): skipped")
}

// A line longer than a journal line may be is read through without being held, and
// reported with its length; the folder stays usable.
func TestJournalOversizeLine(t *testing.T) {
	old := maxJournalLine
	maxJournalLine = 2000
	defer func() { maxJournalLine = old }()
	damaged(t, func(lines [][]byte) [][]byte {
		long := append(bytes.Repeat([]byte("x"), 5000), '\n')
		return append(append(lines[:3:3], long), lines[3:]...)
	}, 0, "4: a line of 5000 bytes, longer than the 2000 bytes a journal line may be: skipped")
}

// Lines without a checksum (by hand, or from an older netsim) are not trusted.
func TestJournalWithoutChecksum(t *testing.T) {
	damaged(t, func(lines [][]byte) [][]byte {
		i := bytes.Index(lines[0], []byte(`,"sum":"`))
		lines[0] = append(lines[0][:i:i], []byte("}\n")...)
		return lines
	}, 1, "1: run 0 has no checksum (written by hand, or by an older netsim): it will be run again")
}

// A merge cannot run anything again: a journal it cannot use is an error naming each
// line, and nothing is written.
func TestMergeRefusesDamagedJournal(t *testing.T) {
	noPlots(t)
	base := t.TempDir()
	s1, s2 := filepath.Join(base, "s1"), filepath.Join(base, "s2")
	runPart(t, journalCampaign, s1, &Subset{Shard: 1, Of: 2})
	runPart(t, journalCampaign, s2, &Subset{Shard: 2, Of: 2})
	jpath := filepath.Join(s2, journalName)
	data := readFile(t, jpath)
	// A space between fields is no change of content, and not reported; a digit is.
	data = bytes.Replace(data, []byte(`"seed":`), []byte(`"seed": `), 1)
	start := bytes.Index(data, []byte(`{"run":1,`)) // the shard's runs finish in any order
	i := start + bytes.Index(data[start:], []byte(`"draw":"0.`)) + len(`"draw":"0.`)
	data[i] ^= 1
	line := 1 + bytes.Count(data[:start], []byte("\n"))
	if err := os.WriteFile(jpath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(base, "out")
	_, err := Merge([]string{s1, s2}, MergeOptions{OutDir: out})
	want := "merge: " + s2 + ": its journal has lines that cannot be used; nothing written: run its part again there (it resumes, running those runs again), then merge:\n" +
		jpath + ":" + strconv.Itoa(line) + ": run 1's checksum does not match its content (the line was edited or damaged, or comes from another campaign's journal): it will be run again"
	if err == nil || err.Error() != want {
		t.Errorf("merge: %v\nwant: %s", err, want)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("the failed merge created %s", out)
	}
}

// Two campaigns cannot run into one folder at once: the second is refused, saying
// who holds it, and the first's journal and results are its own.
func TestConcurrentWriters(t *testing.T) {
	noPlots(t)
	dir := t.TempDir()
	started, release := make(chan struct{}), make(chan struct{})
	testkinds.ToyHook = func(run int) error {
		if run == 0 {
			close(started)
			<-release
		}
		return nil
	}
	defer func() { testkinds.ToyHook = nil }()
	first := make(chan error)
	go func() {
		_, err := Run(context.Background(), mustParse(t, journalCampaign), RunOptions{OutDir: dir, Workers: 1})
		first <- err
	}()
	<-started
	_, err := Run(context.Background(), mustParse(t, journalCampaign), RunOptions{OutDir: dir, Workers: 1})
	prefix := "output folder " + dir + " is in use by another netsim (process " + strconv.Itoa(os.Getpid()) + ", since "
	suffix := " UTC): wait for it to end, or choose another folder"
	if err == nil || !strings.HasPrefix(err.Error(), prefix) || !strings.HasSuffix(err.Error(), suffix) {
		t.Errorf("second writer: %v\nwant %s...%s", err, prefix, suffix)
	}
	if _, err := Replot(dir, ""); err == nil || !strings.HasPrefix(err.Error(), "plot: "+prefix) {
		t.Errorf("redrawing the folder's figures: %v, want it refused as in use", err)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(readFile(t, filepath.Join(dir, journalName)), []byte("\n")); n != 6 {
		t.Errorf("journal of %d lines, want the first campaign's 6", n)
	}
	// The lock dies with its holder's Run: the folder resumes.
	res, err := Run(context.Background(), mustParse(t, journalCampaign), RunOptions{OutDir: dir, Workers: 1})
	if err != nil || res.Skipped != 6 {
		t.Errorf("after the first: %v, %d skipped", err, res.Skipped)
	}
}
