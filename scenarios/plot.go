package scenarios

import (
	"math"
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
func buildFigure(s *Scenario, p Plot, sum []PointSummary) plots.Figure {
	pt := reflect.TypeOf(s.Params).Elem()
	_, xt, _ := fieldByPath(pt, p.X)
	xAxis := axisIndex(s, p.X)
	sAxis := axisIndex(s, p.Series)
	scale := 1.0
	if p.YUnit != "" {
		scale = 1 / yUnits[p.YUnit]
	}
	fig := plots.Figure{Title: p.Title, XLabel: p.XLabel, YLabel: p.YLabel, XLog: p.XLog, YLog: p.YLog}
	if fig.Title == "" {
		fig.Title = s.Name
	}
	xscale := 1.0
	if p.XUnit != "" {
		xscale = 1 / xUnitScale(xt, p.XUnit)
	}
	if fig.XLabel == "" {
		unit := p.XUnit
		if unit == "" {
			unit = axisUnit(xt)
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
		xlo, xhi = math.Min(xlo, numeric(v)), math.Max(xhi, numeric(v))
	}
	xs := sampleX(isInteger(xt), xlo, xhi, p.XLog)

	theoryCurves := make([][]plots.Curve, len(p.Theory)) // [theory][series value]
	for _, sv := range seriesValues {
		var pts []PointSummary
		for _, ps := range sum {
			if matches(s, ps, p.Only) && (sAxis < 0 || reflect.DeepEqual(ps.Assign[sAxis].Value, sv)) {
				pts = append(pts, ps)
			}
		}
		sort.SliceStable(pts, func(i, j int) bool {
			return numeric(pts[i].Assign[xAxis].Value) < numeric(pts[j].Assign[xAxis].Value)
		})
		for _, metric := range p.Y {
			ser := plots.Series{Label: seriesLabel(p, metric, sv)}
			for _, ps := range pts {
				st := ps.Stats[metric]
				ser.X = append(ser.X, numeric(ps.Assign[xAxis].Value)*xscale)
				ser.Y = append(ser.Y, st.Mean*scale)
				ser.YLo = append(ser.YLo, st.Lo*scale)
				ser.YHi = append(ser.YHi, st.Hi*scale)
			}
			fig.Points = append(fig.Points, ser)
		}
		if len(pts) == 0 {
			continue
		}
		base := s.point(pts[0].Point).Params
		for ti, name := range p.Theory {
			th := theoryByName(s.Kind, name)
			c := plots.Curve{Label: th.Label}
			if sAxis >= 0 {
				c.Label += ", " + p.Series + "=" + formatValue(sv)
			}
			for _, x := range xs {
				params := copyParams(base)
				setParam(params, p.X, fromNumeric(xt, x))
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
			c.Label = theoryByName(s.Kind, p.Theory[ti]).Label
			cs = []plots.Curve{c}
		}
		fig.Curves = append(fig.Curves, cs...)
	}
	return fig
}

func axisIndex(s *Scenario, key string) int {
	for i, ax := range s.Sweep {
		if key != "" && ax.Key == key {
			return i
		}
	}
	return -1
}

func matches(s *Scenario, ps PointSummary, only []Assignment) bool {
	for _, a := range only {
		if i := axisIndex(s, a.Key); i < 0 || !reflect.DeepEqual(ps.Assign[i].Value, a.Value) {
			return false
		}
	}
	return true
}

func seriesLabel(p Plot, metric string, sv any) string {
	var parts []string
	if len(p.Y) > 1 || p.Series == "" {
		parts = append(parts, metric)
	}
	if p.Series != "" {
		parts = append(parts, p.Series+"="+formatValue(sv))
	}
	return strings.Join(parts, ", ")
}

func withUnit(label, unit string) string {
	if unit == "" {
		return label
	}
	return label + " (" + unit + ")"
}

func metricUnit(s *Scenario, name string) string {
	for _, m := range s.Kind.Metrics() {
		if m.Name == name {
			return m.Unit
		}
	}
	return ""
}

func theoryByName(k Kind, name string) Theory {
	for _, t := range k.Theory() {
		if t.Name == name {
			return t
		}
	}
	panic("scenarios: theory " + name + " was checked when parsed")
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
