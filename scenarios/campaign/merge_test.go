package campaign

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"netsim/scenarios/internal/testkinds"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runPart runs one part of the campaign text into dir.
func runPart(t *testing.T, text, dir string, part *Subset) *Result {
	t.Helper()
	res, err := Run(context.Background(), mustParse(t, text), RunOptions{OutDir: dir, Workers: 2, Subset: part})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// sameFiles fails unless dir holds the same bytes as want in each named file.
func sameFiles(t *testing.T, dir, want string, names ...string) {
	t.Helper()
	for _, name := range names {
		if !bytes.Equal(readFile(t, filepath.Join(dir, name)), readFile(t, filepath.Join(want, name))) {
			t.Errorf("%s differs from the unsharded run's:\n%s\nwant:\n%s", name, readFile(t, filepath.Join(dir, name)), readFile(t, filepath.Join(want, name)))
		}
	}
}

// Three shards of the campaign, merged, give the files of one unsharded run byte for
// byte; each shard holds its own runs only and no summary.
func TestShardsMerge(t *testing.T) {
	base := t.TempDir()
	whole := filepath.Join(base, "whole")
	runPart(t, campaign, whole, nil)
	wholeRuns := strings.SplitAfter(string(readFile(t, filepath.Join(whole, "runs.csv"))), "\n")

	var shards []string
	for i := 1; i <= 3; i++ {
		dir := filepath.Join(base, fmt.Sprintf("shard-%d-of-3", i))
		shards = append(shards, dir)
		res := runPart(t, campaign, dir, &Subset{Shard: i, Of: 3})
		if len(res.Runs) != 6 || res.Summary != nil {
			t.Errorf("shard %d: %d runs, summary %v", i, len(res.Runs), res.Summary)
		}
		// runs.csv: the header, then rows i−1, i−1+3, ... of the whole campaign's.
		want := wholeRuns[0]
		for r := i - 1; r < 18; r += 3 {
			want += wholeRuns[1+r]
		}
		if got := string(readFile(t, filepath.Join(dir, "runs.csv"))); got != want {
			t.Errorf("shard %d runs.csv:\n%s\nwant:\n%s", i, got, want)
		}
		for _, name := range []string{"summary.csv", "time.png", "time.csv"} {
			if _, err := os.Stat(filepath.Join(dir, name)); !os.IsNotExist(err) {
				t.Errorf("shard %d wrote %s", i, name)
			}
		}
		m, err := ReadManifest(dir)
		if err != nil || m.Subset == nil || m.Subset.Shard != i || m.Subset.Of != 3 || m.Runs != 18 || m.Finished == nil {
			t.Errorf("shard %d manifest: %+v, %v", i, m, err)
		}
	}

	merged := filepath.Join(base, "merged")
	res, err := Merge(shards, MergeOptions{OutDir: merged})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Runs) != 18 || len(res.Summary) != 6 {
		t.Errorf("merged %d runs, %d points", len(res.Runs), len(res.Summary))
	}
	sameFiles(t, merged, whole, "runs.csv", "summary.csv", "time.csv", "draws.csv", "time.svg", "draws.svg")
	m, err := ReadManifest(merged)
	if err != nil || m.Subset != nil || m.Runs != 18 || m.Finished == nil || m.ScenarioHash != res.Hash || m.Name != "campaign" {
		t.Errorf("merged manifest: %+v, %v", m, err)
	}
	// The merged folder is a finished campaign: running it again runs nothing.
	if again := runPart(t, campaign, merged, nil); again.Skipped != 18 {
		t.Errorf("re-run of the merged folder skipped %d runs, want 18", again.Skipped)
	}
	sameFiles(t, merged, whole, "runs.csv", "summary.csv")
}

// A shard of one is the whole campaign: it writes the summary and the plots too.
func TestShardOfOne(t *testing.T) {
	noPlots(t)
	base := t.TempDir()
	runPart(t, campaign, filepath.Join(base, "whole"), nil)
	res := runPart(t, campaign, filepath.Join(base, "one"), &Subset{Shard: 1, Of: 1})
	if len(res.Summary) != 6 {
		t.Errorf("summary of %d points, want 6", len(res.Summary))
	}
	sameFiles(t, filepath.Join(base, "one"), filepath.Join(base, "whole"), "runs.csv", "summary.csv")
}

// Runs held twice with the same values are fine; --run-index parts fill gaps.
func TestMergeDuplicatesAndRunIndices(t *testing.T) {
	noPlots(t)
	base := t.TempDir()
	whole := filepath.Join(base, "whole")
	runPart(t, campaign, whole, nil)
	// Shard 1/2 holds the even runs; the listed runs add the odd ones and two even ones.
	runPart(t, campaign, filepath.Join(base, "a"), &Subset{Shard: 1, Of: 2})
	runPart(t, campaign, filepath.Join(base, "b"), RunIndices([]int{1, 3, 5, 7, 9, 11, 13, 15, 17, 0, 16}))
	merged := filepath.Join(base, "merged")
	if _, err := Merge([]string{filepath.Join(base, "a"), filepath.Join(base, "b"), whole}, MergeOptions{OutDir: merged}); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, merged, whole, "runs.csv", "summary.csv")
}

