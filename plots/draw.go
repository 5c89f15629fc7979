package plots

import (
	"image/color"
	"math"
	"sort"
	"strings"

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

// pointSet is a series' markers and error bars, each marker possibly moved sideways
// (dx) so that it does not hide another series' marker at the same place. It is a
// plot.Plotter.
type pointSet struct {
	xys    plotter.XYs
	lo, hi []float64 // error bar ends in data units, NaN for none at that point
	dx     []vg.Length
	style  style
	hidden int // points not drawable (x or y not positive on a log axis)
}

func newPointSet(s Series, st style, xlog, ylog bool) *pointSet {
	ps := &pointSet{style: st}
	for i := range s.X {
		x, y := s.X[i], s.Y[i]
		if !drawable(x, y, xlog, ylog) {
			if finite(x) && finite(y) {
				ps.hidden++
			}
			continue
		}
		ps.xys = append(ps.xys, plotter.XY{X: x, Y: y})
		lo, hi := math.NaN(), math.NaN()
		if s.YLo != nil && finite(s.YLo[i]) && finite(s.YHi[i]) {
			lo, hi = s.YLo[i], s.YHi[i]
			if ylog && !(lo > 0) {
				lo = y // an interval reaching below zero is drawn above the point only
			}
		}
		ps.lo, ps.hi = append(ps.lo, lo), append(ps.hi, hi)
	}
	ps.dx = make([]vg.Length, len(ps.xys))
	return ps
}

func (ps *pointSet) radius() vg.Length { return ps.style.glyph.radius() }

// Plot draws the error bars, then the markers over them.
func (ps *pointSet) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	bar := draw.LineStyle{Color: ps.style.colour, Width: barWidth}
	capW := vg.Points(2.5)
	for i, pt := range ps.xys {
		if math.IsNaN(ps.lo[i]) {
			continue
		}
		x := trX(pt.X) + ps.dx[i]
		ylo, yhi := trY(ps.lo[i]), trY(ps.hi[i])
		c.StrokeLine2(bar, x, ylo, x, yhi)
		if yhi-ylo > 2*capW/3 {
			c.StrokeLine2(bar, x-capW, ylo, x+capW, ylo)
			c.StrokeLine2(bar, x-capW, yhi, x+capW, yhi)
		}
	}
	gs := draw.GlyphStyle{Color: ps.style.colour, Radius: ps.radius(), Shape: ps.style.glyph}
	for i, pt := range ps.xys {
		c.DrawGlyphNoClip(gs, vg.Point{X: trX(pt.X) + ps.dx[i], Y: trY(pt.Y)})
	}
}

// GlyphBoxes keeps the markers inside the data area.
func (ps *pointSet) GlyphBoxes(plt *plot.Plot) []plot.GlyphBox {
	r := ps.radius() + outlineWidth
	boxes := make([]plot.GlyphBox, len(ps.xys))
	for i, pt := range ps.xys {
		boxes[i] = plot.GlyphBox{X: plt.X.Norm(pt.X), Y: plt.Y.Norm(pt.Y),
			Rectangle: vg.Rectangle{Min: vg.Point{X: ps.dx[i] - r, Y: -r}, Max: vg.Point{X: ps.dx[i] + r, Y: r}}}
	}
	return boxes
}

func (ps *pointSet) marks() []mark {
	var out []mark
	for i, pt := range ps.xys {
		out = append(out, mark{pts: []plotter.XY{pt}, radius: ps.radius(), dx: ps.dx[i]})
		if !math.IsNaN(ps.lo[i]) {
			out = append(out, mark{pts: []plotter.XY{{X: pt.X, Y: ps.lo[i]}, {X: pt.X, Y: ps.hi[i]}}, dx: ps.dx[i]})
		}
	}
	return out
}

