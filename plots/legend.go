package plots

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// legend is the key to a figure: one row per series or line, showing its marker over
// the line of its theory, one per reference curve, and a key to the styles — a marker
// with the Note ("mean of 20 runs, 95% interval") and the dashes of each theory — that
// says which is simulated and which is theory without repeating it on every row.
type legend struct {
	rows []legendRow
}

type legendRow struct {
	text   string
	colour color.Color
	thumbs []thumb  // drawn one over the other; none for a note
	lines  []string // text wrapped to the legend's width, by layout
}

// thumb is the small picture of a style at the start of a legend row.
type thumb interface {
	draw(c draw.Canvas, box vg.Rectangle)
}

type lineThumb struct{ style draw.LineStyle }

func (t lineThumb) draw(c draw.Canvas, box vg.Rectangle) {
	y := (box.Min.Y + box.Max.Y) / 2
	c.StrokeLine2(t.style, box.Min.X, y, box.Max.X, y)
}

type bandThumb struct{ colour color.Color }

func (t bandThumb) draw(c draw.Canvas, box vg.Rectangle) {
	h := box.Size().Y / 3
	y := (box.Min.Y + box.Max.Y) / 2
	c.FillPolygon(t.colour, []vg.Point{{X: box.Min.X, Y: y - h}, {X: box.Max.X, Y: y - h}, {X: box.Max.X, Y: y + h}, {X: box.Min.X, Y: y + h}})
}

type markerThumb struct {
	glyph  glyph
	colour color.Color
	bar    bool // with an error bar
}

func (t markerThumb) draw(c draw.Canvas, box vg.Rectangle) {
	mid := vg.Point{X: (box.Min.X + box.Max.X) / 2, Y: (box.Min.Y + box.Max.Y) / 2}
	if t.bar {
		h := box.Size().Y/2 - vg.Points(0.5)
		sty := draw.LineStyle{Color: t.colour, Width: barWidth}
		c.StrokeLine2(sty, mid.X, mid.Y-h, mid.X, mid.Y+h)
		w := vg.Points(2.5)
		c.StrokeLine2(sty, mid.X-w, mid.Y-h, mid.X+w, mid.Y-h)
		c.StrokeLine2(sty, mid.X-w, mid.Y+h, mid.X+w, mid.Y+h)
	}
	c.DrawGlyphNoClip(draw.GlyphStyle{Color: t.colour, Radius: t.glyph.radius(), Shape: t.glyph}, mid)
}

// buildLegend writes the legend of fig, drawn in the given styles; hidden is the number
// of points a log axis could not show.
func buildLegend(fig Figure, points, lines, curves []style, hidden int) legend {
	type key struct {
		label  string
		colour color.Color
		thumbs []thumb // its own style
	}
	var keys []key
	seen := map[string]bool{}
	anyBar := false
	for i, s := range fig.Points {
		bar := false
		for k := range s.YLo {
			bar = bar || finite(s.YLo[k]) && finite(s.YHi[k]) && s.YHi[k] > s.YLo[k]
		}
		anyBar = anyBar || bar
		if !seen[s.Label] {
			seen[s.Label] = true
			keys = append(keys, key{s.Label, points[i].colour, []thumb{markerThumb{points[i].glyph, points[i].colour, bar}}})
		}
	}
	for i, l := range fig.Lines {
		if seen[l.Label] {
			continue
		}
		seen[l.Label] = true
		th := []thumb{lineThumb{draw.LineStyle{Color: lines[i].colour, Width: lines[i].width}}}
		if l.YLo != nil {
			th = append([]thumb{bandThumb{translucent(lines[i].colour, 55)}}, th...)
		}
		keys = append(keys, key{l.Label, lines[i].colour, th})
	}

	var rows []legendRow
	type theory struct {
		label  string
		dashes []vg.Length
	}
	var theories []theory
	theorySeen := map[string]bool{}
	for _, k := range keys {
		row := legendRow{text: k.label, colour: color.Black}
		first := true
		for j, c := range fig.Curves {
			if c.Of != k.label {
				continue
			}
			if first {
				row.thumbs = append(row.thumbs, lineThumb{draw.LineStyle{Color: k.colour, Width: curves[j].width, Dashes: curves[j].dashes}})
				first = false
			}
			if !theorySeen[c.Label] {
				theorySeen[c.Label] = true
				theories = append(theories, theory{c.Label, curves[j].dashes})
			}
		}
		row.thumbs = append(row.thumbs, k.thumbs...)
		if k.label != "" {
			rows = append(rows, row)
		}
	}
	// The key to the styles: grey when several series share it, in the series' own
	// colour (standing for its row) when there is one.
	if len(theories) > 0 || fig.Note != "" {
		colour := color.Color(styleGrey)
		single := len(keys) == 1
		if single {
			colour = keys[0].colour
			rows = rows[:0]
		}
		switch {
		case len(fig.Points) > 0:
			g := glyph{disc, false, 1}
			if single {
				g = points[0].glyph
			}
			text := fig.Note
			if text == "" {
				text = "simulated"
				if single && keys[0].label != "" {
					text = keys[0].label
				}
			}
			rows = append(rows, legendRow{text: text, colour: color.Black, thumbs: []thumb{markerThumb{g, colour, anyBar}}})
		case len(fig.Lines) > 0 && fig.Note != "":
			rows = append(rows, legendRow{text: fig.Note, colour: color.Black, thumbs: []thumb{
				bandThumb{translucent(colour, 55)}, lineThumb{draw.LineStyle{Color: colour, Width: simWidth}}}})
		}
		for _, th := range theories {
			rows = append(rows, legendRow{text: th.label, colour: color.Black,
				thumbs: []thumb{lineThumb{draw.LineStyle{Color: colour, Width: theoryWidth, Dashes: th.dashes}}}})
		}
	}
	for j, c := range fig.Curves {
		if c.Of == "" && c.Label != "" {
			rows = append(rows, legendRow{text: c.Label, colour: color.Black,
				thumbs: []thumb{lineThumb{draw.LineStyle{Color: curves[j].colour, Width: curves[j].width, Dashes: curves[j].dashes}}}})
		}
	}
	if hidden > 0 {
		what := "points"
		if hidden == 1 {
			what = "point"
		}
		rows = append(rows, legendRow{text: fmt.Sprintf("%d %s at 0 not shown (log axis)", hidden, what), colour: noteGrey})
	}
	return legend{rows: rows}
}

