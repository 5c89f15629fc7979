package plots

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// linearTicks places about five labelled ticks at multiples of 1, 2 or 5 times a
// power of ten (not 2.5, which would put 2.5 connections on an axis of counts), with unlabelled ticks between. Every label of an axis has one format
// (see linearFormat): as many decimals as the spacing needs, "15000", not "15000.00".
type linearTicks struct{}

func (linearTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil
	}
	step, minors := linearStep(lo, hi)
	minor := step / float64(minors)
	var ticks []plot.Tick
	var majors []float64
	first := math.Ceil(lo/minor - 1e-9)
	for i := first; i*minor <= hi+1e-9*minor; i++ {
		v := i * minor
		t := plot.Tick{Value: v}
		if k := math.Round(v / step); math.Abs(v-k*step) < 1e-6*minor {
			t.Value = k * step
			majors = append(majors, t.Value)
			t.Label = "major" // formatted below, once the axis's format is known
		}
		ticks = append(ticks, t)
	}
	format := linearFormat(majors, step)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = format(ticks[i].Value)
		}
	}
	return ticks
}

// linearStep is the spacing of labelled ticks over [lo, hi], 1, 2 or 5 times a power
// of ten, that gives the number of labels nearest five (the wider spacing on a tie),
// and how many minor intervals each spacing has.
func linearStep(lo, hi float64) (step float64, minors int) {
	const want = 5 // labelled ticks
	p := math.Pow(10, math.Floor(math.Log10((hi-lo)/want)))
	best := math.Inf(1)
	for _, scale := range []float64{p / 10, p, p * 10} {
		for _, c := range []struct {
			m      float64
			minors int
		}{{1, 5}, {2, 4}, {5, 5}} {
			st := c.m * scale
			n := math.Floor(hi/st+1e-9) - math.Ceil(lo/st-1e-9) + 1
			if d := math.Abs(n - want); d <= best {
				best, step, minors = d, st, c.minors
			}
		}
	}
	return step, minors
}

// linearFormat is the one format of a linear axis's labels, multiples of step: plain
// decimals with the digits step needs; or, for values from 10^6 or all below 10^-3,
// every label as a mantissa with the same exponent ("0.5e9", "1.0e9"), so that an axis
// never mixes "0.001" and "1e-4".
func linearFormat(majors []float64, step float64) func(float64) string {
	maxAbs := 0.0
	for _, v := range majors {
		maxAbs = math.Max(maxAbs, math.Abs(v))
	}
	exp := 0
	if maxAbs >= 1e6 || maxAbs > 0 && maxAbs < 1e-3 {
		exp = int(math.Floor(math.Log10(maxAbs)))
	}
	scale := math.Pow(10, float64(exp))
	d := decimals(step / scale)
	return func(v float64) string {
		if exp == 0 {
			if v == 0 {
				v = 0 // not -0, which prints as "-0"
			}
			return strconv.FormatFloat(v, 'f', d, 64)
		}
		if v == 0 {
			return "0"
		}
		return strconv.FormatFloat(v/scale, 'f', d, 64) + "e" + strconv.Itoa(exp)
	}
}

// decimals is the number of digits after the point that multiples of step need.
func decimals(step float64) int {
	if !(step > 0) || math.IsInf(step, 0) {
		return 0
	}
	for d := 0; d < 12; d++ {
		scaled := step * math.Pow(10, float64(d))
		if math.Abs(scaled-math.Round(scaled)) < 1e-9*scaled {
			return d
		}
	}
	return 12
}

// logTicks marks every m·10^k (m = 1…9) inside the range, the minor ticks of a log
// axis, and labels every power of ten in it, with as many of the marks between as it
// takes to have three labels (see logLabelled); within half a decade it places the
// ticks of a linear axis (logRange widens a range that would still have fewer than
// two labels).
// Past eight decades the minor ticks go: they would be only noise. The labels of an
// axis have one format (see logFormat).
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0) || !(hi > lo) || math.IsInf(hi, 0) {
		return nil
	}
	if math.Log10(hi/lo) < 0.5 {
		// Within half a decade a log axis is nearly linear, and its m·10^k marks would
		// leave long stretches bare (nothing between 10000 and 20000).
		return linearTicks{}.Ticks(lo, hi)
	}
	labelled := logLabelled(lo, hi)
	var ticks []plot.Tick
	var majors []float64
	for _, v := range logMarks(lo, hi) {
		t := plot.Tick{Value: v.value}
		if labelled(v.m) {
			t.Label = "major"
			majors = append(majors, v.value)
		}
		ticks = append(ticks, t)
	}
	format := logFormat(majors)
	kept := ticks[:0]
	for _, t := range ticks {
		if t.Label != "" {
			t.Label = format(t.Value)
		} else if math.Log10(hi/lo) > 8 {
			continue
		}
		kept = append(kept, t)
	}
	return kept
}

