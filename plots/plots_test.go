package plots

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// distribution is the textbook's client-server against P2P figure (Kurose & Ross,
// figure 2.23) with made-up simulated points: what a filedist sweep produces.
func distribution() Figure {
	n := []float64{1, 10, 30}
	return Figure{
		Title:  "Distribution time, F = 15 Gbit, us = 30 Mbps",
		XLabel: "N (peers)",
		YLabel: "Distribution time (s)",
		Points: []Series{
			{Label: "client-server (sim)", X: n, Y: []float64{500.25, 5000.5, 15001},
				YLo: []float64{499.5, 4990, 14990.125}, YHi: []float64{501, 5011, 15012}},
			{Label: "P2P, u = 700 kbps (sim)", X: n, Y: []float64{1.0 / 3, 2, 3.1},
				YLo: []float64{0.25, math.NaN(), 3}, YHi: []float64{0.5, math.NaN(), 3.2}},
		},
		Curves: []Curve{
			{Label: "D_cs, with \"quotes\", and a comma", Of: "client-server (sim)", X: n, Y: []float64{500, 5000, 15000}},
			{Label: "D_P2P", X: n, Y: []float64{500, 1e-7, 2.5e21}},
		},
	}
}

func TestWriteCSVGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, distribution()); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "distribution.csv")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("CSV differs from %s:\n got:\n%s\nwant:\n%s", golden, buf.Bytes(), want)
	}
}

func TestSave(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "distribution")
	fig := distribution()
	fig.YLog = true
	if err := Save(fig, base); err != nil {
		t.Fatal(err)
	}
	magic := map[string]string{".png": "\x89PNG\r\n\x1a\n", ".svg": "<?xml", ".csv": "kind,label,x,y,ylo,yhi,of\n"}
	for ext, m := range magic {
		b, err := os.ReadFile(base + ext)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte(m)) {
			t.Errorf("%s starts with %q, want %q", ext, b[:min(len(b), 16)], m)
		}
		if ext == ".svg" && !bytes.Contains(b, []byte("<svg")) {
			t.Errorf("%s has no <svg element", ext)
		}
	}
	var want bytes.Buffer
	if err := WriteCSV(&want, fig); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(base + ".csv"); !bytes.Equal(got, want.Bytes()) {
		t.Errorf("saved CSV differs from WriteCSV")
	}
	// Nothing but the three files: no temporary file left behind.
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, " "); got != "distribution.csv distribution.png distribution.svg" {
		t.Errorf("folder holds %s", got)
	}
	for _, e := range entries {
		info, _ := e.Info()
		if info.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v, want 0644", e.Name(), info.Mode().Perm())
		}
	}
}

// Values a log axis cannot show, and values no axis can, are left out of the drawing
// rather than crashing it.
func TestSaveAwkwardData(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	figs := map[string]Figure{
		"log axes, non-positive values": {XLog: true, YLog: true,
			Points: []Series{{Label: "s", X: []float64{-1, 0, 1, 10}, Y: []float64{1, 2, 0, 5},
				YLo: []float64{0, 1, -1, -3}, YHi: []float64{2, 3, 1, 6}}},
			Curves: []Curve{{Label: "c", X: []float64{0, 1, 2}, Y: []float64{1, -1, 4}}}},
		"log axes, nothing drawable": {XLog: true, YLog: true,
			Points: []Series{{Label: "zero", X: []float64{0, 1}, Y: []float64{5, 0}}}},
		"log axis, one point below 1": {YLog: true,
			Curves: []Curve{{Label: "one", X: []float64{3}, Y: []float64{0.25}}}},
		"linear, one point": {Points: []Series{{X: []float64{3}, Y: []float64{3}}}},
		"NaN and Inf": {Points: []Series{{Label: "s", X: []float64{1, 2, nan, 4}, Y: []float64{inf, 1, 2, 3},
			YLo: []float64{0, nan, 1, 2}, YHi: []float64{inf, 2, 3, inf}}}},
		"empty series":      {Points: []Series{{Label: "nothing"}}},
		"long legend label": {Curves: []Curve{{Label: strings.Repeat("a very long legend label ", 4), X: []float64{1, 2}, Y: []float64{1, 2}}}},
	}
	for name, fig := range figs {
		t.Run(name, func(t *testing.T) {
			base := filepath.Join(t.TempDir(), "fig")
			if err := Save(fig, base); err != nil {
				t.Fatal(err)
			}
			for _, ext := range []string{".png", ".svg", ".csv"} {
				if info, err := os.Stat(base + ext); err != nil || info.Size() == 0 {
					t.Errorf("%s: %v, empty or missing", ext, err)
				}
			}
		})
	}
}

