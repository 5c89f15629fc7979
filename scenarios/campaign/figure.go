package campaign

import (
	"math"
	"netsim/scenarios"
	"reflect"
	"sort"
	"strings"

	"netsim/plots"
)

// savePlot writes a figure; a variable so that tests can look at figures without
// drawing them.
var savePlot = plots.Save

// theorySamples is how many x values a theory curve is evaluated at, at most.
const theorySamples = 200

// buildFigure turns a plot spec and the campaign's summary into a figure: one series of
// simulated means with their 95% intervals per value of the plot's series key (and per
// metric, if y lists several), and the requested theory curves sampled densely over the
// range of x.
func buildFigure(s *scenarios.Scenario, p scenarios.Plot, sum []PointSummary) plots.Figure {
	xt := s.ParamType(p.X)
	xAxis := s.AxisIndex(p.X)
	sAxis := s.AxisIndex(p.Series)
	scale := 1.0
	if p.YUnit != "" {
		scale = 1 / scenarios.YUnits[p.YUnit]
	}
	fig := plots.Figure{Title: p.Title, XLabel: p.XLabel, YLabel: p.YLabel, XLog: p.XLog, YLog: p.YLog}
	if fig.Title == "" {
		fig.Title = s.Name
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

	seriesValues := []any{nil}
	if sAxis >= 0 {
		seriesValues = s.Sweep[sAxis].Values
	}
	xlo, xhi := math.Inf(1), math.Inf(-1)
	for _, v := range s.Sweep[xAxis].Values {
		xlo, xhi = math.Min(xlo, scenarios.Numeric(v)), math.Max(xhi, scenarios.Numeric(v))
	}
	xs := sampleX(scenarios.IsInteger(xt), xlo, xhi, p.XLog)

	theoryCurves := make([][]plots.Curve, len(p.Theory)) // [theory][series value]
	for _, sv := range seriesValues {
		var pts []PointSummary
		for _, ps := range sum {
			if matches(s, ps, p.Only) && (sAxis < 0 || reflect.DeepEqual(ps.Assign[sAxis].Value, sv)) {
				pts = append(pts, ps)
			}
		}
		sort.SliceStable(pts, func(i, j int) bool {
			return scenarios.Numeric(pts[i].Assign[xAxis].Value) < scenarios.Numeric(pts[j].Assign[xAxis].Value)
		})
		for _, metric := range p.Y {
			ser := plots.Series{Label: seriesLabel(p, metric, sv)}
			for _, ps := range pts {
				st := ps.Stats[metric]
				ser.X = append(ser.X, scenarios.Numeric(ps.Assign[xAxis].Value)*xscale)
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
			if sAxis >= 0 {
				c.Label += ", " + p.Series + "=" + scenarios.FormatValue(sv)
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
	return fig
}

func matches(s *scenarios.Scenario, ps PointSummary, only []scenarios.Assignment) bool {
	for _, a := range only {
		if i := s.AxisIndex(a.Key); i < 0 || !reflect.DeepEqual(ps.Assign[i].Value, a.Value) {
			return false
		}
	}
	return true
}

func seriesLabel(p scenarios.Plot, metric string, sv any) string {
	var parts []string
	if len(p.Y) > 1 || p.Series == "" {
		parts = append(parts, metric)
	}
	if p.Series != "" {
		parts = append(parts, p.Series+"="+scenarios.FormatValue(sv))
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
	for _, m := range s.Kind.Metrics() {
		if m.Name == name {
			return m.Unit
		}
	}
	return ""
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
