package campaign

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

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
// set (distFigure), or a time series (seriesFigure). Axis labels and legends come from
// the kind's table (each parameter's and metric's Title and unit), unless the plot
// gives its own.
func buildFigure(s *scenarios.Scenario, p scenarios.Plot, sum []PointSummary, runs []RunResult) plots.Figure {
	fig := plots.Figure{Title: p.Title, XLabel: p.XLabel, YLabel: p.YLabel, XLog: p.XLog, YLog: p.YLog,
		YMin: p.YMin, YMax: p.YMax}
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
// curves sampled densely over the range of x. A theory is drawn in the colour of the
// series it predicts (plots.Curve.Of): with a series key, each value's curve in that
// value's colour; with a single series, the first theory listed, the others being
// reference curves (a bound's terms) of their own colours. A theory that does not
// depend on the series key is one reference curve.
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
		param, _ := scenarios.ParamByKey(s.Kind, p.X)
		unit := p.XUnit
		if unit == "" {
			unit = param.Unit
		}
		fig.XLabel = withUnit(param.Title(), unit)
	}
	if fig.YLabel == "" {
		unit := p.YUnit
		if unit == "" && len(p.Y) == 1 {
			unit = metricUnit(s, p.Y[0])
		}
		fig.YLabel = withUnit(metricTitles(s, p.Y), unit)
	}
	fig.Note = statsNote(s, p.Y)
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
			ser := plots.Series{Label: seriesLabel(s, p, metric, sv)}
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
			if slices.Contains(p.Y, th.Metric) && (p.Series != "" || ti == 0) {
				c.Of = seriesLabel(s, p, th.Metric, sv)
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
	for _, cs := range theoryCurves {
		// A theory that does not depend on the series key is one curve, not one per
		// value, and belongs to no one series.
		same := len(cs) > 1
		for _, c := range cs[min(1, len(cs)):] {
			same = same && reflect.DeepEqual(c.X, cs[0].X) && reflect.DeepEqual(c.Y, cs[0].Y)
		}
		if same {
			c := cs[0]
			c.Of = ""
			cs = []plots.Curve{c}
		}
		for _, c := range cs {
			if len(c.X) > 0 {
				fig.Curves = append(fig.Curves, c)
			}
		}
	}
}

// statsNote is what a figure's legend says about the simulated points of the metrics:
// how many runs each mean is of and which interval its bars are, or that one run has
// none.
func statsNote(s *scenarios.Scenario, metrics []string) string {
	if s.Replications == 1 {
		return "simulated, n = 1: no interval"
	}
	methods := map[string]bool{}
	for _, name := range metrics {
		m, _, _ := scenarios.MetricByName(s.Kind, name)
		methods[intervalMethod(m)] = true
	}
	how := ""
	switch {
	case len(methods) > 1:
	case methods[Wilson]:
		how = " (Wilson)"
	default:
		how = " (Student's t)"
	}
	return fmt.Sprintf("mean of n = %d runs, 95%% CI%s", s.Replications, how)
}

// metricTitles names the metrics for an axis: their Titles, joined.
func metricTitles(s *scenarios.Scenario, names []string) string {
	titles := make([]string, len(names))
	for i, n := range names {
		m, _, _ := scenarios.MetricByName(s.Kind, n)
		titles[i] = m.Title()
	}
	return strings.Join(titles, ", ")
}

// valueLabel is a series value for a legend, from the key's declaration: a variant's
// or a string's value as written ("p2p", "parallel-5"), a flag as its label or "No"
// and its label ("Cache", "No cache"), a number after the parameter's symbol or label
// ("α = 0.64").
func valueLabel(s *scenarios.Scenario, key string, v any) string {
	if key == scenarios.VariantKey {
		return scenarios.FormatValue(v)
	}
	param, _ := scenarios.ParamByKey(s.Kind, key)
	switch x := v.(type) {
	case string:
		return x
	case bool:
		if x {
			return param.Title()
		}
		t := param.Title()
		r, size := utf8.DecodeRuneInString(t)
		return "No " + string(unicode.ToLower(r)) + t[size:]
	}
	name := param.Symbol
	if name == "" {
		name = param.Title()
	}
	return name + " = " + scenarios.FormatValue(v)
}

// seriesLabel names the series of a metric and series value: the value, preceded by
// the metric's title when the plot shows several metrics; the metric's title alone
// without a series key.
func seriesLabel(s *scenarios.Scenario, p scenarios.Plot, metric string, sv any) string {
	var parts []string
	if len(p.Y) > 1 || p.Series == "" {
		m, _, _ := scenarios.MetricByName(s.Kind, metric)
		parts = append(parts, m.Title())
	}
	if p.Series != "" {
		parts = append(parts, valueLabel(s, p.Series, sv))
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

// Labels are the title and axis labels plot p of s is drawn with: its own, or those
// the kind's table gives (as buildFigure makes them), for a figure drawn elsewhere from
// the plot's CSV (netsim serve's comparison of two results).
func Labels(s *scenarios.Scenario, p scenarios.Plot) (title, xlabel, ylabel string) {
	fig := buildFigure(s, p, nil, nil)
	return fig.Title, fig.XLabel, fig.YLabel
}
