package campaign

import (
	"math"
	"netsim/scenarios"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Stats summarises one metric over the replications of one sweep point.
type Stats struct {
	N    int
	Mean float64
	SD   float64 // sample standard deviation (divisor n-1)
	// Lo and Hi bound the 95% confidence interval of the mean, Mean ± t·SD/√n with t the
	// 0.975 quantile of Student's t with n-1 degrees of freedom. With n = 1 there is no
	// spread to estimate: SD is 0 and the interval is the mean itself, which says "one
	// run", not "certain"; use replications >= 2 for a real interval.
	Lo, Hi float64
}

// summarize computes the Stats of a sample.
func summarize(xs []float64) Stats {
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
	Point  int
	Assign []scenarios.Assignment
	Stats  map[string]Stats // by metric name
}

// summarizeRuns groups runs (ordered by run index, all present) by point.
func summarizeRuns(s *scenarios.Scenario, runs []RunResult) []PointSummary {
	pts := s.Points()
	out := make([]PointSummary, len(pts))
	for i, p := range pts {
		ps := PointSummary{Point: i, Assign: p.Assign, Stats: map[string]Stats{}}
		group := runs[i*s.Replications : (i+1)*s.Replications]
		for _, m := range s.Kind.Metrics() {
			xs := make([]float64, len(group))
			for j, r := range group {
				xs[j] = r.Values[m.Name]
			}
			ps.Stats[m.Name] = summarize(xs)
		}
		out[i] = ps
	}
	return out
}
