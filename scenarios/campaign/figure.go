package campaign

import (
	"math"
	"reflect"
	"sort"
	"strings"

	"netsim/plots"
	"netsim/scenarios"
)

// savePlot writes a figure; a variable so that tests can look at figures without
// drawing them.
var savePlot = plots.Save

// theorySamples is how many x values a theory curve is evaluated at, at most.
const theorySamples = 200

// buildFigure turns a plot spec and the campaign's results into a figure, by the
// plot's type: a metric against a swept x (sweepFigure), the distribution of a sample
// set (distFigure), or a time series (seriesFigure).
func buildFigure(s *scenarios.Scenario, p scenarios.Plot, sum []PointSummary, runs []RunResult) plots.Figure {
	fig := plots.Figure{Title: p.Title, XLabel: p.XLabel, YLabel: p.YLabel, XLog: p.XLog, YLog: p.YLog}
	if fig.Title == "" {
		fig.Title = s.Name
	}
	switch p.Type {
	case scenarios.PlotCDF, scenarios.PlotPDF, scenarios.PlotHistogram:
		distFigure(&fig, s, p, sum, runs)
	case scenarios.PlotTimeSeries:
		seriesFigure(&fig, s, p, sum, runs)
	default:
		sweepFigure(&fig, s, p, sum)
	}
	return fig
}

// seriesValues lists the values of the plot's series key, in the order of the file and
// restricted by its only; one nil value for a plot without series.
func seriesValues(s *scenarios.Scenario, p scenarios.Plot) []any {
	var vs []any
	switch {
	case p.Series == "":
		return []any{nil}
	case p.Series == scenarios.VariantKey:
		for _, n := range s.VariantNames() {
			vs = append(vs, n)
		}
	default:
		vs = s.Sweep[s.AxisIndex(p.Series)].Values
	}
	var out []any
	for _, v := range vs {
		if allowed(p.Only, p.Series, v) {
			out = append(out, v)
		}
	}
	return out
}

// allowed reports whether the only filters keep value v of key.
func allowed(only []scenarios.Filter, key string, v any) bool {
	for _, f := range only {
		if f.Key == key {
			return indexOfValue(f.Values, v) >= 0
		}
	}
	return true
}

func indexOfValue(values []any, v any) int {
	for i, w := range values {
		if reflect.DeepEqual(w, v) {
			return i
		}
	}
	return -1
}

// pointsOf returns the points of series value sv that the plot's only keeps.
func pointsOf(p scenarios.Plot, sum []PointSummary, sv any) []PointSummary {
	var pts []PointSummary
	for _, ps := range sum {
		ok := p.Series == "" || reflect.DeepEqual(ps.value(p.Series), sv)
		for _, f := range p.Only {
			ok = ok && indexOfValue(f.Values, ps.value(f.Key)) >= 0
		}
		if ok {
			pts = append(pts, ps)
		}
	}
	return pts
}

