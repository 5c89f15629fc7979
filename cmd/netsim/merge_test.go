package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A part of a campaign: the options the runner gets, the default folder, and the report,
// which has no means table (the folder holds no summary).
func TestRunPart(t *testing.T) {
	t.Chdir(t.TempDir())
	eng := &fakeEngine{
		scenarios: map[string]*fakeScenario{"cs": {name: "cs", runs: 8}},
		run: func(ctx context.Context, s scenario, opts runOptions) (runCounts, error) {
			writeFile(t, filepath.Join(opts.OutDir, "runs.csv"), "")
			writeFile(t, filepath.Join(opts.OutDir, "manifest.json"), "")
			return runCounts{Total: 3, Done: 3, Skipped: 1}, nil
		},
	}
	sep := string(filepath.Separator)
	code, stdout, stderr := exec(t, eng, "run", "cs", "--shard", "2/3", "-q")
	want := "cs: shard 2/3: 3 runs of 8 (1 already done, kept)\n" +
		"Results in " + filepath.Join("out", "cs-shard-2-of-3") + sep + ": manifest.json, runs.csv\n" +
		"This folder holds part of the campaign: when every part is done, join them with 'netsim merge -o OUT DIR...'.\n"
	if code != 0 || stdout != want || stderr != "" {
		t.Errorf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", code, stderr, stdout, want)
	}
	if o := eng.lastRun; o.Shard != 2 || o.Shards != 3 || o.RunIndices != nil {
		t.Errorf("run options %+v", o)
	}

	code, stdout, _ = exec(t, eng, "run", "cs", "--run-index", "5,2", "--run-index", "7", "--run-index", "2", "-q")
	if o := eng.lastRun; code != 0 || o.Shards != 0 || fmt.Sprint(o.RunIndices) != "[2 5 7]" || o.OutDir != filepath.Join("out", "cs-run-2_5_7") {
		t.Errorf("exit %d, run options %+v", code, o)
	}
	if first, _, _ := strings.Cut(stdout, "\n"); first != "cs: runs 2,5,7: 3 runs of 8 (1 already done, kept)" {
		t.Errorf("first line %q", first)
	}
	code, _, _ = exec(t, eng, "run", "cs", "--run-index", "4", "-q", "-o", "here")
	if o := eng.lastRun; code != 0 || o.OutDir != "here" || fmt.Sprint(o.RunIndices) != "[4]" {
		t.Errorf("exit %d, run options %+v", code, o)
	}
}

// campaignCLI runs netsim and fails the test unless it succeeds; it returns stdout.
func campaignCLI(t *testing.T, args ...string) string {
	t.Helper()
	code, stdout, stderr := exec(t, backend{}, args...)
	if code != 0 || stderr != "" {
		t.Fatalf("netsim %s: exit %d, stderr %q", strings.Join(args, " "), code, stderr)
	}
	return stdout
}

func sameFile(t *testing.T, got, want string) {
	t.Helper()
	g, err1 := os.ReadFile(got)
	w, err2 := os.ReadFile(want)
	if err1 != nil || err2 != nil || !bytes.Equal(g, w) {
		t.Errorf("%s differs from %s (%v, %v):\n%s\nwant:\n%s", got, want, err1, err2, g, w)
	}
}

// Three shards through the command line, merged, give the unsharded run's runs.csv and
// summary.csv byte for byte, and the same report.
func TestShardAndMergeCampaign(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "cs.yaml")
	writeFile(t, file, goodScenario)
	whole := filepath.Join(dir, "whole")
	wholeOut := campaignCLI(t, "run", file, "-o", whole, "-q")

	var shards []string
	for i := 1; i <= 3; i++ {
		shard := filepath.Join(dir, "shards", fmt.Sprint(i))
		shards = append(shards, shard)
		out := campaignCLI(t, "run", file, "--shard", fmt.Sprintf("%d/3", i), "-o", shard, "-q")
		if !strings.HasPrefix(out, fmt.Sprintf("cs: shard %d/3: 2 runs of 6\n", i)) {
			t.Errorf("shard %d:\n%s", i, out)
		}
	}
	sep := string(filepath.Separator)

	// Shard 3 missing: runs 2 and 5, named with the shard to run again.
	out := filepath.Join(dir, "merged")
	code, stdout, stderr := exec(t, backend{}, "merge", "-o", out, shards[0], shards[1])
	want := "netsim: merge: 2 of 6 runs missing (run 2, 5) of shard 3/3; nothing written: run the missing runs (--run-index) or shards, and merge again with their folders\n"
	if code != exitError || stdout != "" || stderr != want {
		t.Errorf("merge without shard 3: exit %d, stdout %q, stderr %q\nwant %q", code, stdout, stderr, want)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed merge created %s", out)
	}

	got := campaignCLI(t, append([]string{"merge", "-o", out}, shards...)...)
	wantOut := "cs: 6 runs merged from 3 folders\n" +
		"Results in " + out + sep + ": manifest.json, runs.csv, runs.jsonl, summary.csv, time.csv, time.png, time.svg\n"
	_, means, _ := strings.Cut(wholeOut, "time.svg\n")
	means = strings.Replace(means, whole, out, 1)
	if got != wantOut+means {
		t.Errorf("merge output:\n%s\nwant:\n%s", got, wantOut+means)
	}
	for _, name := range []string{"runs.csv", "summary.csv", "time.csv"} {
		sameFile(t, filepath.Join(out, name), filepath.Join(whole, name))
	}

	// A shard of another campaign (another seed) is refused, naming the folder.
	other := filepath.Join(dir, "other")
	campaignCLI(t, "run", file, "--seed", "7", "--shard", "3/3", "-o", other, "-q")
	code, _, stderr = exec(t, backend{}, "merge", "-o", filepath.Join(dir, "m2"), shards[0], shards[1], other)
	if code != exitError || !strings.HasPrefix(stderr, "netsim: merge: "+other+" holds a different campaign (cs, scenario hash ") {
		t.Errorf("other campaign: exit %d, stderr %q", code, stderr)
	}
}

// The built-in filedist scenario in three shards, merged, against one run.
func TestShardAndMergeFiledist(t *testing.T) {
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole")
	campaignCLI(t, "run", "filedist", "-o", whole, "-q")
	args := []string{"merge", "-o", filepath.Join(dir, "merged")}
	for i := 1; i <= 3; i++ {
		shard := filepath.Join(dir, "shards", fmt.Sprint(i))
		campaignCLI(t, "run", "filedist", "--shard", fmt.Sprintf("%d/3", i), "-o", shard, "-q", "-j", "1")
		args = append(args, shard)
	}
	if got := campaignCLI(t, args...); !strings.HasPrefix(got, "filedist: 70 runs merged from 3 folders\n") {
		t.Errorf("merge output:\n%s", got)
	}
	for _, name := range []string{"runs.csv", "summary.csv", "distribution-time.csv"} {
		sameFile(t, filepath.Join(dir, "merged", name), filepath.Join(whole, name))
	}
}