// dodge moves apart, sideways, the markers of different series that would cover each
// other in the data area dc: at the same x, nearer than a marker's size. A group of m
// such markers is spread evenly, in the order of the series, over at most a marker's
// width apart and at most 70% of the space to the neighbouring x, centred on their x,
// so that a hidden series shows (Kurose & Ross's non-persistent and parallel connection
// counts coincide at every K) and no marker strays towards another x.
func dodge(sets []*pointSet, p *plot.Plot, dc draw.Canvas) {
	trX, trY := p.Transforms(&dc)
	type at struct {
		set, i int
		y      vg.Length
	}
	byX := map[float64][]at{}
	var xs []float64
	for si, ps := range sets {
		for i, pt := range ps.xys {
			ps.dx[i] = 0
			if _, ok := byX[pt.X]; !ok {
				xs = append(xs, pt.X)
			}
			byX[pt.X] = append(byX[pt.X], at{si, i, trY(pt.Y)})
		}
	}
	sort.Float64s(xs)
	for xi, x := range xs {
		room := vg.Length(math.Inf(1)) // to the nearest other x
		if xi > 0 {
			room = min(room, trX(x)-trX(xs[xi-1]))
		}
		if xi+1 < len(xs) {
			room = min(room, trX(xs[xi+1])-trX(x))
		}
		group := byX[x]
		sort.SliceStable(group, func(a, b int) bool { return group[a].y < group[b].y })
		for start := 0; start < len(group); {
			end := start + 1
			for end < len(group) && group[end].y-group[end-1].y < sets[group[end].set].radius()+sets[group[end-1].set].radius() {
				end++
			}
			if m := end - start; m > 1 {
				cluster := append([]at(nil), group[start:end]...)
				sort.Slice(cluster, func(a, b int) bool { return cluster[a].set < cluster[b].set })
				step := vg.Length(0)
				for _, a := range cluster {
					step = max(step, 2*sets[a.set].radius())
				}
				step = min(step, 0.7*room/vg.Length(m-1))
				for k, a := range cluster {
					sets[a.set].dx[a.i] = (vg.Length(k) - vg.Length(m-1)/2) * step
				}
			}
			start = end
		}
	}
}

// Draw draws the figure on c: the title across the top, then the plot with its legend
// in a corner of the axes (or against a side) where it covers no mark, or in a column
// to the right of the plot, or, if the legend is too wide for a column, in a band below
// it.
func (r *rendering) Draw(c draw.Canvas) {
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	c = drawTitle(c, r.fig.Title)
	if len(r.legend.rows) == 0 {
		r.drawPlot(c)
		return
	}
	// Inside the axes, a wider legend of fewer lines may fit where a narrow tall one
	// does not; beside them, the narrow one leaves the plot more room.
	for _, width := range []float64{legendText, legendTextInside} {
		r.legend.layout(c.Size().X * vg.Length(width))
		if box, ok := r.freeCorner(c, r.legend.size()); ok {
			r.drawPlot(c)
			r.legend.draw(c, box)
			return
		}
	}
	r.legend.layout(c.Size().X * vg.Length(legendText))
	size := r.legend.size()
	gap := vg.Points(6)
	if size.X+gap <= c.Size().X*0.4 {
		plotC := draw.Crop(c, 0, -(size.X + gap), 0, 0)
		r.drawPlot(plotC)
		top := r.plot.DataCanvas(plotC).Max.Y
		box := vg.Rectangle{Min: vg.Point{X: c.Max.X - size.X, Y: top - size.Y}, Max: vg.Point{X: c.Max.X, Y: top}}
		r.legend.draw(c, box)
		return
	}
	plotC := draw.Crop(c, 0, 0, size.Y+gap, 0)
	r.drawPlot(plotC)
	x := c.Center().X - size.X/2
	box := vg.Rectangle{Min: vg.Point{X: x, Y: c.Min.Y}, Max: vg.Point{X: x + size.X, Y: c.Min.Y + size.Y}}
	r.legend.draw(c, box)
}

// drawPlot draws the plot on c, its coinciding markers moved apart for the size they
// have there.
func (r *rendering) drawPlot(c draw.Canvas) {
	dodge(r.sets, r.plot, r.plot.DataCanvas(c))
	r.plot.Draw(c)
}

// freeCorner finds a place inside the data area where a legend box of the given size
// touches no mark: a corner, top left, top right, bottom right or bottom left in that
// order, or else a place against its right side or its left, from the top down.
func (r *rendering) freeCorner(c draw.Canvas, size vg.Point) (vg.Rectangle, bool) {
	dc := r.plot.DataCanvas(c)
	if size.X > dc.Size().X*0.6 || size.Y > dc.Size().Y*0.75 {
		return vg.Rectangle{}, false
	}
	dodge(r.sets, r.plot, dc)
	inset := vg.Points(3)
	trX, trY := r.plot.Transforms(&dc)
	var segs [][2]vg.Point
	var dots []vg.Rectangle
	marks := r.marks
	for _, ps := range r.sets {
		marks = append(marks, ps.marks()...)
	}
	for _, m := range marks {
		if m.radius > 0 {
			pt := vg.Point{X: trX(m.pts[0].X) + m.dx, Y: trY(m.pts[0].Y)}
			rad := m.radius + outlineWidth
			dots = append(dots, vg.Rectangle{Min: vg.Point{X: pt.X - rad, Y: pt.Y - rad}, Max: vg.Point{X: pt.X + rad, Y: pt.Y + rad}})
			continue
		}
		for i := 1; i < len(m.pts); i++ {
			a := vg.Point{X: trX(m.pts[i-1].X) + m.dx, Y: trY(m.pts[i-1].Y)}
			b := vg.Point{X: trX(m.pts[i].X) + m.dx, Y: trY(m.pts[i].Y)}
			segs = append(segs, [2]vg.Point{a, b})
		}
	}
	left, right := dc.Min.X+inset, dc.Max.X-inset-size.X
	bottom, top := dc.Min.Y+inset, dc.Max.Y-inset-size.Y
	places := []vg.Point{{X: left, Y: top}, {X: right, Y: top}, {X: right, Y: bottom}, {X: left, Y: bottom}}
	// Then down the right side and the left, in steps of a twentieth of the height.
	for _, x := range []vg.Length{right, left} {
		for k := 1; k < 20; k++ {
			if y := top - (top-bottom)*vg.Length(k)/20; y > bottom {
				places = append(places, vg.Point{X: x, Y: y})
			}
		}
	}
	for _, corner := range places {
		box := vg.Rectangle{Min: corner, Max: vg.Point{X: corner.X + size.X, Y: corner.Y + size.Y}}
		clear := grow(box, vg.Points(4))
		free := true
		for _, d := range dots {
			if overlaps(clear, d) {
				free = false
				break
			}
		}
		for _, s := range segs {
			if !free {
				break
			}
			free = !segmentCrosses(clear, s[0], s[1])
		}
		if free {
			return box, true
		}
	}
	return vg.Rectangle{}, false
}

