// Package plots draws result tables: simulated means with their confidence intervals
// beside the analytic curves they are held against. It reads only numbers; it knows
// nothing of the simulation that produced them.
//
// A Figure is saved as three files that travel together: a PNG, an SVG and the CSV of
// the data the figure was drawn from, so a reader can always get back to the numbers.
package plots

import (
	"errors"
	"fmt"
	"math"
)

// Figure is one plot: simulated series as markers with error bars, simulated lines
// (empirical distributions, mean time series) with their bands, analytic curves as
// lines.
//
// The house style (see render): each series or line has one colour, shared by its
// markers, its error bars and the curves that are its theory (Curve.Of); a reference
// curve that belongs to no series has a colour of its own. Simulated lines are solid,
// theory is dashed. The legend goes in a corner of the axes that no data crosses, or
// else beside them.
type Figure struct {
	Title, XLabel, YLabel string
	// XLog and YLog draw the axis on a logarithmic scale. Values that are not positive
	// cannot be placed on a log axis: they are left out of the drawing (not out of the
	// CSV), the legend says how many points were, and an error bar reaching below zero
	// is drawn only above its point.
	XLog, YLog bool
	// YMin and YMax, if not nil, fix the ends of the y axis. Otherwise a linear y axis
	// starts at 0 when no value is negative, and every axis leaves a margin around the
	// data so that nothing touches its ends.
	YMin, YMax *float64
	Points     []Series
	Lines      []Line
	Curves     []Curve
	// Note says in the legend how the simulated values were obtained ("mean of 20 runs
	// with its 95% interval"; "one run per point: no interval"), beside a marker (or a
	// line) of their style.
	Note string
}

// Line is a simulated result drawn as a line: an empirical CDF, a density, a mean over
// replications against time. YLo and YHi, both nil or both as long as X, are a band
// drawn shaded around it (a DKW band, a 95% interval). Step draws it as a staircase
// that holds each Y until the next X, as an empirical distribution is.
type Line struct {
	Label    string
	X, Y     []float64
	YLo, YHi []float64
	Step     bool
}

// Series is a simulated result: one mean per x, with an optional 95% interval
// [YLo, YHi] drawn as an error bar. YLo and YHi are both nil (no bars) or both as long
// as X; a NaN end is no interval at that point.
type Series struct {
	Label    string
	X, Y     []float64
	YLo, YHi []float64
}

// Curve is an analytic result, drawn as a line through its points in order.
type Curve struct {
	Label string
	// Of is the Label of the series or line this curve is the theory of, whose colour
	// it takes; "" for a reference curve (a bound's term, a textbook value) with a
	// colour of its own.
	Of   string
	X, Y []float64
}

// Validate reports why fig cannot be drawn, or nil. A figure needs at least one series
// or curve; every slice of a series or curve has the length of its X; an interval, where
// its ends are finite, must contain its mean; a curve's Of names a series or line; YMin
// is below YMax, and positive on a log axis.
func (fig Figure) Validate() error {
	if len(fig.Points) == 0 && len(fig.Curves) == 0 && len(fig.Lines) == 0 {
		return errors.New("plots: empty figure: no series, lines or curves")
	}
	var errs []error
	for i, s := range fig.Points {
		if err := s.validate(); err != nil {
			errs = append(errs, fmt.Errorf("plots: series %d (%q): %w", i, s.Label, err))
		}
	}
	for i, l := range fig.Lines {
		if err := (Series{X: l.X, Y: l.Y, YLo: l.YLo, YHi: l.YHi}).validate(); err != nil {
			errs = append(errs, fmt.Errorf("plots: line %d (%q): %w", i, l.Label, err))
		}
	}
	keys := map[string]bool{}
	for _, s := range fig.Points {
		keys[s.Label] = true
	}
	for _, l := range fig.Lines {
		keys[l.Label] = true
	}
	for i, c := range fig.Curves {
		if len(c.Y) != len(c.X) {
			errs = append(errs, fmt.Errorf("plots: curve %d (%q): len(Y) = %d, len(X) = %d",
				i, c.Label, len(c.Y), len(c.X)))
		}
		if c.Of != "" && !keys[c.Of] {
			errs = append(errs, fmt.Errorf("plots: curve %d (%q): Of %q is no series or line of the figure", i, c.Label, c.Of))
		}
	}
	if fig.YMin != nil && fig.YMax != nil && !(*fig.YMin < *fig.YMax) {
		errs = append(errs, fmt.Errorf("plots: YMin %g is not below YMax %g", *fig.YMin, *fig.YMax))
	}
	if fig.YLog && fig.YMin != nil && !(*fig.YMin > 0) {
		errs = append(errs, fmt.Errorf("plots: YMin %g on a log axis", *fig.YMin))
	}
	return errors.Join(errs...)
}

func (s Series) validate() error {
	n := len(s.X)
	if len(s.Y) != n {
		return fmt.Errorf("len(Y) = %d, len(X) = %d", len(s.Y), n)
	}
	if (s.YLo == nil) != (s.YHi == nil) {
		return errors.New("YLo and YHi must both be set or both be nil")
	}
	if s.YLo == nil {
		return nil
	}
	if len(s.YLo) != n || len(s.YHi) != n {
		return fmt.Errorf("len(YLo) = %d, len(YHi) = %d, len(X) = %d", len(s.YLo), len(s.YHi), n)
	}
	for i := range n {
		y, lo, hi := s.Y[i], s.YLo[i], s.YHi[i]
		if finite(y) && finite(lo) && lo > y {
			return fmt.Errorf("point %d: YLo %g above Y %g", i, lo, y)
		}
		if finite(y) && finite(hi) && hi < y {
			return fmt.Errorf("point %d: YHi %g below Y %g", i, hi, y)
		}
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
