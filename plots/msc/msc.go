// Package msc draws message sequence charts in the style of the networking texts'
// figures (Kurose & Ross Figures 2.7, 2.19, 2.21): one vertical time line per host,
// time flowing down, each message an arrow from the moment it leaves its sender to
// the moment it has arrived, labelled with its first line, round trips bracketed
// beside the line of the host that measured them, and a time axis in milliseconds.
//
// It draws a Chart, a plain table of hosts, messages and brackets: it knows nothing
// of the simulation (package capture builds charts from a run).
package msc

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Chart is one sequence chart.
type Chart struct {
	Title    string
	Hosts    []string // the time lines, left to right
	Messages []Message
	Brackets []Bracket
	// FromMs and ToMs are the time window drawn, in ms of virtual time; ToMs <= FromMs
	// means from the first message's departure to the last one's arrival.
	FromMs, ToMs float64
}

// Message is one arrow. Its first bit leaves at SendMs and reaches the receiver
// DelayMs later; its last bit leaves at SentMs and arrives at SentMs + DelayMs. A
// message whose transmission takes visible time is drawn as a band between the two.
type Message struct {
	From, To        int // indices in Chart.Hosts
	SendMs, SentMs  float64
	DelayMs         float64
	Label           string
	Control         bool // a TCP control segment: drawn lighter
	LabelBelowArrow bool // place the label under the arrow's middle, not over it
}

// Bracket marks an interval on one host's line: an RTT.
type Bracket struct {
	Host         int
	FromMs, ToMs float64
	Label        string
}

// Layout, in points.
const (
	columnWidth  = 170
	axisWidth    = 58
	marginRight  = 70
	headerHeight = 46
	footerHeight = 16
	perMessage   = 34
	minHeight    = 320
	maxHeight    = 2400
	// PNGDPI is the resolution of the PNG.
	PNGDPI = 150
)

// Size is the chart's width and height: a column per host, and a height that gives
// each message room for its label.
func (c *Chart) Size() (w, h vg.Length) {
	w = axisWidth + columnWidth*vg.Length(max(len(c.Hosts), 1)) + marginRight
	h = vg.Length(min(max(minHeight, headerHeight+footerHeight+perMessage*(len(c.Messages)+1)), maxHeight))
	return w, h
}

// Check reports a chart that cannot be drawn.
func (c *Chart) Check() error {
	if len(c.Hosts) < 1 {
		return fmt.Errorf("msc: a chart needs at least one host")
	}
	for i, m := range c.Messages {
		if m.From < 0 || m.From >= len(c.Hosts) || m.To < 0 || m.To >= len(c.Hosts) {
			return fmt.Errorf("msc: message %d (%q) joins hosts %d and %d of %d", i, m.Label, m.From, m.To, len(c.Hosts))
		}
		if !(m.SentMs >= m.SendMs) || !(m.DelayMs >= 0) {
			return fmt.Errorf("msc: message %d (%q): times %v, %v, delay %v", i, m.Label, m.SendMs, m.SentMs, m.DelayMs)
		}
	}
	for i, b := range c.Brackets {
		if b.Host < 0 || b.Host >= len(c.Hosts) || !(b.ToMs >= b.FromMs) {
			return fmt.Errorf("msc: bracket %d (%q) is out of place", i, b.Label)
		}
	}
	return nil
}

// window is the span of time drawn.
func (c *Chart) window() (from, to float64) {
	from, to = c.FromMs, c.ToMs
	if to > from {
		return from, to
	}
	from, to = math.Inf(1), math.Inf(-1)
	for _, m := range c.Messages {
		from = math.Min(from, m.SendMs)
		to = math.Max(to, m.SentMs+m.DelayMs)
	}
	if math.IsInf(from, 1) {
		return 0, 1
	}
	if to <= from {
		to = from + 1
	}
	return from, to
}

var (
	ink   = color.Gray{Y: 0x20}
	light = color.Gray{Y: 0x90}
	band  = color.Gray{Y: 0xe4}
	blue  = color.RGBA{R: 0x1f, G: 0x4e, B: 0x9a, A: 0xff}
)

func style(size vg.Length, c color.Color) draw.TextStyle {
	return draw.TextStyle{Color: c, Font: font.From(plot.DefaultFont, size), Handler: plot.DefaultTextHandler}
}

