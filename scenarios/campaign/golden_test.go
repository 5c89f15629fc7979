package campaign_test

import (
	"context"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"gonum.org/v1/plot/cmpimg"

	"netsim/scenarios"
	"netsim/scenarios/campaign"
)

// The cdf and timeseries figures against their golden images, as gonum/plot tests its
// own: the Example writes testdata/NAME.png, compared with testdata/NAME_golden.png;
// go test -regen rewrites the golden files (look at them before committing).
func TestCDFGolden(t *testing.T)        { cmpimg.CheckPlot(Example_cdf, t, "cdf.png") }
func TestTimeSeriesGolden(t *testing.T) { cmpimg.CheckPlot(Example_timeseries, t, "arrivals.png") }

// figureRows reads a figure's CSV: label → rows of x, y, ylo, yhi.
func figureRows(t *testing.T, path string) map[string][][4]float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][][4]float64{}
	for _, r := range rows[1:] {
		var v [4]float64
		for i := range v {
			v[i], _ = strconv.ParseFloat(r[2+i], 64)
		}
		out[r[1]] = append(out[r[1]], v)
	}
	return out
}

// The pooled samples are exponential of rate λ: the true CDF 1 − e^(−λx) lies inside the
// DKW band at every step (which the band promises with probability 95%; this seed is one
// where it holds), the steps rise by 1/800, and the band is ±0.0480. The arrivals'
// mean at t is λt (a Poisson process), inside the 95% band at t = 10 s. The density's
// area is 1.
func TestSampleFigures(t *testing.T) {
	dir := t.TempDir()
	s, err := scenarios.Parse("sampler.yaml", []byte(samplerCampaign))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := campaign.Run(context.Background(), s, campaign.RunOptions{OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	eps := math.Sqrt(math.Log(40) / 1600)
	for label, rate := range map[string]float64{"λ = 1": 1, "λ = 2": 2} {
		steps := figureRows(t, filepath.Join(dir, "cdf.csv"))[label]
		if len(steps) != 800 {
			t.Fatalf("%s: %d steps, want 800 (no ties among exponential draws)", label, len(steps))
		}
		for i, st := range steps {
			truth := 1 - math.Exp(-rate*st[0])
			if st[1] != float64(i+1)/800 || truth < st[2] || truth > st[3] {
				t.Fatalf("%s step %d: %v, true CDF %g", label, i, st, truth)
			}
			if math.Abs(st[3]-math.Min(st[1]+eps, 1)) > 1e-12 || math.Abs(st[2]-math.Max(st[1]-eps, 0)) > 1e-12 {
				t.Fatalf("%s step %d: band %v, want ±%g", label, i, st, eps)
			}
		}
		series := figureRows(t, filepath.Join(dir, "arrivals.csv"))[label]
		if len(series) != 11 || series[10][0] != 10 {
			t.Fatalf("%s: %d times, want 0..10 s", label, len(series))
		}
		if at10 := series[10]; 10*rate < at10[2] || 10*rate > at10[3] {
			t.Errorf("%s: mean arrivals at 10 s %v, want λt = %g inside the band", label, at10, 10*rate)
		}
		bins := figureRows(t, filepath.Join(dir, "density.csv"))[label]
		area := 0.0
		for i := 0; i+1 < len(bins); i++ {
			area += bins[i][1] * (bins[i+1][0] - bins[i][0])
		}
		if len(bins) != 11 || math.Abs(area-1) > 1e-12 {
			t.Errorf("%s: %d bin edges, area %g; want 11 and 1", label, len(bins), area)
		}
	}
	for _, name := range []string{"samples.csv", "series.csv"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
}