type logMark struct {
	value float64
	m     int // value = m·10^k
}

// logMarks are the m·10^k, m = 1…9, in [lo, hi].
func logMarks(lo, hi float64) []logMark {
	var out []logMark
	for k := int(math.Floor(math.Log10(lo))); k <= int(math.Ceil(math.Log10(hi))); k++ {
		p := math.Pow(10, float64(k))
		for m := 1; m <= 9; m++ {
			v := float64(m) * p
			if k < 0 {
				v = float64(m) / math.Pow(10, float64(-k)) // exact decimals: 0.3, not 0.30000000000000004
			}
			if v >= lo*(1-1e-9) && v <= hi*(1+1e-9) {
				out = append(out, logMark{v, m})
			}
		}
	}
	return out
}

// logLabelled says which m of m·10^k a log axis over [lo, hi] labels: the fewest of
// the powers of ten alone, with their 2 and 5, with their 2, 3 and 5, or every m, that
// give at least three labels (or the most there are).
func logLabelled(lo, hi float64) func(m int) bool {
	sets := []func(int) bool{
		func(m int) bool { return m == 1 },
		func(m int) bool { return m == 1 || m == 2 || m == 5 },
		func(m int) bool { return m == 1 || m == 2 || m == 3 || m == 5 },
		func(int) bool { return true },
	}
	marks := logMarks(lo, hi)
	for _, ok := range sets {
		n := 0
		for _, v := range marks {
			if ok(v.m) {
				n++
			}
		}
		if n >= 3 {
			return ok
		}
	}
	return sets[len(sets)-1]
}

// logFormat is the one format of a log axis's labels: plain decimals if every label
// lies in [10^-4, 10^6) ("0.0001", "0.2", "5000"), otherwise every label as m·10^k in
// exponent form ("1e-6", "2e-6", "1e3").
func logFormat(majors []float64) func(float64) string {
	plain := true
	for _, v := range majors {
		plain = plain && v >= 1e-4*(1-1e-9) && v < 1e6
	}
	return func(v float64) string {
		if plain {
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
		k := math.Floor(math.Log10(v) + 1e-9)
		m := math.Round(v / math.Pow(10, k))
		return strconv.FormatFloat(m, 'f', -1, 64) + "e" + strconv.Itoa(int(k))
	}
}

// logRange is the range of a log axis whose positive data run from lo to hi (lo > hi
// when there are none): a margin of 4% of the span (at least of a tenth of a decade)
// on either side, so that no point touches an end, widened to the marks m·10^k around
// it if it would still have fewer than two labels. With no data the axis shows one
// decade, [1, 10].
func logRange(lo, hi float64) (float64, float64) {
	if !(lo > 0) || math.IsInf(lo, 0) || !(hi >= lo) || math.IsInf(hi, 0) {
		return 1, 10
	}
	margin := math.Max(0.04*math.Log10(hi/lo), 0.02)
	lo, hi = lo/math.Pow(10, margin), hi*math.Pow(10, margin)
	labels := 0
	for _, t := range (logTicks{}).Ticks(lo, hi) {
		if !t.IsMinor() {
			labels++
		}
	}
	if labels >= 2 {
		return lo, hi
	}
	p := math.Pow(10, math.Floor(math.Log10(lo)))
	lo = math.Floor(lo/p*(1+1e-9)) * p
	p = math.Pow(10, math.Floor(math.Log10(hi)))
	hi = math.Ceil(hi/p*(1-1e-9)) * p
	if !(hi > lo) {
		hi = lo + p
	}
	return lo, hi
}

// linearRange is the range of a linear axis whose data run from lo to hi: a margin of
// 4% of the span on either side, none below a fixed minimum (pinLo, NaN for none: the
// 0 a y axis starts from); a single value gets a span of its own tenth (or 1 for 0).
func linearRange(lo, hi, pinLo float64) (float64, float64) {
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) || lo > hi {
		lo, hi = 0, 1
		if !math.IsNaN(pinLo) {
			lo, hi = pinLo, pinLo+1
		}
		return lo, hi
	}
	if !math.IsNaN(pinLo) {
		lo = math.Min(lo, pinLo)
	}
	span := hi - lo
	if span == 0 {
		span = math.Abs(hi) / 10
		if span == 0 {
			span = 1
		}
	}
	if math.IsNaN(pinLo) || lo < pinLo {
		lo -= 0.04 * span
	}
	return lo, hi + 0.04*span
}
