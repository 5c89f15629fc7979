package plots

import (
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

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

// hides is how near, vertically, the centres of a marker of a and one of b at the same
// x must be for one to hide the other: half the smaller radius. Farther apart, their
// different shapes and colours both show, and moving them sideways would only take
// each off its x (on a log axis, visibly off its theory curve).
func hides(a, b *pointSet) vg.Length { return min(a.radius(), b.radius()) / 2 }

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

// dodge moves apart, sideways, the markers of different series that would hide each
// other in the data area dc: at the same x, nearer than hides says. A group of m
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
			for end < len(group) && group[end].y-group[end-1].y < hides(sets[group[end].set], sets[group[end-1].set]) {
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
