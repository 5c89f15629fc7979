package campaign

import (
	"fmt"
	"math"
	"reflect"
	"sort"

	"netsim/plots"
	"netsim/scenarios"
)

// dkwAlpha is the DKW band's error probability: the true CDF lies inside the band
// everywhere with probability at least 95% (Dvoretzky–Kiefer–Wolfowitz inequality with
// Massart's constant: P(sup|F_n − F| > ε) ≤ 2·exp(−2nε²)).
const dkwAlpha = 0.05

// defaultBins is the number of bins of a pdf or histogram that does not say.
const defaultBins = 20

// seriesGridPoints is how many times a time series is evaluated at when its runs were
// not recorded at the same times.
const seriesGridPoints = 200

// runsOf returns the runs of the given points, in run order.
func runsOf(pts []PointSummary, runs []RunResult) []RunResult {
	keep := map[int]bool{}
	for _, ps := range pts {
		keep[ps.Point] = true
	}
	var out []RunResult
	for _, r := range runs {
		if keep[r.Point] {
			out = append(out, r)
		}
	}
	return out
}

// distFigure draws, per series value and sample set, the values pooled over the
// replications (and over every point the series value and only keep, which the parse
// has limited to one point per series value): an empirical CDF with its DKW band, a
// density (pdf), or the mean count per run in each bin (histogram). The bins of one
// figure are shared, so that its lines compare bin by bin.
func distFigure(fig *plots.Figure, s *scenarios.Scenario, p scenarios.Plot, sum []PointSummary, runs []RunResult) {
	scale := 1.0
	unit := metricUnit(s, p.Y[0])
	if p.XUnit != "" {
		scale, unit = 1/scenarios.YUnits[p.XUnit], p.XUnit
	}
	if len(p.Y) > 1 {
		unit = ""
	}
	if fig.XLabel == "" {
		fig.XLabel = withUnit(metricTitles(s, p.Y), unit)
	}
	if fig.YLabel == "" {
		fig.YLabel = map[string]string{scenarios.PlotCDF: "Fraction at or below x", scenarios.PlotPDF: "Density",
			scenarios.PlotHistogram: "Count per run"}[p.Type]
	}
	fig.Note = fmt.Sprintf("pooled over n = %d runs", s.Replications)
	if s.Replications == 1 {
		fig.Note = "one run (n = 1)"
	}
	if p.Type == scenarios.PlotCDF {
		fig.Note += "; shaded: 95% DKW band"
	}
	type pool struct {
		label string
		xs    []float64 // sorted
		runs  int
	}
	var pools []pool
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, sv := range seriesValues(s, p) {
		rs := runsOf(pointsOf(p, sum, sv), runs)
		for _, metric := range p.Y {
			pl := pool{label: seriesLabel(s, p, metric, sv), runs: len(rs)}
			for _, r := range rs {
				for _, v := range r.Samples[metric] {
					if !math.IsNaN(v) {
						pl.xs = append(pl.xs, v*scale)
					}
				}
			}
			sort.Float64s(pl.xs)
			if len(pl.xs) > 0 {
				lo, hi = math.Min(lo, pl.xs[0]), math.Max(hi, pl.xs[len(pl.xs)-1])
			}
			pools = append(pools, pl)
		}
	}
	bins := p.Bins
	if bins == 0 {
		bins = defaultBins
	}
	for _, pl := range pools {
		ln := plots.Line{Label: pl.label, Step: true}
		n := float64(len(pl.xs))
		switch {
		case len(pl.xs) == 0:
		case p.Type == scenarios.PlotCDF:
			eps := math.Sqrt(math.Log(2/dkwAlpha) / (2 * n))
			for i, x := range pl.xs {
				if i+1 < len(pl.xs) && pl.xs[i+1] == x {
					continue // ties make one step, to the fraction at or below x
				}
				f := float64(i+1) / n
				ln.X, ln.Y = append(ln.X, x), append(ln.Y, f)
				ln.YLo, ln.YHi = append(ln.YLo, math.Max(f-eps, 0)), append(ln.YHi, math.Min(f+eps, 1))
			}
		default:
			counts, width := binCounts(pl.xs, lo, hi, bins)
			for b, c := range counts {
				y := c / float64(pl.runs)
				if p.Type == scenarios.PlotPDF {
					y = c / (n * width)
				}
				ln.X, ln.Y = append(ln.X, lo+float64(b)*width), append(ln.Y, y)
			}
			// The last bin's right edge ends the staircase.
			ln.X, ln.Y = append(ln.X, lo+float64(bins)*width), append(ln.Y, ln.Y[len(ln.Y)-1])
		}
		fig.Lines = append(fig.Lines, ln)
	}
}

