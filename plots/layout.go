package plots

import (
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

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
	// Inside the axes, a legend of fewer, longer lines where it fits, else a narrower
	// and taller one; beside them, the narrow one, which leaves the plot more room.
	for _, width := range []float64{legendTextInside, legendText} {
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

// words splits text at spaces, keeping "K = 10" together.
func words(text string) []string {
	var out []string
	fields := strings.Fields(text)
	for i := 0; i < len(fields); i++ {
		w := fields[i]
		for i+2 < len(fields) && fields[i+1] == "=" {
			w += " = " + fields[i+2]
			i += 2
		}
		out = append(out, w)
	}
	return out
}

// greedyWrap fills each line with as many words as fit in width.
func greedyWrap(sty draw.TextStyle, text string, width vg.Length) []string {
	var lines []string
	line := ""
	for _, word := range words(text) {
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
