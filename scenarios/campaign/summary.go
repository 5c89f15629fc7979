package campaign

import (
	"math"
	"netsim/scenarios"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Stats summarises one metric over the replications of one sweep point.
type Stats struct {
	N        int // the runs with a value
	Excluded int // the runs without one (NaN: an optional metric they did not have)
	Mean     float64
	SD       float64 // sample standard deviation (divisor n-1)
	// Lo and Hi bound the 95% confidence interval of the mean, Mean ± t·SD/√n with t the
	// 0.975 quantile of Student's t with n-1 degrees of freedom. With n = 1 there is no
	// spread to estimate: SD is 0 and the interval is the mean itself, which says "one
	// run", not "certain"; use replications >= 2 for a real interval.
	Lo, Hi float64
}

// summarize computes the Stats of a sample, leaving out NaNs: runs without a value.
func summarize(xs []float64) Stats {
	have := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) {
			have = append(have, x)
		}
	}
	st := summarizeValues(have)
	st.Excluded = len(xs) - len(have)
	return st
}

func summarizeValues(xs []float64) Stats {
	n := len(xs)
	switch n {
	case 0:
		nan := math.NaN()
		return Stats{Mean: nan, SD: nan, Lo: nan, Hi: nan}
	case 1:
		return Stats{N: 1, Mean: xs[0], Lo: xs[0], Hi: xs[0]}
	}
	mean, sd := stat.MeanStdDev(xs, nil)
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(0.975)
	half := t * sd / math.Sqrt(float64(n))
	return Stats{N: n, Mean: mean, SD: sd, Lo: mean - half, Hi: mean + half}
}

// PointSummary is one row of summary.csv: a sweep point and the Stats of each metric.
type PointSummary struct {
	Point   int
	N       int                    // the point's runs that ended, which the Stats are of
	Variant string                 // the point's variant, "" without variants
	Fixed   []scenarios.Assignment // the values of the keys the variants set (VariantKeys)
	Assign  []scenarios.Assignment // the swept values
	Stats   map[string]Stats       // by metric name
}

// value returns the point's value of a swept key, or its variant's name for "variant".
func (ps PointSummary) value(key string) any {
	if key == scenarios.VariantKey {
		return ps.Variant
	}
	for _, a := range ps.Assign {
		if a.Key == key {
			return a.Value
		}
	}
	return nil
}

// labelColumns are a point's columns in runs.csv and summary.csv after the run's own:
// the variant and the keys variants set, if the file has variants, then the swept keys.
func labelColumns(s *scenarios.Scenario) []string {
	var cols []string
	if len(s.Variants) > 0 {
		cols = append(append(cols, scenarios.VariantKey), s.VariantKeys()...)
	}
	for _, ax := range s.Sweep {
		cols = append(cols, ax.Key)
	}
	return cols
}

// labels are a point's values for labelColumns.
func (ps PointSummary) labels() []string {
	var cells []string
	if ps.Variant != "" {
		cells = append(cells, ps.Variant)
		for _, a := range ps.Fixed {
			cells = append(cells, scenarios.FormatValue(a.Value))
		}
	}
	for _, a := range ps.Assign {
		cells = append(cells, scenarios.FormatValue(a.Value))
	}
	return cells
}

// describePoints returns every point of s as a PointSummary without stats.
func describePoints(s *scenarios.Scenario) []PointSummary {
	pts := s.Points()
	out := make([]PointSummary, len(pts))
	for i, p := range pts {
		ps := PointSummary{Point: i, Variant: p.VariantName(s), Assign: p.Assign}
		if ps.Variant != "" {
			for _, k := range s.VariantKeys() {
				ps.Fixed = append(ps.Fixed, scenarios.Assignment{Key: k, Value: scenarios.GetParam(p.Params, k)})
			}
		}
		out[i] = ps
	}
	return out
}

// summarizeRuns groups runs (ordered by run index, all present) by point.
func summarizeRuns(s *scenarios.Scenario, runs []RunResult) []PointSummary {
	out := describePoints(s)
	for i := range out {
		ps := out[i]
		ps.Stats = map[string]Stats{}
		var ended []RunResult
		for _, r := range pointRuns(s, runs, i) {
			if r.Status == StatusOK {
				ended = append(ended, r)
			}
		}
		ps.N = len(ended)
		for _, m := range s.Kind.Metrics() {
			xs := make([]float64, len(ended))
			for j, r := range ended {
				xs[j] = r.Values[m.Name]
			}
			ps.Stats[m.Name] = summarize(xs)
		}
		out[i] = ps
	}
	return out
}

// pointRuns are the runs of point, in the order of their replications, from runs
// ordered by run index, all present (see scenarios.RunIndex).
func pointRuns(s *scenarios.Scenario, runs []RunResult, point int) []RunResult {
	out := make([]RunResult, s.Replications)
	for rep := range out {
		out[rep] = runs[s.RunIndex(point, rep)]
	}
	return out
}
