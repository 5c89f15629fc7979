package plots

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// rendering is a figure laid out for gonum/plot: the plot (axes, grid and data), the
// legend, and what the legend must not cover.
type rendering struct {
	fig    Figure
	plot   *plot.Plot
	legend legend
	// marks are the drawn lines, in data coordinates, that a legend inside the axes
	// must leave clear; sets are the series' markers and bars, which it must too.
	marks []mark
	sets  []*pointSet
}

// mark is something drawn: a marker (one point, with its radius and offset), or a
// polyline.
type mark struct {
	pts    []plotter.XY
	radius vg.Length // > 0 for a marker at pts[0]
	dx     vg.Length // a marker's horizontal offset
}

// style is how one series, line or curve is drawn.
type style struct {
	colour color.Color
	glyph  glyph
	dashes []vg.Length
	width  vg.Length
}

// styles assigns the house style: one colour per series and line (a key), taken by
// the curves that are its theory, each of those with its own dashes; reference curves
// with colours after the keys' and dashes in turn.
func styles(fig Figure) (points, lines, curves []style) {
	colourOf := map[string]color.Color{}
	n := 0
	key := func(label string) color.Color {
		if c, ok := colourOf[label]; ok {
			return c
		}
		c := pick(palette, n)
		colourOf[label] = c
		n++
		return c
	}
	for i, s := range fig.Points {
		points = append(points, style{colour: key(s.Label), glyph: pick(shapes, i)})
	}
	for _, l := range fig.Lines {
		lines = append(lines, style{colour: key(l.Label), width: simWidth})
	}
	theories := map[string]int{} // how many curves each key has so far
	refs := 0
	for _, c := range fig.Curves {
		if c.Of != "" {
			j := theories[c.Of]
			theories[c.Of]++
			curves = append(curves, style{colour: colourOf[c.Of], dashes: pick(theoryDashes, j), width: theoryWidth})
			continue
		}
		// Dashes after the first, which a series' own theory has, so that a reference
		// curve lying on it (F/u_s on D_P2P) shows as another pattern.
		curves = append(curves, style{colour: pick(palette, n+refs), dashes: pick(theoryDashes, refs+1), width: refWidth})
		refs++
	}
	return points, lines, curves
}

// render lays out fig, which must be valid.
func render(fig Figure) (*rendering, error) {
	p := plot.New()
	p.X.Label.Text = fig.XLabel
	p.Y.Label.Text = fig.YLabel
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font = textFont(labelSize)
		ax.Tick.Label.Font = textFont(tickSize)
		ax.Tick.Marker = linearTicks{}
	}
	grid := plotter.NewGrid()
	grid.Vertical.Color, grid.Horizontal.Color = gridGrey, gridGrey
	grid.Vertical.Width, grid.Horizontal.Width = vg.Points(0.5), vg.Points(0.5)
	p.Add(grid)

	r := &rendering{fig: fig, plot: p}
	pointStyles, lineStyles, curveStyles := styles(fig)
	ext := newExtent()

	// Bands first, under everything.
	for j, ln := range fig.Lines {
		if ln.YLo == nil {
			continue
		}
		if band := bandPolygon(ln, fig.XLog, fig.YLog); band != nil {
			band.Color = translucent(lineStyles[j].colour, 55)
			band.LineStyle.Width = 0
			p.Add(band)
			for _, ring := range band.XYs {
				for _, pt := range ring {
					ext.add(pt.X, pt.Y)
				}
			}
		}
	}
	// Theory curves: a series' own, then the reference curves over them, so that a
	// reference curve that coincides with the theory it bounds (F/u_s under D_P2P)
	// shows inside it.
	for _, own := range []bool{true, false} {
		for j, c := range fig.Curves {
			if (c.Of != "") != own {
				continue
			}
			xys := curveData(c, fig.XLog, fig.YLog)
			if len(xys) == 0 {
				continue
			}
			l, err := plotter.NewLine(xys)
			if err != nil {
				return nil, err
			}
			st := curveStyles[j]
			l.LineStyle = draw.LineStyle{Color: st.colour, Width: st.width, Dashes: st.dashes}
			p.Add(l)
			r.marks = append(r.marks, mark{pts: xys})
			for _, pt := range xys {
				ext.add(pt.X, pt.Y)
			}
		}
	}
	for j, ln := range fig.Lines {
		xys := curveData(Curve{X: ln.X, Y: ln.Y}, fig.XLog, fig.YLog)
		if len(xys) == 0 {
			continue
		}
		if ln.Step {
			xys = steps(xys)
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			return nil, err
		}
		l.LineStyle = draw.LineStyle{Color: lineStyles[j].colour, Width: lineStyles[j].width}
		p.Add(l)
		r.marks = append(r.marks, mark{pts: xys})
		for _, pt := range xys {
			ext.add(pt.X, pt.Y)
		}
	}
	var sets []*pointSet
	hidden := 0
	for i, s := range fig.Points {
		ps := newPointSet(s, pointStyles[i], fig.XLog, fig.YLog)
		hidden += ps.hidden
		for k, pt := range ps.xys {
			ext.add(pt.X, pt.Y)
			if ps.lo != nil {
				ext.add(pt.X, ps.lo[k])
				ext.add(pt.X, ps.hi[k])
			}
		}
		sets = append(sets, ps)
	}

	// The axes' ranges. The dodges of coinciding markers need the size of the data
	// area too, and are made by Draw.
	if fig.XLog {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = logTicks{}
		p.X.Min, p.X.Max = logRange(ext.xlo, ext.xhi)
	} else {
		p.X.Min, p.X.Max = linearRange(ext.xlo, ext.xhi, math.NaN())
	}
	if fig.YLog {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
		p.Y.Min, p.Y.Max = logRange(ext.ylo, ext.yhi)
	} else {
		pin := math.NaN()
		if ext.ylo >= 0 || math.IsInf(ext.ylo, 1) {
			pin = 0
		}
		p.Y.Min, p.Y.Max = linearRange(ext.ylo, ext.yhi, pin)
	}
	if fig.YMin != nil {
		p.Y.Min = *fig.YMin
	}
	if fig.YMax != nil {
		p.Y.Max = *fig.YMax
	}
	for _, ps := range sets {
		if len(ps.xys) > 0 {
			p.Add(ps)
		}
	}
	r.sets = sets
	r.legend = buildLegend(fig, pointStyles, lineStyles, curveStyles, hidden)
	return r, nil
}