func TestValidate(t *testing.T) {
	xy := []float64{1, 2}
	tests := []struct {
		name string
		fig  Figure
		want string // substring of the error
	}{
		{"empty", Figure{Title: "t"}, "empty figure"},
		{"series Y short", Figure{Points: []Series{{Label: "a", X: xy, Y: xy[:1]}}}, `series 0 ("a"): len(Y) = 1, len(X) = 2`},
		{"YLo without YHi", Figure{Points: []Series{{X: xy, Y: xy, YLo: xy}}}, "YLo and YHi must both be set"},
		{"YHi short", Figure{Points: []Series{{X: xy, Y: xy, YLo: xy, YHi: xy[:1]}}}, "len(YLo) = 2, len(YHi) = 1, len(X) = 2"},
		{"YLo above Y", Figure{Points: []Series{{X: xy, Y: xy, YLo: []float64{1, 3}, YHi: xy}}}, "point 1: YLo 3 above Y 2"},
		{"YHi below Y", Figure{Points: []Series{{X: xy, Y: xy, YLo: xy, YHi: []float64{0, 2}}}}, "point 0: YHi 0 below Y 1"},
		{"curve X long", Figure{Curves: []Curve{{Label: "c", X: xy, Y: nil}}}, `curve 0 ("c"): len(Y) = 0, len(X) = 2`},
	}
	for _, tt := range tests {
		err := tt.fig.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Validate() = %v, want an error containing %q", tt.name, err, tt.want)
		}
		if err := Save(tt.fig, filepath.Join(t.TempDir(), "x")); err == nil {
			t.Errorf("%s: Save accepted an invalid figure", tt.name)
		}
		if err := WriteCSV(&bytes.Buffer{}, tt.fig); err == nil {
			t.Errorf("%s: WriteCSV accepted an invalid figure", tt.name)
		}
	}
	if err := distribution().Validate(); err != nil {
		t.Errorf("valid figure: %v", err)
	}
}

func TestSaveMissingFolder(t *testing.T) {
	err := Save(distribution(), filepath.Join(t.TempDir(), "no", "such", "dir", "fig"))
	if err == nil || !strings.Contains(err.Error(), "fig.csv") {
		t.Errorf("Save into a missing folder: %v, want an error naming fig.csv", err)
	}
}

// A log axis leaves a margin of 4% of the data's span in decades (at least a fiftieth
// of a decade) on either side, and always has two labels.
func TestLogRange(t *testing.T) {
	tests := []struct{ lo, hi, wantLo, wantHi float64 }{
		{1, 1000, math.Pow(10, -0.12), math.Pow(10, 3.12)},
		{7500, 15000, 7500 / math.Pow(10, 0.02), 15000 * math.Pow(10, 0.02)},
		{3, 3, 3 / math.Pow(10, 0.02), 3 * math.Pow(10, 0.02)}, // linear ticks inside: 2.9, 2.95, ...
		{math.Inf(1), math.Inf(-1), 1, 10},                     // no data
		{0, 5, 1, 10},
	}
	for _, tt := range tests {
		lo, hi := logRange(tt.lo, tt.hi)
		if math.Abs(lo-tt.wantLo) > 1e-9*tt.wantLo || math.Abs(hi-tt.wantHi) > 1e-9*tt.wantHi {
			t.Errorf("logRange(%g, %g) = %g, %g; want %g, %g", tt.lo, tt.hi, lo, hi, tt.wantLo, tt.wantHi)
		}
		labels := 0
		for _, tick := range (logTicks{}).Ticks(lo, hi) {
			if !tick.IsMinor() {
				labels++
			}
		}
		if labels < 2 {
			t.Errorf("logRange(%g, %g): %d labels", tt.lo, tt.hi, labels)
		}
	}
}

// A linear y axis starts at 0 when nothing is negative; every end leaves a margin of 4%
// of the span, except the pinned one.
func TestLinearRange(t *testing.T) {
	tests := []struct{ lo, hi, pin, wantLo, wantHi float64 }{
		{2, 12, 0, 0, 12.48},
		{0, 10, 0, 0, 10.4},
		{-5, 5, math.NaN(), -5.4, 5.4},
		{1, 35, math.NaN(), 1 - 1.36, 35 + 1.36},
		{4, 4, math.NaN(), 3.984, 4.016},
		{math.Inf(1), math.Inf(-1), 0, 0, 1},
	}
	for _, tt := range tests {
		lo, hi := linearRange(tt.lo, tt.hi, tt.pin)
		if math.Abs(lo-tt.wantLo) > 1e-12 || math.Abs(hi-tt.wantHi) > 1e-12 {
			t.Errorf("linearRange(%g, %g, %g) = %g, %g; want %g, %g", tt.lo, tt.hi, tt.pin, lo, hi, tt.wantLo, tt.wantHi)
		}
	}
}