// The legend's layout, in points.
var (
	legendPad   = vg.Points(4)
	thumbWidth  = vg.Points(26)
	thumbGap    = vg.Points(5)
	rowSpacing  = 1.2 // times the text height
	legendFrame = color.RGBA{160, 160, 160, 255}
	// legendText is the widest a row's text may be, as a fraction of the figure's
	// width; longer texts wrap, so that a legend beside the plot stays a narrow column.
	// Inside the axes, a legend may also take legendTextInside, if that lets it fit.
	legendText       = 0.3
	legendTextInside = 0.42
)

func (l legend) textStyle(col color.Color) draw.TextStyle {
	return draw.TextStyle{Color: col, Font: textFont(legendSize), Handler: plot.DefaultTextHandler,
		XAlign: draw.XLeft, YAlign: draw.YCenter}
}

func (l legend) lineHeight() vg.Length {
	return l.textStyle(color.Black).Rectangle("Mg").Size().Y * vg.Length(rowSpacing)
}

// layout wraps every row's text to the given width.
func (l *legend) layout(width vg.Length) {
	sty := l.textStyle(color.Black)
	for i := range l.rows {
		l.rows[i].lines = wrap(sty, l.rows[i].text, width)
	}
}

// size is the size of the legend's box, after layout.
func (l legend) size() vg.Point {
	sty := l.textStyle(color.Black)
	w, lines := vg.Length(0), 0
	for _, r := range l.rows {
		for _, line := range r.lines {
			w = max(w, thumbWidth+thumbGap+sty.Rectangle(line).Size().X)
		}
		lines += len(r.lines)
	}
	return vg.Point{X: w + 2*legendPad, Y: vg.Length(lines)*l.lineHeight() + 2*legendPad}
}

// draw draws the legend in box: an opaque white box with a thin frame, rows from the
// top, each row's thumbnail level with its first line.
func (l legend) draw(c draw.Canvas, box vg.Rectangle) {
	c.FillPolygon(color.White, []vg.Point{box.Min, {X: box.Max.X, Y: box.Min.Y}, box.Max, {X: box.Min.X, Y: box.Max.Y}})
	frame := draw.LineStyle{Color: legendFrame, Width: vg.Points(0.5)}
	c.StrokeLines(frame, []vg.Point{box.Min, {X: box.Max.X, Y: box.Min.Y}, box.Max, {X: box.Min.X, Y: box.Max.Y}, box.Min})
	h := l.lineHeight()
	y := box.Max.Y - legendPad
	for _, r := range l.rows {
		x := box.Min.X + legendPad
		tb := vg.Rectangle{Min: vg.Point{X: x, Y: y - h}, Max: vg.Point{X: x + thumbWidth, Y: y}}
		for _, t := range r.thumbs {
			t.draw(c, tb)
		}
		for _, line := range r.lines {
			c.FillText(l.textStyle(r.colour), vg.Point{X: x + thumbWidth + thumbGap, Y: y - h/2}, line)
			y -= h
		}
	}
}