// Draw draws the chart on dc.
func (c *Chart) Draw(dc draw.Canvas) {
	from, to := c.window()
	min, max := dc.Min, dc.Max
	top := max.Y - headerHeight
	bottom := min.Y + footerHeight
	y := func(ms float64) vg.Length {
		return top - vg.Length((ms-from)/(to-from))*(top-bottom)
	}
	x := func(host int) vg.Length { return min.X + axisWidth + columnWidth*(vg.Length(host)+0.5) }
	clip := func(ms float64) float64 { return math.Min(math.Max(ms, from), to) }

	if c.Title != "" {
		ts := style(11, ink)
		ts.XAlign, ts.YAlign = draw.XCenter, draw.YTop
		dc.FillText(ts, vg.Point{X: (min.X + max.X) / 2, Y: max.Y - 4}, c.Title)
	}
	// The host lines and their names.
	name := style(10, ink)
	name.XAlign, name.YAlign = draw.XCenter, draw.YBottom
	for i, h := range c.Hosts {
		dc.FillText(name, vg.Point{X: x(i), Y: top + 6}, h)
		dc.StrokeLine2(draw.LineStyle{Color: ink, Width: vg.Points(1.2)}, x(i), top, x(i), bottom)
	}
	c.drawAxis(dc, from, to, y, top, bottom)
	for _, m := range c.Messages {
		c.drawMessage(dc, m, x, y, clip)
	}
	for _, b := range c.Brackets {
		c.drawBracket(dc, b, x, y, clip)
	}
}

// drawAxis draws the time axis at the left, ticks at a round step in ms.
func (c *Chart) drawAxis(dc draw.Canvas, from, to float64, y func(float64) vg.Length, top, bottom vg.Length) {
	ax := dc.Min.X + axisWidth - 14
	ls := draw.LineStyle{Color: ink, Width: vg.Points(0.8)}
	dc.StrokeLine2(ls, ax, top, ax, bottom)
	step := niceStep((to - from) / 8)
	tick := style(8, ink)
	tick.XAlign, tick.YAlign = draw.XRight, draw.YCenter
	for v := math.Ceil(from/step) * step; v <= to+step*1e-9; v += step {
		dc.StrokeLine2(ls, ax-3, y(v), ax, y(v))
		dc.FillText(tick, vg.Point{X: ax - 5, Y: y(v)}, formatMs(v, step))
	}
	lab := style(9, ink)
	lab.XAlign, lab.YAlign = draw.XCenter, draw.YBottom
	dc.FillText(lab, vg.Point{X: ax, Y: top + 6}, "ms")
	arrow := draw.LineStyle{Color: ink, Width: vg.Points(0.8)}
	dc.StrokeLines(arrow, []vg.Point{{X: ax - 3, Y: bottom + 6}, {X: ax, Y: bottom}, {X: ax + 3, Y: bottom + 6}})
}