func TestTickLabels(t *testing.T) {
	labels := func(ticks []plot.Tick) string {
		var s []string
		for _, t := range ticks {
			if !t.IsMinor() {
				s = append(s, t.Label)
			}
		}
		return strings.Join(s, " ")
	}
	tests := []struct {
		name   string
		ticker plot.Ticker
		lo, hi float64
		want   string
	}{
		{"linear thousands", linearTicks{}, 7500, 15000, "8000 10000 12000 14000"},
		{"linear quarters", linearTicks{}, 0, 1, "0.0 0.2 0.4 0.6 0.8 1.0"},
		{"linear negative", linearTicks{}, -7, 3, "-6 -4 -2 0 2"},
		{"linear tiny", linearTicks{}, 0.0011, 0.0019, "0.0012 0.0014 0.0016 0.0018"},
		{"linear millions", linearTicks{}, 0, 3e6, "0 1e6 2e6 3e6"},
		{"log many decades", logTicks{}, 1, 1e4, "1 10 100 1000 10000"},
		{"log two decades, powers of ten", logTicks{}, 1, 100, "1 10 100"},
		{"log under half a decade", logTicks{}, 7500, 15600, "8000 10000 12000 14000"},
		{"log under a decade", logTicks{}, 0.25, 1.02, "0.3 0.5 1"},
		{"log narrow, every m", logTicks{}, 0.55, 0.95, "0.6 0.7 0.8 0.9"},
		// One format per axis: all plain while every label is, all exponents otherwise.
		{"log small", logTicks{}, 1e-4, 1e-2, "0.0001 0.001 0.01"},
		{"log under two decades", logTicks{}, 0.3, 17, "0.5 1 2 5 10"},
		{"log tiny", logTicks{}, 1e-6, 1e-2, "1e-6 1e-5 1e-4 1e-3 1e-2"},
		{"log huge", logTicks{}, 1, 1e7, "1e0 1e1 1e2 1e3 1e4 1e5 1e6 1e7"},
		{"linear common exponent", linearTicks{}, 0, 1.5e9, "0 0.5e9 1.0e9 1.5e9"},
		{"linear counts", linearTicks{}, 0, 11, "0 2 4 6 8 10"},
	}
	for _, tt := range tests {
		if got := labels(tt.ticker.Ticks(tt.lo, tt.hi)); got != tt.want {
			t.Errorf("%s: labels %q, want %q", tt.name, got, tt.want)
		}
	}
}

// Titles wrap at spaces, never inside "K = 10", into lines of even length.
func TestWrap(t *testing.T) {
	if got := strings.Join(words("load (K = 10, P = 10 ms)"), "|"); got != "load|(K = 10,|P = 10|ms)" {
		t.Errorf("words: %s", got)
	}
	sty := draw.TextStyle{Font: textFont(titleSize), Handler: plot.DefaultTextHandler}
	title := "Page load time against object size (K = 10, P = 10, 20 Mbps, RTT 100 ms, 65535 B window)"
	width := sty.Rectangle(title).Size().X * 0.7
	lines := wrap(sty, title, width)
	if len(lines) != 2 {
		t.Fatalf("%d lines: %q", len(lines), lines)
	}
	w0, w1 := sty.Rectangle(lines[0]).Size().X, sty.Rectangle(lines[1]).Size().X
	if w0 > width || w1 > width || math.Abs(float64(w0-w1)) > 0.25*float64(width) {
		t.Errorf("uneven lines %q (%v, %v) for width %v", lines, w0, w1, width)
	}
	if strings.Join(lines, " ") != title {
		t.Errorf("wrapping lost words: %q", lines)
	}
}

// Markers of two series at the same x are set side by side only where one would hide
// the other, their centres nearer than half the smaller radius (Kurose & Ross's
// non-persistent and parallel connection counts, equal at every K); a little farther
// apart both shapes show, and each stays on its x, so on its theory curve.
func TestDodgeOnlyHidden(t *testing.T) {
	p := plot.New()
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 10, 0, 100
	dc := p.DataCanvas(draw.New(vgimg.New(Width, Height)))
	perPoint := 100 / float64(dc.Size().Y) // y units per point
	for _, c := range []struct {
		dyRadii float64 // the centres' distance, in the smaller marker's radii
		moved   bool
	}{{0, true}, {0.4, true}, {0.6, false}, {2, false}} {
		a := &pointSet{style: style{glyph: shapes[0]}}
		b := &pointSet{style: style{glyph: shapes[1]}}
		dy := c.dyRadii * float64(min(a.radius(), b.radius())) * perPoint
		a.xys, b.xys = plotter.XYs{{X: 5, Y: 50}}, plotter.XYs{{X: 5, Y: 50 + dy}}
		a.dx, b.dx = make([]vg.Length, 1), make([]vg.Length, 1)
		dodge([]*pointSet{a, b}, p, dc)
		if moved := a.dx[0] != 0 || b.dx[0] != 0; moved != c.moved {
			t.Errorf("centres %g radii apart: moved %v (dx %v, %v), want %v", c.dyRadii, moved, a.dx[0], b.dx[0], c.moved)
		}
		if c.moved && !(a.dx[0] < 0 && b.dx[0] > 0 && b.dx[0]-a.dx[0] >= 2*a.radius()) {
			t.Errorf("centres %g radii apart: dx %v, %v: not side by side in series order", c.dyRadii, a.dx[0], b.dx[0])
		}
	}
}
