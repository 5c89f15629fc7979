package plots_test

import (
	"bufio"
	"bytes"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"

	"netsim/plots"
)

// A sweep over the number of peers, drawn against the textbook's lower bound
// (Kurose & Ross, section 2.5, figure 2.23).
func ExampleSave() {
	dir, err := os.MkdirTemp("", "plots-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	n := []float64{1, 10, 100}
	fig := plots.Figure{
		Title:  "Client-server distribution, F = 15 Gbit, us = 30 Mbps, d = 2 Mbps",
		XLabel: "N (peers)",
		YLabel: "Distribution time (s)",
		XLog:   true,
		YLog:   true,
		Points: []plots.Series{{
			Label: "client-server",
			X:     n,
			Y:     []float64{7512, 7530, 50210},
			YLo:   []float64{7501, 7508, 50020},
			YHi:   []float64{7523, 7552, 50400},
		}},
		Curves: []plots.Curve{{
			Label: "D_cs (lower bound)",
			Of:    "client-server",
			X:     n,
			Y:     []float64{7500, 7500, 50000},
		}},
	}
	if err := plots.Save(fig, filepath.Join(dir, "dcs")); err != nil {
		log.Fatal(err)
	}
	csv, err := os.ReadFile(filepath.Join(dir, "dcs.csv"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(csv))
	// Output:
	// kind,label,x,y,ylo,yhi,of
	// sim,client-server,1,7512,7501,7523,
	// sim,client-server,10,7530,7508,7552,
	// sim,client-server,100,50210,50020,50400,
	// theory,D_cs (lower bound),1,7500,,,client-server
	// theory,D_cs (lower bound),10,7500,,,client-server
	// theory,D_cs (lower bound),100,50000,,,client-server
}

// writeExample draws fig into testdata/name.png, where the golden-image tests compare
// it with testdata/name_golden.png, and prints the first lines of its CSV.
func writeExample(name string, fig plots.Figure, lines int) {
	var png bytes.Buffer
	if err := plots.Encode(&png, fig, "png"); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("testdata", name+".png"), png.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	var csv bytes.Buffer
	if err := plots.WriteCSV(&csv, fig); err != nil {
		log.Fatal(err)
	}
	sc := bufio.NewScanner(&csv)
	for i := 0; i < lines && sc.Scan(); i++ {
		fmt.Println(sc.Text())
	}
}

// fourModes is the page load time of Kurose & Ross §2.2.2's four ways to use TCP, at
// RTT 100 ms, with simulated means a little off their RTT formulas and 95% intervals,
// as a campaign of replications would give: four series, each with its theory.
func fourModes(k []float64) plots.Figure {
	type mode struct {
		name string
		rtts func(k float64) float64
	}
	modes := []mode{
		{"non-persistent", func(k float64) float64 { return 2 * (k + 1) }},
		{"parallel, P = 5", func(k float64) float64 { return 2 + 2*math.Ceil(k/5) }},
		{"persistent", func(k float64) float64 { return 2 + k }},
		{"pipelined", func(k float64) float64 { return 3 }},
	}
	fig := plots.Figure{
		Title:  "Page load time against the number of objects K (RTT 100 ms)",
		XLabel: "K, objects referenced by the page",
		YLabel: "Page load time (ms)",
		Note:   "mean of 10 runs, 95% interval",
	}
	for i, m := range modes {
		s := plots.Series{Label: m.name}
		c := plots.Curve{Label: "RTT formula", Of: m.name}
		for j, x := range k {
			th := 100 * m.rtts(x)
			y := th * (1 + 0.01*float64((i+j)%3))
			half := th * 0.02 * float64(1+(i*j)%3)
			s.X, s.Y = append(s.X, x), append(s.Y, y)
			s.YLo, s.YHi = append(s.YLo, y-half), append(s.YHi, y+half)
			c.X, c.Y = append(c.X, x), append(c.Y, th)
		}
		fig.Points = append(fig.Points, s)
		fig.Curves = append(fig.Curves, c)
	}
	return fig
}

// Four series with error bars and their theory, on linear axes: each mode has one
// colour for its markers, its bars and its dashed theory line, and the legend sits in
// the corner the data leave free, with a key to the styles at its foot.
func Example_fourSeriesLinear() {
	writeExample("four-linear", fourModes([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}), 3)
	// Output:
	// kind,label,x,y,ylo,yhi,of
	// sim,non-persistent,1,400,392,408,
	// sim,non-persistent,2,606,594,618,
}

// Four series with error bars and theory on log axes: page load time against object
// size when transmission matters, y = a + b·x per mode. Every decade is labelled,
// with minor ticks between, and one number format per axis.
func Example_fourSeriesLog() {
	sizes := []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000} // kB
	modes := []struct {
		name      string
		rtts, mbs float64 // RTTs, and Mbit/s each object gets
	}{{"non-persistent", 22, 5.2}, {"parallel, P = 10", 4, 20}, {"persistent", 12, 5.2}, {"pipelined", 3, 5.2}}
	fig := plots.Figure{
		Title:  "Page load time against object size (K = 10, 20 Mbps, RTT 100 ms)",
		XLabel: "Object size (kB)",
		YLabel: "Page load time (s)",
		XLog:   true,
		YLog:   true,
		Note:   "mean of 5 runs, 95% interval",
	}
	for i, m := range modes {
		s := plots.Series{Label: m.name}
		c := plots.Curve{Label: "RTTs + transmission", Of: m.name}
		for j, x := range sizes {
			th := 0.1*m.rtts + 10*x*8e-3/m.mbs
			y := th * (1 + 0.015*float64((i+j)%3))
			s.X, s.Y = append(s.X, x), append(s.Y, y)
			s.YLo, s.YHi = append(s.YLo, y*0.95), append(s.YHi, y*1.05)
		}
		for x := 1.0; x <= 1000; x *= math.Pow(10, 0.05) {
			c.X, c.Y = append(c.X, x), append(c.Y, 0.1*m.rtts+10*x*8e-3/m.mbs)
		}
		fig.Points = append(fig.Points, s)
		fig.Curves = append(fig.Curves, c)
	}
	writeExample("four-log", fig, 2)
	// Output:
	// kind,label,x,y,ylo,yhi,of
	// sim,non-persistent,1,2.2153846153846155,2.1046153846153848,2.3261538461538462,
}

// One simulated series, the bound it is held against in its own colour, and the
// bound's three terms as reference curves in colours of their own (Kurose & Ross §2.5:
// D_P2P = max{F/u_s, F/d_min, N·F/(u_s + Σu_i)}). With one run per point there is no
// interval, and the legend says so; the point at N = 0 cannot be placed on the log
// axis, and the legend says that too.
func Example_boundAndTerms() {
	n := []float64{0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000}
	const f, us, u, dmin = 3600.0, 10.0, 1.0, 3.0 // Mbit, Mbit/s
	fig := plots.Figure{
		Title:  "P2P distribution time, u_s = 10 Mbps",
		XLabel: "N, number of peers",
		YLabel: "Distribution time (h)",
		XLog:   true,
		YLog:   true,
		Note:   "one run per point (n = 1): no interval",
	}
	s := plots.Series{Label: "simulated"}
	terms := []plots.Curve{{Label: "F/u_s"}, {Label: "F/d_min"}, {Label: "N·F/(u_s+Σu_i)"}}
	bound := plots.Curve{Label: "D_P2P, the P2P bound", Of: "simulated"}
	for _, x := range n {
		t := []float64{f / us / 3600, f / dmin / 3600, x * f / (us + x*u) / 3600}
		d := math.Max(t[0], math.Max(t[1], t[2]))
		s.X, s.Y = append(s.X, x), append(s.Y, d*1.01)
		bound.X, bound.Y = append(bound.X, x), append(bound.Y, d)
		for i := range terms {
			terms[i].X, terms[i].Y = append(terms[i].X, x), append(terms[i].Y, t[i])
		}
	}
	fig.Points = []plots.Series{s}
	fig.Curves = append([]plots.Curve{bound}, terms...)
	writeExample("bound-terms", fig, 3)
	// Output:
	// kind,label,x,y,ylo,yhi,of
	// sim,simulated,0,0.33666666666666667,,,
	// sim,simulated,1,0.33666666666666667,,,
}

// Series that coincide stay visible: the non-persistent and parallel connection counts
// are both K + 1 at every K, the persistent and pipelined both 1, so their markers are
// set side by side, an open marker beside a filled one.
func Example_coinciding() {
	fig := plots.Figure{
		Title:  "TCP connections opened per page load",
		XLabel: "K, objects referenced by the page",
		YLabel: "TCP connections",
		Note:   "one run per point (n = 1), exact counts",
	}
	for i, m := range []string{"non-persistent", "parallel, P = 5", "persistent", "pipelined"} {
		s := plots.Series{Label: m}
		c := plots.Curve{Label: "K + 1 or 1", Of: m}
		for k := 1.0; k <= 10; k++ {
			y := k + 1
			if i >= 2 {
				y = 1
			}
			s.X, s.Y = append(s.X, k), append(s.Y, y)
			c.X, c.Y = append(c.X, k), append(c.Y, y)
		}
		fig.Points = append(fig.Points, s)
		fig.Curves = append(fig.Curves, c)
	}
	writeExample("coinciding", fig, 2)
	// Output:
	// kind,label,x,y,ylo,yhi,of
	// sim,non-persistent,1,2,,,
}
