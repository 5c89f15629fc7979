package campaign_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"netsim/scenarios"
	"netsim/scenarios/campaign"
)

// netsim plot: the figures redrawn from an output folder's CSVs are the run's, byte for
// byte (PNG, SVG and CSV), for figures of every type.
func TestReplotByteForByte(t *testing.T) {
	dir := t.TempDir()
	text := samplerCampaign + `  - name: mean
    x: rate
    y: mean_delay_s
    theory: [mean]
`
	s, err := scenarios.Parse("sampler.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := campaign.Run(context.Background(), s, campaign.RunOptions{OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{}
	for _, name := range []string{"cdf", "arrivals", "density", "mean"} {
		for _, ext := range []string{".png", ".svg", ".csv"} {
			f := filepath.Join(dir, name+ext)
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			want[f] = data
			os.Remove(f)
		}
	}
	names, err := campaign.Replot(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(names, " ") != "cdf arrivals density mean" {
		t.Errorf("drew %v", names)
	}
	for f, data := range want {
		got, err := os.ReadFile(f)
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("%s differs from the run's (%v)", filepath.Base(f), err)
		}
	}

	// A file of plots only: a new figure, checked against the campaign.
	plots := filepath.Join(t.TempDir(), "plots.yaml")
	os.WriteFile(plots, []byte("plots:\n  - name: sizes\n    type: histogram\n    y: size_bits\n    series: rate\n    bins: 4\n"), 0o644)
	if names, err := campaign.Replot(dir, plots); err != nil || strings.Join(names, " ") != "sizes" {
		t.Fatalf("replot with %s: %v, %v", plots, names, err)
	}
	// Every size is 1kB = 8000 bits: one bin holds all 200 per run.
	if csv, _ := os.ReadFile(filepath.Join(dir, "sizes.csv")); !strings.Contains(string(csv), "line,λ = 1,8000,200,,,\n") {
		t.Errorf("sizes.csv:\n%s", csv)
	}
	os.WriteFile(plots, []byte("plots:\n  - name: bad\n    type: cdf\n    y: mean_delay_s\n    series: rate\n"), 0o644)
	_, err = campaign.Replot(dir, plots)
	if want := plots + `:4: plots[0].y: "mean_delay_s" is a scalar metric, one value per run: plot it against a swept x (no type), or pick a sample set for cdf, pdf and histogram`; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("bad plot: %v\nwant %s", err, want)
	}
	os.WriteFile(plots, []byte(strings.Replace(text, "seed: 3", "seed: 4", 1)), 0o644)
	_, err = campaign.Replot(dir, plots)
	if err == nil || !strings.Contains(err.Error(), "describes other runs than the output folder's campaign") {
		t.Errorf("other campaign: %v", err)
	}
}

// netsim runs lists every run with the index --run-index takes, replication by
// replication (scenarios.RunIndex).
func TestRunList(t *testing.T) {
	s, err := scenarios.Parse("v.yaml", []byte("kind: ladder\nreplications: 2\nvariants:\n  a: {level: 1}\n  b: {level: 2}\n"))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, row := range campaign.RunList(s) {
		lines = append(lines, strings.Join(row, " "))
	}
	want := "run point replication seed variant level\n" +
		"0 0 0 " + seed(1, 0) + " a 1\n1 1 0 " + seed(1, 1) + " b 2\n2 0 1 " + seed(1, 2) + " a 1\n3 1 1 " + seed(1, 3) + " b 2"
	if got := strings.Join(lines, "\n"); got != want {
		t.Errorf("runs:\n%s\nwant:\n%s", got, want)
	}
}

func seed(master uint64, run int) string {
	return formatUint(scenarios.RunSeed(master, run))
}

func formatUint(u uint64) string { return strconv.FormatUint(u, 10) }
