package campaign

import (
	"math"
	"netsim/scenarios"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Interval methods: how a Stats' Lo and Hi were computed, as summary.csv's columns
// name them (<metric>_t_ci95_lo, <metric>_wilson_ci95_lo).
const (
	// StudentT is the mean ± t·SD/√n, t the 0.975 quantile of Student's t with n−1
	// degrees of freedom: the interval for the mean of n independent runs, cut at 0
	// for values that are never negative.
	StudentT = "t"
	// Wilson is the Wilson score interval (Wilson, JASA 22, 1927) for a proportion, with
	// the runs' own variance in place of the binomial one: see wilsonRuns.
	Wilson = "wilson"
)

// Stats summarises one metric over the replications of one sweep point.
type Stats struct {
	N        int // the runs with a value
	Excluded int // the runs without one (NaN: an optional metric they did not have)
	Mean     float64
	SD       float64 // sample standard deviation (divisor n−1); NaN for n < 2
	// Lo and Hi bound the 95% confidence interval of the mean, computed by Method. With
	// n = 1 there is no spread to estimate and no interval: SD, Lo and Hi are NaN, which
	// summary.csv writes as empty cells and figures draw as a point without a bar —
	// never as a zero-width interval, which would say "exact".
	Lo, Hi float64
	Method string // StudentT or Wilson
}

// summarize computes the Stats of a sample with Student's t interval.
func summarize(xs []float64) Stats { return summarizeAs(xs, false) }

// summarizeAs computes the Stats of a sample, leaving out NaNs (runs without a value
// of an optional metric): with the Wilson interval if the metric is a proportion (every
// value in [0, 1]), otherwise with Student's t.
func summarizeAs(all []float64, proportion bool) Stats {
	xs := make([]float64, 0, len(all))
	for _, x := range all {
		if !math.IsNaN(x) {
			xs = append(xs, x)
		}
	}
	nan := math.NaN()
	st := Stats{N: len(xs), Excluded: len(all) - len(xs), Mean: nan, SD: nan, Lo: nan, Hi: nan, Method: StudentT}
	if proportion {
		st.Method = Wilson
	}
	switch st.N {
	case 0:
		return st
	case 1:
		st.Mean = xs[0]
		return st
	}
	st.Mean, st.SD = stat.MeanStdDev(xs, nil)
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(st.N - 1)}.Quantile(0.975)
	if proportion {
		for _, x := range xs {
			if !(x >= 0 && x <= 1) {
				return st // not a proportion after all (a bug in the kind): no interval
			}
		}
		st.Lo, st.Hi = wilsonRuns(st.Mean, st.SD*st.SD/float64(st.N), t)
		return st
	}
	half := t * st.SD / math.Sqrt(float64(st.N))
	st.Lo, st.Hi = st.Mean-half, st.Mean+half
	if st.Lo < 0 && floats.Min(xs) >= 0 {
		// The mean of values that are never negative (times, counts, bytes) is not
		// negative either: the interval ends at 0, which keeps its coverage (an
		// interval cut to the parameter's possible values covers it as often).
		st.Lo = 0
	}
	return st
}

// wilsonRuns is the 95% interval of a proportion p estimated as the mean of runs whose
// mean has estimated variance v, with critical value c: the Wilson score interval with
// the effective sample size n* = p(1−p)/v in place of the number of trials (Kish's
// design effect; Franco, Little, Louis and Slud, "Comparative study of confidence
// intervals for proportions in complex sample surveys", J. Survey Statistics and
// Methodology 7(3), 2019, who recommend this Wilson form; Kott, Survey Methodology
// 43(2), 2017), and Student's t with n−1 degrees of freedom as c, as Korn and Graubard
// (Survey Methodology 24(2), 1998) adjust for few clusters. A run is a cluster of many
// correlated trials (requests, revalidations), so it is the runs' spread, not a
// binomial count, that says how well p is known. Far from 0 and 1 the interval is
// Student's t, p ± c·√v; near them it bends to stay inside [0, 1], where the t
// interval would leave it. v = 0 (every run alike) gives [p, p], as t does.
func wilsonRuns(p, v, c float64) (lo, hi float64) {
	if v == 0 || p == 0 || p == 1 {
		// Values in [0, 1] averaging 0 or 1 are all 0 or all 1: no spread.
		return p, p
	}
	lo, hi = wilson(p, p*(1-p)/v, c)
	// The score interval holds p; rounding must not say otherwise when v is tiny.
	return math.Min(lo, p), math.Max(hi, p)
}

// wilson is the Wilson score interval for a proportion p observed in n trials with
// critical value c (1.96 for 95%): the p0 with |p − p0| ≤ c·√(p0(1−p0)/n), namely
//
//	(p + c²/2n ± c·√(p(1−p)/n + c²/4n²)) / (1 + c²/n),
//
// always inside [0, 1].
func wilson(p, n, c float64) (lo, hi float64) {
	c2 := c * c
	denom := 1 + c2/n
	centre := (p + c2/(2*n)) / denom
	half := c / denom * math.Sqrt(p*(1-p)/n+c2/(4*n*n))
	return math.Max(centre-half, 0), math.Min(centre+half, 1)
}

// intervalMethod is the method of m's intervals: Wilson for a proportion.
func intervalMethod(m scenarios.Metric) string {
	if m.Proportion {
		return Wilson
	}
	return StudentT
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
			ps.Stats[m.Name] = summarizeAs(xs, m.Proportion)
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