// sweepFigure draws one series of simulated means with their 95% intervals per value of
// the plot's series key (and per metric, if y lists several), and the requested theory
// curves sampled densely over the range of x.
func sweepFigure(fig *plots.Figure, s *scenarios.Scenario, p scenarios.Plot, sum []PointSummary) {
	xt := s.ParamType(p.X)
	scale := 1.0
	if p.YUnit != "" {
		scale = 1 / scenarios.YUnits[p.YUnit]
	}
	xscale := 1.0
	if p.XUnit != "" {
		xscale = 1 / scenarios.XUnitScale(xt, p.XUnit)
	}
	if fig.XLabel == "" {
		unit := p.XUnit
		if unit == "" {
			unit = scenarios.AxisUnit(xt)
		}
		fig.XLabel = withUnit(p.X, unit)
	}
	if fig.YLabel == "" {
		unit := p.YUnit
		if unit == "" && len(p.Y) == 1 {
			unit = metricUnit(s, p.Y[0])
		}
		fig.YLabel = withUnit(strings.Join(p.Y, ", "), unit)
	}
	xlo, xhi := math.Inf(1), math.Inf(-1)
	for _, v := range s.Sweep[s.AxisIndex(p.X)].Values {
		if allowed(p.Only, p.X, v) {
			xlo, xhi = math.Min(xlo, scenarios.Numeric(v)), math.Max(xhi, scenarios.Numeric(v))
		}
	}
	xs := sampleX(scenarios.IsInteger(xt), xlo, xhi, p.XLog)
	xOf := func(ps PointSummary) float64 { return scenarios.Numeric(ps.value(p.X)) }

	theoryCurves := make([][]plots.Curve, len(p.Theory)) // [theory][series value]
	for _, sv := range seriesValues(s, p) {
		pts := pointsOf(p, sum, sv)
		sort.SliceStable(pts, func(i, j int) bool { return xOf(pts[i]) < xOf(pts[j]) })
		for _, metric := range p.Y {
			ser := plots.Series{Label: seriesLabel(p, metric, sv)}
			for _, ps := range pts {
				st := ps.Stats[metric]
				if st.N == 0 {
					continue // every run of the point stopped at a limit
				}
				ser.X = append(ser.X, xOf(ps)*xscale)
				ser.Y = append(ser.Y, st.Mean*scale)
				ser.YLo = append(ser.YLo, st.Lo*scale)
				ser.YHi = append(ser.YHi, st.Hi*scale)
			}
			fig.Points = append(fig.Points, ser)
		}
		if len(pts) == 0 {
			continue
		}
		base := s.Point(pts[0].Point).Params
		for ti, name := range p.Theory {
			th := scenarios.TheoryByName(s.Kind, name)
			c := plots.Curve{Label: th.Label}
			if p.Series != "" {
				c.Label += ", " + valueLabel(p.Series, sv)
			}
			for _, x := range xs {
				params := scenarios.CopyParams(base)
				scenarios.SetParam(params, p.X, scenarios.FromNumeric(xt, x))
				y, err := th.Value(params)
				if err != nil || math.IsNaN(y) {
					continue
				}
				c.X = append(c.X, x*xscale)
				c.Y = append(c.Y, y*scale)
			}
			theoryCurves[ti] = append(theoryCurves[ti], c)
		}
	}
	// A theory that does not depend on the series key is one curve, not one per value.
	for ti, cs := range theoryCurves {
		same := true
		for _, c := range cs[min(1, len(cs)):] {
			same = same && reflect.DeepEqual(c.X, cs[0].X) && reflect.DeepEqual(c.Y, cs[0].Y)
		}
		if same && len(cs) > 0 {
			c := cs[0]
			c.Label = scenarios.TheoryByName(s.Kind, p.Theory[ti]).Label
			cs = []plots.Curve{c}
		}
		fig.Curves = append(fig.Curves, cs...)
	}
}

// valueLabel is "key=value" for a swept key and the name alone for a variant.
func valueLabel(key string, v any) string {
	if key == scenarios.VariantKey {
		return scenarios.FormatValue(v)
	}
	return key + "=" + scenarios.FormatValue(v)
}

func seriesLabel(p scenarios.Plot, metric string, sv any) string {
	var parts []string
	if len(p.Y) > 1 || p.Series == "" {
		parts = append(parts, metric)
	}
	if p.Series != "" {
		parts = append(parts, valueLabel(p.Series, sv))
	}
	return strings.Join(parts, ", ")
}

func withUnit(label, unit string) string {
	if unit == "" {
		return label
	}
	return label + " (" + unit + ")"
}

func metricUnit(s *scenarios.Scenario, name string) string {
	m, _, _ := scenarios.MetricByName(s.Kind, name)
	return m.Unit
}

// sampleX returns the x values a theory curve is drawn at, across [lo, hi]: every
// integer for an integer parameter with at most 1000 of them in range; otherwise
// theorySamples values, log-spaced on a log axis (when lo > 0), rounded and deduplicated
// for an integer parameter.
func sampleX(integer bool, lo, hi float64, xlog bool) []float64 {
	if !(lo < hi) {
		return []float64{lo}
	}
	if integer && hi-lo+1 <= 1000 {
		var xs []float64
		for x := math.Ceil(lo); x <= hi; x++ {
			xs = append(xs, x)
		}
		return xs
	}
	xs := make([]float64, 0, theorySamples)
	for i := range theorySamples {
		f := float64(i) / (theorySamples - 1)
		var x float64
		if xlog && lo > 0 {
			x = math.Exp(math.Log(lo) + f*(math.Log(hi)-math.Log(lo)))
		} else {
			x = lo + f*(hi-lo)
		}
		if i == 0 {
			x = lo
		} else if i == theorySamples-1 {
			x = hi
		}
		if integer {
			x = math.Round(x)
			if len(xs) > 0 && xs[len(xs)-1] == x {
				continue
			}
		}
		xs = append(xs, x)
	}
	return xs
}
