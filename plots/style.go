package plots

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The size of a saved figure: 16 cm × 10 cm, readable on a slide and in a two-column
// paper. At PNGDPI the PNG is 945 × 591 pixels, which fits a 1280 × 720 projector at
// full size with the 10-point tick labels 21 pixels tall.
const (
	Width  = 16 * vg.Centimeter
	Height = 10 * vg.Centimeter
	PNGDPI = 150
)

// Text sizes, in points.
var (
	titleSize  = vg.Points(12)
	minTitle   = vg.Points(10) // a long title wraps before it shrinks below this
	labelSize  = vg.Points(11)
	tickSize   = vg.Points(10)
	legendSize = vg.Points(9.5)
)

// palette is the Okabe–Ito set (Okabe and Ito, "Color Universal Design", 2008),
// distinguishable by readers with colour-vision deficiencies, in the order that keeps
// neighbours apart in greyscale print. Series and lines take colours in order; the
// curves that are their theory share them; reference curves continue after them.
var palette = []color.Color{
	color.RGBA{0, 114, 178, 255},   // blue
	color.RGBA{213, 94, 0, 255},    // vermillion
	color.RGBA{0, 158, 115, 255},   // bluish green
	color.RGBA{204, 121, 167, 255}, // reddish purple
	color.RGBA{230, 159, 0, 255},   // orange
	color.RGBA{86, 180, 233, 255},  // sky blue
	color.RGBA{0, 0, 0, 255},       // black
}

// styleGrey draws the legend's key to the styles ("markers: simulated", "dashed:
// theory") when several series share it.
var styleGrey = color.RGBA{90, 90, 90, 255}

// noteGrey is the colour of the legend's notes.
var noteGrey = color.RGBA{70, 70, 70, 255}

// gridGrey is the colour of the grid lines at labelled ticks.
var gridGrey = color.RGBA{225, 225, 225, 255}

// shapes alternate filled and open markers of growing size, so that series whose
// points coincide stay visible one inside the other.
var shapes = []glyph{
	{disc, false, 1},
	{square, true, 1.3},
	{triangle, false, 1.15},
	{diamond, true, 1.45},
	{square, false, 0.95},
	{disc, true, 1.45},
	{diamond, false, 1.2},
	{triangle, true, 1.5},
}

// markerRadius is the size of a marker of scale 1.
var markerRadius = vg.Points(3)

// Line widths.
var (
	simWidth     = vg.Points(1.5)  // simulated lines
	theoryWidth  = vg.Points(2)    // a series' own theory
	refWidth     = vg.Points(1.25) // reference curves, drawn over the theory they bound
	barWidth     = vg.Points(1)    // error bars
	outlineWidth = vg.Points(1.1)  // open markers
)

// theoryDashes tell theory from simulation (solid) and one theory of a series from
// another: dashed, dotted, dash-dot, long dashes.
var theoryDashes = [][]vg.Length{
	{vg.Points(5), vg.Points(3)},
	{vg.Points(1.5), vg.Points(2)},
	{vg.Points(7), vg.Points(2.5), vg.Points(1.5), vg.Points(2.5)},
	{vg.Points(10), vg.Points(3)},
}

func pick[T any](s []T, i int) T { return s[i%len(s)] }

func textFont(size vg.Length) font.Font { return font.From(plot.DefaultFont, size) }

// shape names a marker's outline.
type shape int

const (
	disc shape = iota
	square
	triangle
	diamond
)

// glyph is a marker: a shape, open (outlined) or filled, and its size relative to
// markerRadius. It is a draw.GlyphDrawer.
type glyph struct {
	shape shape
	open  bool
	scale float64
}

func (g glyph) radius() vg.Length { return markerRadius * vg.Length(g.scale) }

// DrawGlyph draws the marker centred on pt, of radius sty.Radius, with areas close to
// those of a disc of that radius.
func (g glyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	r := sty.Radius
	var p vg.Path
	switch g.shape {
	case disc:
		p.Move(vg.Point{X: pt.X + r, Y: pt.Y})
		p.Arc(pt, r, 0, 2*math.Pi)
	case square:
		h := r * 0.85
		p.Move(vg.Point{X: pt.X - h, Y: pt.Y - h})
		p.Line(vg.Point{X: pt.X + h, Y: pt.Y - h})
		p.Line(vg.Point{X: pt.X + h, Y: pt.Y + h})
		p.Line(vg.Point{X: pt.X - h, Y: pt.Y + h})
	case triangle:
		h := r * 1.25
		p.Move(vg.Point{X: pt.X, Y: pt.Y + h})
		p.Line(vg.Point{X: pt.X - h*0.866, Y: pt.Y - h*0.5})
		p.Line(vg.Point{X: pt.X + h*0.866, Y: pt.Y - h*0.5})
	case diamond:
		h := r * 1.15
		p.Move(vg.Point{X: pt.X, Y: pt.Y + h})
		p.Line(vg.Point{X: pt.X + h, Y: pt.Y})
		p.Line(vg.Point{X: pt.X, Y: pt.Y - h})
		p.Line(vg.Point{X: pt.X - h, Y: pt.Y})
	}
	p.Close()
	if g.open {
		c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: outlineWidth})
		c.Stroke(p)
		return
	}
	c.SetColor(sty.Color)
	c.Fill(p)
}

// translucent is col with alpha a (0–255), for bands.
func translucent(col color.Color, a uint8) color.Color {
	r, g, b, _ := col.RGBA()
	return color.NRGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), a}
}
