package campaign

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"math"
	"netsim/scenarios"
	"netsim/scenarios/internal/testkinds"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"netsim/plots"
)

// campaign is the toy campaign the tests share.
const campaign = testkinds.Campaign

func mustParse(t *testing.T, text string) *scenarios.Scenario {
	t.Helper()
	s, err := scenarios.Parse("test.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// noPlots replaces drawing by recording the figures, for the length of a test.
func noPlots(t *testing.T) map[string]plots.Figure {
	var mu sync.Mutex
	figs := map[string]plots.Figure{}
	old := savePlot
	savePlot = func(fig plots.Figure, base string) error {
		mu.Lock()
		defer mu.Unlock()
		figs[filepath.Base(base)] = fig
		return fig.Validate()
	}
	t.Cleanup(func() { savePlot = old })
	return figs
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestDeterministicAcrossWorkers(t *testing.T) {
	noPlots(t)
	var want []byte
	for _, workers := range []int{1, 2, 4} {
		dir := t.TempDir()
		res, err := Run(context.Background(), mustParse(t, campaign), RunOptions{OutDir: dir, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Runs) != 18 || res.Skipped != 0 {
			t.Fatalf("%d runs, %d skipped", len(res.Runs), res.Skipped)
		}
		got := readFile(t, filepath.Join(dir, "runs.csv"))
		got = append(got, readFile(t, filepath.Join(dir, "summary.csv"))...)
		if want == nil {
			want = got
		} else if !bytes.Equal(got, want) {
			t.Errorf("%d workers: output differs from 1 worker:\n%s\nwant\n%s", workers, got, want)
		}
	}
	lines := strings.Split(string(want), "\n")
	if lines[0] != "run,point,replication,seed,status,upload,file,time_s,draw" {
		t.Errorf("runs.csv header %q", lines[0])
	}
	if want := "4,4,0," + strconv.FormatUint(scenarios.RunSeed(42, 4), 10) + ",ok,2Mbps,4Mbit,"; !strings.HasPrefix(lines[5], want) {
		t.Errorf("runs.csv row 4 = %q, want prefix %q", lines[5], want)
	}
	if !strings.Contains(string(want), "point,upload,file,n,time_s_mean,time_s_sd,time_s_t_ci95_lo,time_s_t_ci95_hi,draw_mean,") {
		t.Errorf("no summary header in\n%s", want)
	}
}

func TestSeedChangesResults(t *testing.T) {
	a, err := Run(context.Background(), mustParse(t, "kind: toy\nseed: 1\n"), RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Run(context.Background(), mustParse(t, "kind: toy\nseed: 2\n"), RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Runs[0].Values["draw"] == b.Runs[0].Values["draw"] {
		t.Error("seeds 1 and 2 gave the same draw")
	}
}

func TestSummarize(t *testing.T) {
	// Sample 1..5: mean 3, sd √2.5, t(0.975, 4) = 2.776445 (any table of Student's t),
	// half width 2.776445·√2.5/√5 = 1.963243.
	st := summarize([]float64{1, 2, 3, 4, 5})
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"mean", st.Mean, 3},
		{"sd", st.SD, 1.5811388300841898},
		{"lo", st.Lo, 3 - 1.963243},
		{"hi", st.Hi, 3 + 1.963243},
	} {
		if math.Abs(c.got-c.want) > 1e-6 {
			t.Errorf("%s = %.9g, want %.9g", c.name, c.got, c.want)
		}
	}
	if st.N != 5 {
		t.Errorf("n = %d", st.N)
	}
	// Runs without a value (NaN: a page that did not load whole has no load time) are
	// left out and counted, not averaged in.
	if gaps := summarize([]float64{1, math.NaN(), 2, 3, math.NaN(), 4, 5}); gaps.N != 5 || gaps.Excluded != 2 || gaps.Mean != 3 || gaps.SD != st.SD {
		t.Errorf("with NaNs: %+v", gaps)
	}
}

func TestSummaryCSV(t *testing.T) {
	dir := t.TempDir()
	s := mustParse(t, "kind: ladder\nreplications: 5\nsweep:\n  level: [0, 2]\n")
	if _, err := Run(context.Background(), s, RunOptions{OutDir: dir, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(readFile(t, filepath.Join(dir, "summary.csv")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]float64{
		{0, 0, 5, 3, 1.5811388300841898, 1.036756838522443, 4.963243161477557},
		{1, 2, 5, 23, 1.5811388300841898, 21.036756838522443, 24.963243161477557},
	}
	if strings.Join(rows[0], ",") != "point,level,n,value_mean,value_sd,value_t_ci95_lo,value_t_ci95_hi" {
		t.Errorf("header %v", rows[0])
	}
	for i, w := range want {
		for j, cell := range rows[i+1] {
			v, _ := strconv.ParseFloat(cell, 64)
			if math.Abs(v-w[j]) > 1e-12 {
				t.Errorf("row %d column %s = %s, want %v", i, rows[0][j], cell, w[j])
			}
		}
	}
}

func TestResume(t *testing.T) {
	noPlots(t)
	dir := t.TempDir()
	testkinds.ToyHook = func(run int) error {
		if run == 7 {
			return errors.New("disk on fire")
		}
		return nil
	}
	_, err := Run(context.Background(), mustParse(t, campaign), RunOptions{OutDir: dir, Workers: 1})
	testkinds.ToyHook = nil
	if err == nil || !strings.Contains(err.Error(), "run 7 (point 1, replication 1): disk on fire") {
		t.Fatalf("error = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "runs.csv")); !os.IsNotExist(err) {
		t.Error("runs.csv written by an unfinished campaign")
	}
	journaled := strings.Count(string(readFile(t, filepath.Join(dir, journalName))), "\n")
	if journaled < 7 {
		t.Fatalf("journal holds %d runs, want at least runs 0-6", journaled)
	}

	var ran []int
	var mu sync.Mutex
	testkinds.ToyHook = func(run int) error {
		mu.Lock()
		ran = append(ran, run)
		mu.Unlock()
		return nil
	}
	defer func() { testkinds.ToyHook = nil }()
	res, err := Run(context.Background(), mustParse(t, campaign), RunOptions{OutDir: dir, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Skipped != journaled || len(ran) != 18-journaled {
		t.Errorf("skipped %d and ran %d, want %d and %d", res.Skipped, len(ran), journaled, 18-journaled)
	}
	for _, r := range ran {
		if r < 7 {
			t.Errorf("run %d ran again", r)
		}
	}
	fresh := t.TempDir()
	if _, err := Run(context.Background(), mustParse(t, campaign), RunOptions{OutDir: fresh}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, filepath.Join(dir, "runs.csv")), readFile(t, filepath.Join(fresh, "runs.csv"))) {
		t.Error("a resumed campaign's runs.csv differs from an uninterrupted one")
	}
	m, err := ReadManifest(dir)
	if err != nil || m.Finished == nil || m.Runs != 18 || m.Seed != 42 || m.ScenarioHash != res.Hash || m.NetsimVersion != Version {
		t.Errorf("manifest %+v, %v", m, err)
	}
}

func TestDifferentCampaignInFolder(t *testing.T) {
	noPlots(t)
	dir := t.TempDir()
	if _, err := Run(context.Background(), mustParse(t, campaign), RunOptions{OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	other := mustParse(t, strings.Replace(campaign, "seed: 42", "seed: 43", 1))
	_, err := Run(context.Background(), other, RunOptions{OutDir: dir})
	if err == nil || !strings.Contains(err.Error(), "holds a different campaign (campaign, scenario hash") {
		t.Fatalf("error = %v", err)
	}
	res, err := Run(context.Background(), other, RunOptions{OutDir: dir, Force: true})
	if err != nil || res.Skipped != 0 {
		t.Fatalf("forced: %v, skipped %v", err, res)
	}
	// Renaming a campaign or adding a plot changes no run: it resumes, skipping all.
	renamed := mustParse(t, strings.Replace(strings.Replace(campaign, "seed: 42", "seed: 43", 1), "name: campaign", "name: renamed", 1))
	res, err = Run(context.Background(), renamed, RunOptions{OutDir: dir})
	if err != nil || res.Skipped != 18 {
		t.Fatalf("renamed: %v, %+v", err, res)
	}
	foreign := t.TempDir()
	os.WriteFile(filepath.Join(foreign, "notes.txt"), []byte("mine"), 0o644)
	if _, err := Run(context.Background(), other, RunOptions{OutDir: foreign}); err == nil || !strings.Contains(err.Error(), "is not empty and holds no netsim campaign") {
		t.Errorf("error = %v", err)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	testkinds.ToyHook = func(run int) error {
		if run == 3 {
			cancel()
			return ctx.Err()
		}
		return nil
	}
	defer func() { testkinds.ToyHook = nil }()
	dir := t.TempDir()
	_, err := Run(ctx, mustParse(t, campaign), RunOptions{OutDir: dir, Workers: 1})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v", err)
	}
	if n := strings.Count(string(readFile(t, filepath.Join(dir, journalName))), "\n"); n != 3 {
		t.Errorf("journal holds %d runs, want 3", n)
	}
}

func TestProgress(t *testing.T) {
	var reports []CampaignProgress
	_, err := Run(context.Background(), mustParse(t, campaign), RunOptions{Workers: 2,
		Progress: func(p CampaignProgress) { reports = append(reports, p) }})
	if err != nil {
		t.Fatal(err)
	}
	last := reports[len(reports)-1]
	if last.Done != 18 || last.Total != 18 || len(last.Running) != 0 {
		t.Errorf("last report %+v", last)
	}
}

func TestFigures(t *testing.T) {
	figs := noPlots(t)
	if _, err := Run(context.Background(), mustParse(t, campaign), RunOptions{OutDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	fig := figs["time"]
	// Labels come from the kind's table: the parameter's and metric's names in words,
	// with their units.
	if len(fig.Points) != 2 || fig.Points[0].Label != "Upload = 1Mbps" || fig.Points[1].Label != "Upload = 2Mbps" {
		t.Fatalf("series %+v", fig.Points)
	}
	if got := fig.Points[1].X; len(got) != 3 || got[0] != 1e6 || got[2] != 8e6 {
		t.Errorf("x = %v", got)
	}
	if fig.XLabel != "File (bit)" || fig.YLabel != "Time (s)" || fig.Title != "campaign" {
		t.Errorf("labels %q %q %q", fig.XLabel, fig.YLabel, fig.Title)
	}
	if fig.Note != "mean of n = 3 runs, 95% CI (Student's t)" {
		t.Errorf("note %q", fig.Note)
	}
	// transfer = F/u depends on upload: one curve per upload, in its series' colour;
	// per_peer errs above 50 peers, never here. File is an integer (bits) with more
	// than 1000 values in range: 200 samples.
	if len(fig.Curves) != 4 {
		t.Fatalf("%d curves", len(fig.Curves))
	}
	c := fig.Curves[1]
	if c.Label != "F/u" || c.Of != "Upload = 2Mbps" || len(c.X) != 200 || c.X[0] != 1e6 || c.Y[0] != 0.5 || c.Y[199] != 4 {
		t.Errorf("curve %q of %q: %d points from (%v, %v) to (%v, %v)", c.Label, c.Of, len(c.X), c.X[0], c.Y[0], c.X[199], c.Y[199])
	}
	d := figs["draws"]
	if len(d.Points) != 2 || d.Points[0].Label != "Time" || d.Points[1].Label != "Draw" || len(d.Points[0].X) != 3 {
		t.Errorf("draws %+v", d.Points)
	}
}

func TestSampleX(t *testing.T) {
	if xs := sampleX(true, 2, 6, false); len(xs) != 5 || xs[0] != 2 || xs[4] != 6 {
		t.Errorf("integers 2..6: %v", xs)
	}
	xs := sampleX(false, 1, 1000, true)
	if len(xs) != 200 || xs[0] != 1 || xs[199] != 1000 || math.Abs(xs[100]/xs[99]-xs[1]/xs[0]) > 1e-9 {
		t.Errorf("log samples: %d from %v to %v", len(xs), xs[0], xs[len(xs)-1])
	}
	if xs := sampleX(true, 1, 1e6, true); xs[0] != 1 || xs[1] != 2 || xs[len(xs)-1] != 1e6 {
		t.Errorf("log integers: %v", xs[:3])
	}
}

func TestPlotFilesWritten(t *testing.T) {
	dir := t.TempDir()
	if _, err := Run(context.Background(), mustParse(t, campaign), RunOptions{OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"time.png", "time.svg", "time.csv", "draws.png", "manifest.json", "runs.jsonl", "runs.csv", "summary.csv"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

// xunit shows x in the unit asked: the points and the theory curves alike.
func TestFigureXUnit(t *testing.T) {
	figs := noPlots(t)
	s := mustParse(t, `kind: toy
sweep:
  upload: [1Mbps, 2Mbps]
plots:
  - name: p
    x: upload
    y: time_s
    theory: [transfer]
    xunit: Mbps
`)
	if _, err := Run(context.Background(), s, RunOptions{OutDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	fig := figs["p"]
	if got := fig.Points[0].X; len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Errorf("x = %v, want [1 2] (Mbps)", got)
	}
	c := fig.Curves[0]
	if c.X[0] != 1 || c.X[len(c.X)-1] != 2 || c.Y[0] != 8 {
		t.Errorf("curve from (%v, %v) to %v, want from (1, 8) to 2", c.X[0], c.Y[0], c.X[len(c.X)-1])
	}
	if fig.XLabel != "Upload (Mbps)" {
		t.Errorf("xlabel %q", fig.XLabel)
	}
}

// With variants, runs.csv and summary.csv name each point's variant and the values of
// the keys the variants set, before the swept keys.
func TestVariantColumns(t *testing.T) {
	dir := t.TempDir()
	s := mustParse(t, `kind: ladder
replications: 5
variants:
  low: {level: 1}
  high: {level: 3}
`)
	if _, err := Run(context.Background(), s, RunOptions{OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	runs := strings.Split(string(readFile(t, filepath.Join(dir, "runs.csv"))), "\n")
	if runs[0] != "run,point,replication,seed,status,variant,level,value" || !strings.HasPrefix(runs[6], "5,1,2,") || !strings.HasSuffix(runs[6], ",high,3,31") {
		t.Errorf("runs.csv:\n%s", strings.Join(runs, "\n"))
	}
	// Level 3: 30 + {1..5}, mean 33.
	sum := strings.Split(string(readFile(t, filepath.Join(dir, "summary.csv"))), "\n")
	if sum[0] != "point,variant,level,n,value_mean,value_sd,value_t_ci95_lo,value_t_ci95_hi" || !strings.HasPrefix(sum[2], "1,high,3,5,33,1.58113883008418") {
		t.Errorf("summary.csv:\n%s", strings.Join(sum, "\n"))
	}
}