// extent is the range of the drawn data.
type extent struct{ xlo, xhi, ylo, yhi float64 }

func newExtent() *extent {
	return &extent{math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)}
}

func (e *extent) add(x, y float64) {
	if finite(x) {
		e.xlo, e.xhi = math.Min(e.xlo, x), math.Max(e.xhi, x)
	}
	if finite(y) {
		e.ylo, e.yhi = math.Min(e.ylo, y), math.Max(e.yhi, y)
	}
}

// drawable reports whether a point can be placed: both coordinates finite, and
// positive on a log axis.
func drawable(x, y float64, xlog, ylog bool) bool {
	return finite(x) && finite(y) && (!xlog || x > 0) && (!ylog || y > 0)
}

// bandPolygon is the shaded region between a line's YLo and YHi, over the points where
// both ends can be placed; nil if there are fewer than two. A step line's band steps
// with it.
func bandPolygon(l Line, xlog, ylog bool) *plotter.Polygon {
	var lo, hi plotter.XYs
	for i := range l.X {
		if !drawable(l.X[i], l.YLo[i], xlog, ylog) || !drawable(l.X[i], l.YHi[i], xlog, ylog) {
			continue
		}
		if l.Step && len(lo) > 0 {
			lo = append(lo, plotter.XY{X: l.X[i], Y: lo[len(lo)-1].Y})
			hi = append(hi, plotter.XY{X: l.X[i], Y: hi[len(hi)-1].Y})
		}
		lo = append(lo, plotter.XY{X: l.X[i], Y: l.YLo[i]})
		hi = append(hi, plotter.XY{X: l.X[i], Y: l.YHi[i]})
	}
	if len(lo) < 2 {
		return nil
	}
	ring := append(plotter.XYs{}, lo...)
	for i := len(hi) - 1; i >= 0; i-- {
		ring = append(ring, hi[i])
	}
	poly, err := plotter.NewPolygon(ring)
	if err != nil {
		return nil
	}
	return poly
}

func curveData(c Curve, xlog, ylog bool) plotter.XYs {
	var xys plotter.XYs
	for i := range c.X {
		if drawable(c.X[i], c.Y[i], xlog, ylog) {
			xys = append(xys, plotter.XY{X: c.X[i], Y: c.Y[i]})
		}
	}
	return xys
}

// steps turns points into the staircase that holds each y until the next x.
func steps(xys plotter.XYs) plotter.XYs {
	out := make(plotter.XYs, 0, 2*len(xys))
	for i, pt := range xys {
		if i > 0 {
			out = append(out, plotter.XY{X: pt.X, Y: xys[i-1].Y})
		}
		out = append(out, pt)
	}
	return out
}
