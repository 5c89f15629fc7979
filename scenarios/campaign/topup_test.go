package campaign

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"netsim/scenarios/internal/testkinds"
)

// withReplications is the test campaign (6 points) with n replications.
func withReplications(n int) string {
	return strings.Replace(campaign, "replications: 3", fmt.Sprintf("replications: %d", n), 1)
}

// countRuns records the run indices the toy kind runs until the test ends.
func countRuns(t *testing.T) func() []int {
	var (
		mu  sync.Mutex
		ran []int
	)
	testkinds.ToyHook = func(run int) error {
		mu.Lock()
		defer mu.Unlock()
		ran = append(ran, run)
		return nil
	}
	t.Cleanup(func() { testkinds.ToyHook = nil })
	return func() []int {
		mu.Lock()
		defer mu.Unlock()
		out := slices.Clone(ran)
		ran = nil
		slices.Sort(out)
		return out
	}
}

// span is lo, lo+step, ... below hi.
func span(lo, hi, step int) []int {
	var out []int
	for i := lo; i < hi; i += step {
		out = append(out, i)
	}
	return out
}

// Raising replications from 3 to 5 and running into the same folder runs only the 2 new
// replications of each of the 6 points (runs 18 to 29, scenarios.RunIndex) and keeps the
// 18 old ones; the folder's files are then those of a fresh 5-replication campaign. This
// is the top-up OMNeT++ users ask for (omnetpp#97).
func TestTopUpReplications(t *testing.T) {
	noPlots(t)
	ran := countRuns(t)
	dir, fresh := t.TempDir(), t.TempDir()
	if _, err := Run(context.Background(), mustParse(t, withReplications(3)), RunOptions{OutDir: dir, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	if got := ran(); !slices.Equal(got, span(0, 18, 1)) {
		t.Fatalf("3 replications ran %v", got)
	}
	res, err := Run(context.Background(), mustParse(t, withReplications(5)), RunOptions{OutDir: dir, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got := ran(); res.Skipped != 18 || !slices.Equal(got, span(18, 30, 1)) {
		t.Errorf("topping up to 5 replications kept %d runs and ran %v, want 18 kept and runs 18 to 29", res.Skipped, got)
	}
	if _, err := Run(context.Background(), mustParse(t, withReplications(5)), RunOptions{OutDir: fresh, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, dir, fresh, "runs.csv", "summary.csv")
	if m, err := ReadManifest(dir); err != nil || m.Replications != 5 || m.Runs != 30 || m.Finished == nil {
		t.Errorf("manifest after the top-up: %+v, %v", m, err)
	}
}

// The same across shards: each shard folder topped up runs only its share of the new
// runs; merged while one shard is not yet topped up, the merge names exactly that
// shard's new runs; merged when both are, it gives the fresh campaign's files.
func TestTopUpShards(t *testing.T) {
	noPlots(t)
	ran := countRuns(t)
	base := t.TempDir()
	s1, s2 := filepath.Join(base, "shard-1-of-2"), filepath.Join(base, "shard-2-of-2")
	for _, d := range []struct {
		dir  string
		part *Subset
	}{{s1, &Subset{Shard: 1, Of: 2}}, {s2, &Subset{Shard: 2, Of: 2}}} {
		runPart(t, withReplications(3), d.dir, d.part)
	}
	ran()

	runPart(t, withReplications(5), s1, &Subset{Shard: 1, Of: 2})
	if got := ran(); !slices.Equal(got, span(18, 30, 2)) {
		t.Errorf("topping up shard 1/2 ran %v, want the even runs 18 to 28", got)
	}
	_, err := Merge([]string{s2, s1}, MergeOptions{OutDir: filepath.Join(base, "early")})
	var missing *MissingRunsError
	want := "merge: 6 of 30 runs missing (run 19, 21, 23, 25, 27, ...) of shard 2/2; nothing written: run the missing runs (--run-index) or shards, and merge again with their folders"
	if !errors.As(err, &missing) || err.Error() != want || !slices.Equal(missing.Missing, span(19, 30, 2)) {
		t.Errorf("merge before shard 2/2 is topped up: %v\nwant: %s", err, want)
	}

	runPart(t, withReplications(5), s2, &Subset{Shard: 2, Of: 2})
	if got := ran(); !slices.Equal(got, span(19, 30, 2)) {
		t.Errorf("topping up shard 2/2 ran %v, want the odd runs 19 to 29", got)
	}
	// The merge writes into the folder that holds the shards, as netsim slurm's does.
	if _, err := Merge([]string{s1, s2}, MergeOptions{OutDir: base}); err != nil {
		t.Fatal(err)
	}
	fresh := t.TempDir()
	if _, err := Run(context.Background(), mustParse(t, withReplications(5)), RunOptions{OutDir: fresh, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, base, fresh, "runs.csv", "summary.csv")
}
