package plots

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The size of a saved figure: readable on a slide and in a two-column paper.
const (
	Width  = 16 * vg.Centimeter
	Height = 10 * vg.Centimeter
	// PNGDPI is the resolution of the PNG: 16 cm come out as 945 pixels.
	PNGDPI = 150
)

// palette is the Okabe–Ito set, distinguishable by readers with colour-vision
// deficiencies and in greyscale print. Series take colours from the start and curves
// continue after them, so no curve shares a colour with a series.
var palette = []color.Color{
	color.RGBA{0, 114, 178, 255},   // blue
	color.RGBA{213, 94, 0, 255},    // vermillion
	color.RGBA{0, 158, 115, 255},   // bluish green
	color.RGBA{204, 121, 167, 255}, // reddish purple
	color.RGBA{230, 159, 0, 255},   // orange
	color.RGBA{86, 180, 233, 255},  // sky blue
	color.RGBA{0, 0, 0, 255},       // black
}

var shapes = []draw.GlyphDrawer{
	draw.CircleGlyph{},
	draw.BoxGlyph{},
	draw.PyramidGlyph{},
	draw.RingGlyph{},
	draw.SquareGlyph{},
	draw.TriangleGlyph{},
	draw.CrossGlyph{},
	draw.PlusGlyph{},
}

// dashes tell curves apart where colours are not enough; the first is solid.
var dashes = [][]vg.Length{
	nil,
	{vg.Points(6), vg.Points(3)},
	{vg.Points(2), vg.Points(2)},
	{vg.Points(8), vg.Points(3), vg.Points(2), vg.Points(3)},
}

func pick[T any](s []T, i int) T { return s[i%len(s)] }

// rendering is a figure laid out for gonum/plot: the plot itself and the legend, which
// is drawn beside the plot rather than over the data.
type rendering struct {
	plot    *plot.Plot
	legend  plot.Legend
	entries int
}

// render lays out fig, which must be valid.
func render(fig Figure) (*rendering, error) {
	p := plot.New()
	p.Title.Text = fig.Title
	p.Title.Padding = vg.Points(6)
	p.X.Label.Text = fig.XLabel
	p.Y.Label.Text = fig.YLabel
	p.X.Tick.Marker = linearTicks{}
	p.Y.Tick.Marker = linearTicks{}
	p.Add(plotter.NewGrid())

	r := &rendering{plot: p, legend: plot.NewLegend()}
	r.legend.Top, r.legend.Left = true, true
	r.legend.TextStyle.Font.Size = vg.Points(10)
	r.legend.Padding = vg.Points(2)

	for i, s := range fig.Points {
		xys, errs := seriesData(s, fig.XLog, fig.YLog)
		sc, err := plotter.NewScatter(xys)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle = draw.GlyphStyle{
			Color:  pick(palette, i),
			Shape:  pick(shapes, i),
			Radius: vg.Points(3),
		}
		if errs != nil && len(xys) > 0 {
			bars, err := plotter.NewYErrorBars(struct {
				plotter.XYs
				plotter.YErrors
			}{xys, errs})
			if err != nil {
				return nil, err
			}
			bars.LineStyle.Color = pick(palette, i)
			bars.CapWidth = vg.Points(4)
			p.Add(bars)
		}
		if len(xys) > 0 {
			p.Add(sc)
		}
		r.addEntry(s.Label, sc)
	}
	for j, ln := range fig.Lines {
		col := pick(palette, len(fig.Points)+j)
		if ln.YLo != nil {
			if band := bandPolygon(ln, fig.XLog, fig.YLog); band != nil {
				r, g, b, _ := col.RGBA()
				band.Color = color.NRGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 60}
				band.LineStyle.Width = 0
				p.Add(band)
			}
		}
		xys := curveData(Curve{X: ln.X, Y: ln.Y}, fig.XLog, fig.YLog)
		l, err := plotter.NewLine(xys)
		if err != nil {
			return nil, err
		}
		l.LineStyle = draw.LineStyle{Color: col, Width: vg.Points(1.5)}
		if ln.Step {
			l.StepStyle = plotter.PostStep
		}
		if len(xys) > 0 {
			p.Add(l)
		}
		r.addEntry(ln.Label, l)
	}
	for j, c := range fig.Curves {
		j += len(fig.Lines)
		xys := curveData(c, fig.XLog, fig.YLog)
		l, err := plotter.NewLine(xys)
		if err != nil {
			return nil, err
		}
		l.LineStyle = draw.LineStyle{
			Color:  pick(palette, len(fig.Points)+j),
			Width:  vg.Points(1.5),
			Dashes: pick(dashes, j),
		}
		if len(xys) > 0 {
			p.Add(l)
		}
		r.addEntry(c.Label, l)
	}

	if fig.XLog {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = logTicks{}
		p.X.Min, p.X.Max = logRange(p.X.Min, p.X.Max)
	}
	if fig.YLog {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
		p.Y.Min, p.Y.Max = logRange(p.Y.Min, p.Y.Max)
	}
	return r, nil
}