func TestMergeErrors(t *testing.T) {
	noPlots(t)
	base := t.TempDir()
	s1 := filepath.Join(base, "s1")
	s2 := filepath.Join(base, "s2")
	runPart(t, campaign, s1, &Subset{Shard: 1, Of: 3})
	runPart(t, campaign, s2, &Subset{Shard: 2, Of: 3})
	other := filepath.Join(base, "other")
	runPart(t, strings.Replace(campaign, "seed: 42", "seed: 43", 1), other, &Subset{Shard: 3, Of: 3})
	hash := func(dir string) string {
		m, err := ReadManifest(dir)
		if err != nil {
			t.Fatal(err)
		}
		return m.ScenarioHash[:12]
	}
	out := filepath.Join(base, "out")

	// Runs 2, 5, 8, 11, 14 and 17 (shard 3/3) are missing.
	_, err := Merge([]string{s1, s2}, MergeOptions{OutDir: out})
	var missing *MissingRunsError
	want := "merge: 6 of 18 runs missing (run 2, 5, 8, 11, 14, ...) of shard 3/3; nothing written: run the missing runs (--run-index) or shards, and merge again with their folders"
	if err == nil || err.Error() != want || !errors.As(err, &missing) || len(missing.Missing) != 6 {
		t.Errorf("missing runs: %v\nwant: %s", err, want)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("merge with missing runs created %s", out)
	}

	_, err = Merge([]string{s1, other}, MergeOptions{OutDir: out})
	want = "merge: " + other + " holds a different campaign (campaign, scenario hash " + hash(other) + ") from " + s1 + " (campaign, scenario hash " + hash(s1) + ")"
	if err == nil || err.Error() != want {
		t.Errorf("different campaign: %v\nwant: %s", err, want)
	}

	_, err = Merge([]string{s1, filepath.Join(base, "nosuch")}, MergeOptions{OutDir: out})
	want = "merge: " + filepath.Join(base, "nosuch") + ": not a netsim output folder: open " + filepath.Join(base, "nosuch", "manifest.json") + ": no such file or directory"
	if err == nil || err.Error() != want {
		t.Errorf("no folder: %v\nwant: %s", err, want)
	}

	// Run 1 journaled with another value in a copy of shard 2.
	bad := filepath.Join(base, "bad")
	runPart(t, campaign, bad, &Subset{Shard: 2, Of: 3})
	jpath := filepath.Join(bad, journalName)
	sc := mustParse(t, campaign)
	scHash, _ := sc.Hash()
	got, problems, err := readJournal(jpath, sc, scHash)
	if err != nil || problems != nil {
		t.Fatal(err, problems)
	}
	r := got[1]
	old := r.Values["draw"]
	r.Values["draw"] = 0.25
	// A journal whose lines are each sound, but with another value of run 1.
	text, err := journalOf(got, scHash)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(jpath, text, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Merge([]string{s1, s2, bad}, MergeOptions{OutDir: out})
	want = "merge: run 1 differs between " + s2 + " and " + bad + ": draw is " + formatFloat(old) + " in one, 0.25 in the other"
	if err == nil || err.Error() != want {
		t.Errorf("conflict: %v\nwant: %s", err, want)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("failed merges created %s", out)
	}
}

// Each shard resumes in its own folder; a folder of another part is refused.
func TestShardResume(t *testing.T) {
	noPlots(t)
	dir := t.TempDir()
	part := &Subset{Shard: 2, Of: 3} // runs 1, 4, 7, 10, 13, 16
	testkinds.ToyHook = func(run int) error {
		if run == 7 {
			return errors.New("disk on fire")
		}
		return nil
	}
	_, err := Run(context.Background(), mustParse(t, campaign), RunOptions{OutDir: dir, Workers: 1, Subset: part})
	testkinds.ToyHook = nil
	if err == nil || !strings.HasPrefix(err.Error(), "campaign test.yaml: 2 of 6 runs done; the 2 finished runs are kept in ") {
		t.Fatalf("error = %v", err)
	}
	var ran []int
	testkinds.ToyHook = func(run int) error { ran = append(ran, run); return nil }
	defer func() { testkinds.ToyHook = nil }()
	res, err := Run(context.Background(), mustParse(t, campaign), RunOptions{OutDir: dir, Workers: 1, Subset: part})
	if err != nil || res.Skipped != 2 || len(res.Runs) != 6 {
		t.Fatalf("resume: %v, %+v", err, res)
	}
	if got := fmt.Sprint(ran); got != "[7 10 13 16]" {
		t.Errorf("resumed shard ran %s, want [7 10 13 16]", got)
	}
	_, err = Run(context.Background(), mustParse(t, campaign), RunOptions{OutDir: dir, Subset: &Subset{Shard: 1, Of: 3}})
	want := "output folder " + dir + " holds shard 2/3 of this campaign, not shard 1/3: choose another folder, or force to start afresh"
	if err == nil || err.Error() != want {
		t.Errorf("other shard: %v\nwant: %s", err, want)
	}
	_, err = Run(context.Background(), mustParse(t, campaign), RunOptions{OutDir: dir})
	want = "output folder " + dir + " holds shard 2/3 of this campaign, not the whole campaign: choose another folder, or force to start afresh"
	if err == nil || err.Error() != want {
		t.Errorf("whole campaign: %v\nwant: %s", err, want)
	}
	_, err = Run(context.Background(), mustParse(t, campaign), RunOptions{Subset: RunIndices([]int{18})})
	if err == nil || err.Error() != "campaign test.yaml: run index 18 is out of range: the campaign has 18 runs, 0 to 17" {
		t.Errorf("out of range: %v", err)
	}
}