// niceStep is 1, 2 or 5 times a power of ten, at least raw.
func niceStep(raw float64) float64 {
	if !(raw > 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

func formatMs(v, step float64) string {
	digits := max(0, int(-math.Floor(math.Log10(step))))
	return fmt.Sprintf("%.*f", digits, v)
}

// drawMessage draws one message: a band for its transmission if it shows (first bit
// to last bit, as the texts draw a file's transmission time), and an arrow to the
// moment its last bit arrives, labelled along it.
func (c *Chart) drawMessage(dc draw.Canvas, m Message, x func(int) vg.Length, y func(float64) vg.Length, clip func(float64) float64) {
	x0, x1 := x(m.From), x(m.To)
	send, arrive := y(clip(m.SendMs)), y(clip(m.SentMs+m.DelayMs))
	col := color.Color(ink)
	width := vg.Points(1)
	if m.Control {
		col, width = light, vg.Points(0.8)
	}
	banded := y(m.SendMs)-y(m.SentMs) > 1.5 && m.From != m.To
	if banded {
		first := y(clip(m.SendMs + m.DelayMs))
		var p vg.Path
		p.Move(vg.Point{X: x0, Y: send})
		p.Line(vg.Point{X: x1, Y: first})
		p.Line(vg.Point{X: x1, Y: arrive})
		p.Line(vg.Point{X: x0, Y: y(clip(m.SentMs))})
		p.Close()
		dc.SetColor(band)
		dc.Fill(p)
		dc.StrokeLine2(draw.LineStyle{Color: col, Width: vg.Points(0.6)}, x0, send, x1, first)
		send = y(clip(m.SentMs)) // the arrow is the last bit's
	}
	dc.StrokeLine2(draw.LineStyle{Color: col, Width: width}, x0, send, x1, arrive)
	dx, dy := float64(x1-x0), float64(arrive-send)
	n := math.Hypot(dx, dy)
	if n > 0 {
		ux, uy := dx/n, dy/n
		const l, w = 7, 3
		var p vg.Path
		p.Move(vg.Point{X: x1, Y: arrive})
		p.Line(vg.Point{X: x1 - vg.Length(l*ux-w*uy), Y: arrive - vg.Length(l*uy+w*ux)})
		p.Line(vg.Point{X: x1 - vg.Length(l*ux+w*uy), Y: arrive - vg.Length(l*uy-w*ux)})
		p.Close()
		dc.SetColor(col)
		dc.Fill(p)
	}
	if m.Label == "" {
		return
	}
	ts := style(8, ink)
	if m.Control {
		ts = style(7.5, light)
	}
	ts.XAlign, ts.YAlign = draw.XCenter, draw.YBottom
	if m.LabelBelowArrow {
		ts.YAlign = draw.YTop
	}
	mid := vg.Point{X: (x0 + x1) / 2, Y: (send + arrive) / 2}
	if banded {
		// In the middle of the band, clear of a segment that leaves with the last bit.
		ts.YAlign = draw.YCenter
		mid.Y = y(clip((m.SendMs + m.SentMs + m.DelayMs) / 2))
	}
	if m.From == m.To || n == 0 {
		ts.XAlign = draw.XLeft
		mid.X += 4
	} else {
		// Along the arrow, upright, just above it.
		angle := math.Atan2(dy, dx)
		if dx < 0 {
			angle += math.Pi
		}
		ts.Rotation = angle
		off := vg.Length(1.5)
		if banded {
			off = 0
		}
		if m.LabelBelowArrow {
			off = -off
		}
		mid.X -= off * vg.Length(math.Sin(angle))
		mid.Y += off * vg.Length(math.Cos(angle))
	}
	dc.FillText(ts, mid, m.Label)
}

// drawBracket draws a bracket beside its host's line: to the left of the leftmost
// host, else to the right.
func (c *Chart) drawBracket(dc draw.Canvas, b Bracket, x func(int) vg.Length, y func(float64) vg.Length, clip func(float64) float64) {
	side := vg.Length(1)
	if b.Host == 0 && len(c.Hosts) > 1 {
		side = -1
	}
	bx := x(b.Host) + side*12
	y0, y1 := y(clip(b.FromMs)), y(clip(b.ToMs))
	ls := draw.LineStyle{Color: blue, Width: vg.Points(0.9)}
	dc.StrokeLines(ls, []vg.Point{{X: bx - side*4, Y: y0}, {X: bx, Y: y0}, {X: bx, Y: y1}, {X: bx - side*4, Y: y1}})
	ts := style(8, blue)
	ts.YAlign = draw.YCenter
	ts.XAlign = draw.XLeft
	at := bx + 3
	if side < 0 {
		ts.XAlign, at = draw.XRight, bx-3
	}
	dc.FillText(ts, vg.Point{X: at, Y: (y0 + y1) / 2}, b.Label)
}

// Encode draws the chart as "svg" or "png" and writes it to w.
func (c *Chart) Encode(w io.Writer, format string) (err error) {
	if err := c.Check(); err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil { // gonum/plot panics on what it does not expect
			err = fmt.Errorf("msc: drawing %q: %v", c.Title, r)
		}
	}()
	wd, ht := c.Size()
	var wt io.WriterTo
	switch format {
	case "svg":
		cv := vgsvg.New(wd, ht)
		c.Draw(draw.New(cv))
		wt = cv
	case "png":
		cv := vgimg.NewWith(vgimg.UseWH(wd, ht), vgimg.UseDPI(PNGDPI))
		dc := draw.New(cv)
		dc.SetColor(color.White)
		dc.Fill(dc.Rectangle.Path())
		c.Draw(dc)
		wt = vgimg.PngCanvas{Canvas: cv}
	default:
		return fmt.Errorf("msc: unknown format %q (want svg or png)", format)
	}
	_, err = wt.WriteTo(w)
	return err
}

// Save writes the chart as basePath+".svg" and basePath+".png", each atomically
// (a temporary file renamed), or neither if it cannot be drawn.
func Save(c *Chart, basePath string) error {
	var svg, png bytes.Buffer
	if err := c.Encode(&svg, "svg"); err != nil {
		return err
	}
	if err := c.Encode(&png, "png"); err != nil {
		return err
	}
	if err := writeAtomic(basePath+".svg", svg.Bytes()); err != nil {
		return err
	}
	return writeAtomic(basePath+".png", png.Bytes())
}

func writeAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("msc: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("msc: writing %s: %w", path, err)
	}
	return nil
}