// binCounts counts the values xs in bins equal-width bins over [lo, hi], the last bin
// closed; a range of one value is given bins of width 1/bins.
func binCounts(xs []float64, lo, hi float64, bins int) ([]float64, float64) {
	width := (hi - lo) / float64(bins)
	if !(width > 0) {
		width = 1 / float64(bins)
	}
	counts := make([]float64, bins)
	for _, x := range xs {
		b := min(int((x-lo)/width), bins-1)
		counts[max(b, 0)]++
	}
	return counts, width
}

// seriesFigure draws, per series value and time series, the mean over the replications
// at each time with its 95% Student-t interval as a band (none from a single run). Runs
// recorded at the same times are averaged there; otherwise each run's series is read as
// a step function (its last value at or before t) on a grid over the span all cover.
func seriesFigure(fig *plots.Figure, s *scenarios.Scenario, p scenarios.Plot, sum []PointSummary, runs []RunResult) {
	tscale, tunit := 1.0, "s"
	if p.XUnit != "" {
		tscale, tunit = 1/scenarios.YUnits[p.XUnit], p.XUnit
	}
	scale := 1.0
	unit := metricUnit(s, p.Y[0])
	if p.YUnit != "" {
		scale, unit = 1/scenarios.YUnits[p.YUnit], p.YUnit
	}
	if len(p.Y) > 1 {
		unit = ""
	}
	if fig.XLabel == "" {
		fig.XLabel = withUnit("Time", tunit)
	}
	if fig.YLabel == "" {
		fig.YLabel = withUnit(metricTitles(s, p.Y), unit)
	}
	fig.Note = fmt.Sprintf("mean of n = %d runs; shaded: 95%% interval (Student's t)", s.Replications)
	if s.Replications == 1 {
		fig.Note = "one run (n = 1): no interval"
	}
	for _, sv := range seriesValues(s, p) {
		rs := runsOf(pointsOf(p, sum, sv), runs)
		for _, metric := range p.Y {
			ln := plots.Line{Label: seriesLabel(s, p, metric, sv)}
			var all []scenarios.TimeSeries
			for _, r := range rs {
				all = append(all, r.Series[metric])
			}
			for _, t := range commonTimes(all) {
				var ys []float64
				for _, ts := range all {
					if v, ok := valueAt(ts, t); ok {
						ys = append(ys, v)
					}
				}
				if len(ys) == 0 {
					continue
				}
				st := summarize(ys)
				ln.X, ln.Y = append(ln.X, t*tscale), append(ln.Y, st.Mean*scale)
				ln.YLo, ln.YHi = append(ln.YLo, st.Lo*scale), append(ln.YHi, st.Hi*scale)
			}
			if len(all) < 2 {
				ln.YLo, ln.YHi = nil, nil // one run: no interval to draw
			}
			fig.Lines = append(fig.Lines, ln)
		}
	}
}

// commonTimes returns the times to average runs' series at: their own, if every run has
// the same; otherwise seriesGridPoints times over the span they all cover.
func commonTimes(all []scenarios.TimeSeries) []float64 {
	if len(all) == 0 {
		return nil
	}
	same := true
	for _, ts := range all[1:] {
		same = same && reflect.DeepEqual(ts.Time, all[0].Time)
	}
	if same {
		return all[0].Time
	}
	lo, hi := math.Inf(-1), math.Inf(1)
	for _, ts := range all {
		if len(ts.Time) == 0 {
			return nil
		}
		lo, hi = math.Max(lo, ts.Time[0]), math.Min(hi, ts.Time[len(ts.Time)-1])
	}
	if !(lo < hi) {
		return []float64{lo}
	}
	grid := make([]float64, seriesGridPoints)
	for i := range grid {
		grid[i] = lo + (hi-lo)*float64(i)/float64(seriesGridPoints-1)
	}
	grid[len(grid)-1] = hi
	return grid
}

// valueAt is the series' last value at or before t.
func valueAt(ts scenarios.TimeSeries, t float64) (float64, bool) {
	i := sort.Search(len(ts.Time), func(i int) bool { return ts.Time[i] > t })
	if i == 0 {
		return 0, false
	}
	return ts.Value[i-1], true
}
