package campaign

import (
	"bytes"
	"context"
	"encoding/csv"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The Wilson score interval against the published values of Newcombe, "Two-sided
// confidence intervals for the single proportion: comparison of seven methods",
// Statistics in Medicine 17, 1998, Table I (method 3, the score interval), to the four
// decimals printed there.
func TestWilsonNewcombe(t *testing.T) {
	for _, c := range []struct {
		k, n   float64
		lo, hi float64
	}{
		{81, 263, 0.2553, 0.3662},
		{15, 148, 0.0624, 0.1605},
		{0, 20, 0, 0.1611},
		{1, 29, 0.0061, 0.1718},
	} {
		lo, hi := wilson(c.k/c.n, c.n, 1.96)
		if math.Abs(lo-c.lo) > 5e-5 || math.Abs(hi-c.hi) > 5e-5 {
			t.Errorf("%g/%g: [%.5f, %.5f], want [%.4f, %.4f]", c.k, c.n, lo, hi, c.lo, c.hi)
		}
		if lo < 0 || hi > 1 {
			t.Errorf("%g/%g: [%g, %g] leaves [0, 1]", c.k, c.n, lo, hi)
		}
	}
}

// One run is no sample of a spread: no sd, no interval, for a plain metric and a
// proportion alike (and never the zero-width interval that would read "exact").
func TestSummarizeOneRun(t *testing.T) {
	for _, prop := range []bool{false, true} {
		st := summarizeAs([]float64{0.7}, prop)
		if st.N != 1 || st.Mean != 0.7 || !math.IsNaN(st.SD) || !math.IsNaN(st.Lo) || !math.IsNaN(st.Hi) {
			t.Errorf("proportion %v: %+v, want mean 0.7 and NaN sd, lo, hi", prop, st)
		}
	}
}

// The shares of testkinds' share kind, by hand. Level 0, {0.2, 0.4, 0.3, 0.3}: mean
// 0.3, sd √(0.02/3) = 0.0816497, so the mean's variance is v = 0.02/3/4 = 1/600 and the
// effective trials n* = 0.3·0.7·600 = 126; c = t(0.975, 3) = 3.182446. Wilson:
// centre (0.3 + c²/252)/(1 + c²/126) = 0.314881, half-width c/(1 + c²/126) ·
// √(0.21/126 + c²/(4·126²)) = 0.125856, so [0.189001, 0.440759]; Student's t:
// 0.3 ± c·√v = [0.170077, 0.429923]. Level 1, {0.001, 0, 0.002, 0.0005}: mean 0.000875,
// v = 1.8229e-7, n* = 4795.8: Wilson [0.000209660, 0.00364404] inside [0, 1] where
// Student's t is [−0.000483765, 0.00223377], cut at 0 (the values are never
// negative). Its negation has Student's t [−0.00223377, 0.000483765], uncut, and is no
// proportion.
func TestSummarizeProportion(t *testing.T) {
	for _, c := range []struct {
		xs                 []float64
		wlo, whi, tlo, thi float64
	}{
		{[]float64{0.2, 0.4, 0.3, 0.3}, 0.18900121767752268, 0.4407589114017827, 0.17007717363746624, 0.42992282636253376},
		{[]float64{-0.001, 0, -0.002, -0.0005}, math.NaN(), math.NaN(), -0.0022337654418982445, 0.0004837654418982446},
		{[]float64{0.001, 0, 0.002, 0.0005}, 0.00020966048675900135, 0.0036440415709659097, 0, 0.0022337654418982445},
	} {
		w, st := summarizeAs(c.xs, true), summarizeAs(c.xs, false)
		if w.Method != Wilson || st.Method != StudentT {
			t.Errorf("methods %q, %q", w.Method, st.Method)
		}
		for _, g := range []struct {
			name      string
			got, want float64
		}{{"wilson lo", w.Lo, c.wlo}, {"wilson hi", w.Hi, c.whi}, {"t lo", st.Lo, c.tlo}, {"t hi", st.Hi, c.thi}} {
			if math.IsNaN(g.want) != math.IsNaN(g.got) || math.Abs(g.got-g.want) > 1e-9*math.Max(1e-3, math.Abs(g.want)) {
				t.Errorf("%v: %s = %.12g, want %.12g", c.xs, g.name, g.got, g.want)
			}
		}
	}
	// Student's t interval of values that are never negative stops at 0: level 1's
	// plain interval is [0, 0.00223377], not [−0.000483765, 0.00223377].
	if st := summarizeAs([]float64{0.001, 0, 0.002, 0.0005}, false); st.Lo != 0 || math.Abs(st.Hi-0.0022337654418982445) > 1e-15 {
		t.Errorf("non-negative values: [%g, %g], want [0, 0.00223377]", st.Lo, st.Hi)
	}
	// Every run alike: no spread, and the interval is the point, as Student's t's is.
	if st := summarizeAs([]float64{0, 0, 0}, true); st.Lo != 0 || st.Hi != 0 || st.SD != 0 {
		t.Errorf("all zero: %+v", st)
	}
	// A "proportion" outside [0, 1] is a bug in its kind: no interval rather than a
	// wrong one.
	if st := summarizeAs([]float64{0.5, 1.5}, true); !math.IsNaN(st.Lo) {
		t.Errorf("values outside [0, 1]: %+v", st)
	}
}

// The Wilson interval of the runs holds their mean even where the closed form, in
// floating point, does not: for p = 1 − 2⁻⁵³, a mean's variance of 1e−32 and
// c = 1.96, the score interval's upper end rounds to 1 − 2⁻⁵², below p.
func TestWilsonRunsHoldsMean(t *testing.T) {
	p := 1 - 0x1p-53
	if _, hi := wilson(p, p*(1-p)/1e-32, 1.96); !(hi < p) {
		t.Fatalf("the case no longer rounds below p (hi %v): find another", hi)
	}
	if lo, hi := wilsonRuns(p, 1e-32, 1.96); !(lo <= p && p <= hi && hi <= 1) {
		t.Errorf("wilsonRuns(%v) = [%v, %v], which leaves out the mean", p, lo, hi)
	}
}

// summary.csv names each interval's method in its header and leaves the sd and the
// interval empty with one replication.
func TestSummaryCSVMethods(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		reps string
		row1 []float64 // NaN: an empty cell
	}{
		{"4", []float64{0, 0, 4, 0.3, 0.08164965809277261, 0.18900121767752268, 0.4407589114017827, 0.3, 0.08164965809277261, 0.17007717363746624, 0.42992282636253376}},
		{"1", []float64{0, 0, 1, 0.2, nan, nan, nan, 0.2, nan, nan, nan}},
	} {
		dir := t.TempDir()
		s := mustParse(t, "kind: share\nreplications: "+c.reps+"\nsweep:\n  level: [0, 1]\n")
		if _, err := Run(context.Background(), s, RunOptions{OutDir: dir, Workers: 1}); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(bytes.NewReader(readFile(t, filepath.Join(dir, "summary.csv")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		header := "point,level,n,share_mean,share_sd,share_wilson_ci95_lo,share_wilson_ci95_hi,plain_mean,plain_sd,plain_t_ci95_lo,plain_t_ci95_hi"
		if got := strings.Join(rows[0], ","); got != header {
			t.Errorf("header %s\nwant   %s", got, header)
		}
		for j, want := range c.row1 {
			cell := rows[1][j]
			v, err := strconv.ParseFloat(cell, 64)
			switch {
			case math.IsNaN(want) && cell != "":
				t.Errorf("replications %s: %s = %q, want an empty cell", c.reps, rows[0][j], cell)
			case !math.IsNaN(want) && (err != nil || math.Abs(v-want) > 1e-12):
				t.Errorf("replications %s: %s = %q, want %.12g", c.reps, rows[0][j], cell, want)
			}
		}
	}
}