func (r *rendering) addEntry(label string, thumb plot.Thumbnailer) {
	if label == "" {
		return
	}
	r.legend.Add(label, thumb)
	r.entries++
}

// drawable reports whether a point can be placed: both coordinates finite, and
// positive on a log axis.
func drawable(x, y float64, xlog, ylog bool) bool {
	return finite(x) && finite(y) && (!xlog || x > 0) && (!ylog || y > 0)
}

// seriesData returns the drawable points of s and, if s has intervals, their error
// extents relative to Y. An end of an interval that is not finite, or not positive on a
// log axis, is not drawn.
func seriesData(s Series, xlog, ylog bool) (plotter.XYs, plotter.YErrors) {
	var xys plotter.XYs
	var errs plotter.YErrors
	if s.YLo != nil {
		errs = plotter.YErrors{}
	}
	for i := range s.X {
		x, y := s.X[i], s.Y[i]
		if !drawable(x, y, xlog, ylog) {
			continue
		}
		xys = append(xys, plotter.XY{X: x, Y: y})
		if s.YLo == nil {
			continue
		}
		var e struct{ Low, High float64 }
		if lo := s.YLo[i]; finite(lo) && (!ylog || lo > 0) {
			e.Low = y - lo
		}
		if hi := s.YHi[i]; finite(hi) {
			e.High = hi - y
		}
		errs = append(errs, e)
	}
	return xys, errs
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

// Draw draws the figure on c: the plot on the left and, if any series or curve has a
// label, the legend in a column on the right, level with the top of the data area. A
// legend too wide for a column (over a third of the width) goes in a band underneath.
func (r *rendering) Draw(c draw.Canvas) {
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	c = r.drawTitle(c)
	if r.entries == 0 {
		r.plot.Draw(c)
		return
	}
	gap := vg.Points(8)
	size := r.legend.Rectangle(c).Size()
	if size.X+gap <= c.Size().X/3 {
		plotC := draw.Crop(c, 0, -(size.X + 2*gap), 0, 0)
		r.plot.Draw(plotC)
		legC := draw.Crop(c, c.Size().X-(size.X+gap), 0, 0, -r.titleHeight())
		r.legend.Draw(legC)
		return
	}
	plotC := draw.Crop(c, 0, 0, size.Y+2*gap, 0)
	r.plot.Draw(plotC)
	legC := draw.Crop(c, gap, 0, gap, 0)
	legC.Max.Y = legC.Min.Y + size.Y
	r.legend.Draw(legC)
}

func (r *rendering) titleHeight() vg.Length {
	t := r.plot.Title
	if t.Text == "" {
		return 0
	}
	return t.TextStyle.Rectangle(t.Text).Size().Y + t.Padding
}

// drawTitle draws the title centred over the whole figure, not over the plot area
// alone (which a legend column narrows, pushing a long title off the left edge), in a
// smaller font if even the whole width is too narrow. It returns the canvas below it.
func (r *rendering) drawTitle(c draw.Canvas) draw.Canvas {
	t := r.plot.Title
	if t.Text == "" {
		return c
	}
	r.plot.Title.Text = ""
	sty := t.TextStyle
	for sty.Rectangle(t.Text).Size().X > c.Size().X-2*t.Padding && sty.Font.Size > vg.Points(7) {
		sty.Font.Size -= vg.Points(0.5)
	}
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
	c.FillText(sty, vg.Point{X: c.Center().X, Y: c.Max.Y - t.Padding}, t.Text)
	height := sty.Rectangle(t.Text).Size().Y + 2*t.Padding
	return draw.Crop(c, 0, 0, 0, -height)
}
