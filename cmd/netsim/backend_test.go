package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"netsim/scenarios"
)

// clitest is a scenario kind for these tests only: one run's "time" is N·F/us exactly,
// the client-server bound with unconstrained downloads, so the printed means are known.
type cliParams struct {
	Peers int     `yaml:"peers" default:"1" range:"[1,)" help:"number of peers, at least 1"`
	FileS float64 `yaml:"file_s" default:"500" unit:"s" help:"time to upload the file once, in seconds"`
}

var _ = scenarios.Register(scenarios.Decl[cliParams, float64]{
	Name:    "clitest",
	Summary: "a kind for cmd/netsim's tests",
	Run: func(ctx context.Context, p *cliParams, env scenarios.RunEnv) (float64, error) {
		if p.Peers == 99 {
			return 0, errors.New("peers 99 always fails")
		}
		return float64(p.Peers) * p.FileS, nil
	},
	Metrics: []scenarios.Reading[float64]{
		scenarios.Scalar("time_s", "s", "distribution time", func(t *float64) float64 { return *t }),
	},
	Theory: []scenarios.TheoryOf[cliParams]{{Name: "d_cs", Label: "D_cs", Metric: "time_s", Value: func(p *cliParams) (float64, error) {
		return float64(p.Peers) * p.FileS, nil
	}}},
})

const goodScenario = `kind: clitest
name: cs
replications: 2
params:
  file_s: 500
sweep:
  peers: [1, 10, 30]
plots:
  - name: time
    x: peers
    y: time_s
    theory: [d_cs]
`

func TestValidateFiles(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	writeFile(t, good, goodScenario)
	writeFile(t, bad, "kind: clitest\nparams:\n  peers: 0\n  color: red\n")

	code, stdout, stderr := exec(t, backend{}, "validate", good)
	if code != 0 || stdout != good+": ok (6 runs)\n" || stderr != "" {
		t.Errorf("validate good: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}

	code, stdout, stderr = exec(t, backend{}, "validate", good, bad, filepath.Join(dir, "missing.yaml"))
	if code != exitError || stdout != good+": ok (6 runs)\n" {
		t.Errorf("validate good bad missing: exit %d, stdout %q", code, stdout)
	}
	// Every problem, each at its line, then a count.
	for _, want := range []string{
		bad + `:4: params.color: unknown key`,
		"    4 |   color: red\n",
		filepath.Join(dir, "missing.yaml") + ": ",
		"netsim: 2 of 3 files invalid\n",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("validate stderr lacks %q:\n%s", want, stderr)
		}
	}
	if !strings.HasPrefix(stderr, bad+":") {
		t.Errorf("validate stderr does not start with the bad file's name:\n%s", stderr)
	}
}

func TestShowConfigResolved(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "cs.yaml")
	writeFile(t, file, goodScenario)
	code, stdout, stderr := exec(t, backend{}, "show-config", file, "--seed", "42", "--set", "file_s=250")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{"kind: clitest\n", "seed: 42\n", "file_s: 250\n", "peers:"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("show-config output lacks %q:\n%s", want, stdout)
		}
	}
	// What show-config prints is a scenario that validates.
	resolved := filepath.Join(dir, "resolved.yaml")
	writeFile(t, resolved, stdout)
	if code, stdout, stderr := exec(t, backend{}, "validate", resolved); code != 0 {
		t.Errorf("validate the resolved scenario: exit %d, %s%s", code, stdout, stderr)
	}
}

// A whole campaign through the real runner: outputs, the means table, and a second run
// into the same folder that finds every run done.
func TestRunCampaign(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "cs.yaml")
	writeFile(t, file, goodScenario)
	out := filepath.Join(dir, "out")

	code, stdout, stderr := exec(t, backend{}, "run", file, "-o", out, "-q", "-j", "2")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s", code, stderr, stdout)
	}
	for _, f := range []string{"manifest.json", "runs.csv", "summary.csv", "time.png", "time.svg", "time.csv"} {
		if info, err := os.Stat(filepath.Join(out, f)); err != nil || info.Size() == 0 {
			t.Errorf("%s: missing or empty (%v)", f, err)
		}
	}
	// D_cs = N·F/us with F/us = 500 s: 500, 5000 and 15000 s.
	for _, want := range []string{
		"cs: 6 runs\n",
		"\n  point  peers  time_s_mean\n      0      1          500\n      1     10         5000\n      2     30        15000\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("run output lacks %q:\n%s", want, stdout)
		}
	}

	code, stdout, _ = exec(t, backend{}, "run", file, "-o", out, "-q")
	if code != 0 || !strings.HasPrefix(stdout, "cs: 6 runs (6 already done, kept)\n") {
		t.Errorf("second run: exit %d, stdout:\n%s", code, stdout)
	}
}

func TestRunCampaignFailure(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "cs.yaml")
	writeFile(t, file, goodScenario)
	code, stdout, stderr := exec(t, backend{}, "run", file, "-o", filepath.Join(dir, "out"), "-q", "--set", "peers=99")
	if code != exitError || stdout != "" || !strings.HasPrefix(stderr, "netsim: ") || !strings.Contains(stderr, "peers 99 always fails") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