func grow(r vg.Rectangle, by vg.Length) vg.Rectangle {
	return vg.Rectangle{Min: vg.Point{X: r.Min.X - by, Y: r.Min.Y - by}, Max: vg.Point{X: r.Max.X + by, Y: r.Max.Y + by}}
}

func overlaps(a, b vg.Rectangle) bool {
	return a.Min.X < b.Max.X && b.Min.X < a.Max.X && a.Min.Y < b.Max.Y && b.Min.Y < a.Max.Y
}

// segmentCrosses reports whether the segment from a to b passes through r (Liang and
// Barsky's clipping, "A new concept and method for line clipping", ACM TOG 3(1), 1984).
func segmentCrosses(r vg.Rectangle, a, b vg.Point) bool {
	dx, dy := float64(b.X-a.X), float64(b.Y-a.Y)
	t0, t1 := 0.0, 1.0
	for _, e := range [4]struct{ p, q float64 }{
		{-dx, float64(a.X - r.Min.X)}, {dx, float64(r.Max.X - a.X)},
		{-dy, float64(a.Y - r.Min.Y)}, {dy, float64(r.Max.Y - a.Y)},
	} {
		if e.p == 0 {
			if e.q < 0 {
				return false
			}
			continue
		}
		t := e.q / e.p
		if e.p < 0 {
			t0 = math.Max(t0, t)
		} else {
			t1 = math.Min(t1, t)
		}
		if t0 > t1 {
			return false
		}
	}
	return true
}

// drawTitle draws the title centred over the whole figure, on as many lines as it
// needs at titleSize, smaller (down to minTitle) only if it would take more than two.
// It returns the canvas below it.
func drawTitle(c draw.Canvas, title string) draw.Canvas {
	if title == "" {
		return draw.Crop(c, 0, 0, 0, -vg.Points(6))
	}
	pad := vg.Points(6)
	sty := draw.TextStyle{Color: color.Black, Font: textFont(titleSize), Handler: plot.DefaultTextHandler,
		XAlign: draw.XCenter, YAlign: draw.YTop}
	width := c.Size().X - 4*pad
	lines := wrap(sty, title, width)
	for len(lines) > 2 && sty.Font.Size > minTitle {
		sty.Font.Size -= vg.Points(0.5)
		lines = wrap(sty, title, width)
	}
	y := c.Max.Y - pad
	for _, line := range lines {
		c.FillText(sty, vg.Point{X: c.Center().X, Y: y}, line)
		y -= sty.Rectangle(line).Size().Y
	}
	return draw.Crop(c, 0, 0, 0, y-c.Max.Y-pad/2)
}

// wrap breaks text into lines no wider than width at spaces (a word longer than width
// has a line of its own), as evenly as it can: the words are shared out so that the
// longest line is as short as the number of lines allows.
func wrap(sty draw.TextStyle, text string, width vg.Length) []string {
	lines := greedyWrap(sty, text, width)
	if len(lines) < 2 {
		return lines
	}
	// The narrowest width that still needs no more lines.
	lo, hi := width/vg.Length(len(lines)), width
	for range 20 {
		mid := (lo + hi) / 2
		if len(greedyWrap(sty, text, mid)) > len(lines) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return greedyWrap(sty, text, hi)
}

// greedyWrap fills each line with as many words as fit in width.
func greedyWrap(sty draw.TextStyle, text string, width vg.Length) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		try := word
		if line != "" {
			try = line + " " + word
		}
		if line != "" && sty.Rectangle(try).Size().X > width {
			lines = append(lines, line)
			line = word
			continue
		}
		line = try
	}
	return append(lines, line)
}
