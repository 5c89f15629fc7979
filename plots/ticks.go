package plots

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// linearTicks places about five labelled ticks at multiples of 1, 2, 2.5 or 5 times a
// power of ten, with unlabelled ticks between, and labels them with no more digits than
// their spacing needs: "15000", not "15000.00".
type linearTicks struct{}

func (linearTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil
	}
	const want = 5 // labelled ticks
	raw := (hi - lo) / want
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	step, minors := 10*p, 5
	for _, c := range []struct {
		m      float64
		minors int
	}{{1, 5}, {2, 4}, {2.5, 5}, {5, 5}} {
		if c.m*p >= raw*(1-1e-9) {
			step, minors = c.m*p, c.minors
			break
		}
	}
	minor := step / float64(minors)
	var ticks []plot.Tick
	first := math.Ceil(lo/minor - 1e-9)
	for i := first; i*minor <= hi+1e-9*minor; i++ {
		v := i * minor
		t := plot.Tick{Value: v}
		if k := math.Round(v / step); math.Abs(v-k*step) < 1e-6*minor {
			t.Value = k * step
			t.Label = tickLabel(t.Value, step)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// tickLabel formats v, a multiple of step, with just the decimals step needs;
// very large and very small numbers get an exponent ("2.5e9").
func tickLabel(v, step float64) string {
	if v == 0 {
		v = 0 // not -0, which prints as "-0"
	}
	if a := math.Abs(v); a != 0 && (a >= 1e6 || a < 1e-3) {
		exp := math.Floor(math.Log10(a))
		mant := strconv.FormatFloat(v/math.Pow(10, exp), 'f', decimals(step/math.Pow(10, exp)), 64)
		return mant + "e" + strconv.Itoa(int(exp))
	}
	return strconv.FormatFloat(v, 'f', decimals(step), 64)
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

// logTicks marks m·10^k for m = 1…9 inside the range. Which of them carry a label
// depends on how many decades the range spans, so that a wide range is not crowded and
// a narrow one still has labels: every power of ten from three decades up, 1, 2 and 5
// from one; below one decade the ticks of a linear axis.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0) || !(hi > lo) {
		return nil
	}
	span := math.Log10(hi / lo)
	if span < 1 {
		// Within a decade a log axis is nearly linear, and its 1…9 marks would leave
		// stretches without a label.
		return linearTicks{}.Ticks(lo, hi)
	}
	labelled := func(m int) bool {
		if span >= 3 {
			return m == 1
		}
		return m == 1 || m == 2 || m == 5
	}
	var ticks []plot.Tick
	for k := int(math.Floor(math.Log10(lo))); k <= int(math.Ceil(math.Log10(hi))); k++ {
		p := math.Pow(10, float64(k))
		for m := 1; m <= 9; m++ {
			v := float64(m) * p
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if labelled(m) {
				t.Label = tickLabel(v, v)
			}
			ticks = append(ticks, t)
		}
	}
	if span > 6 {
		// Past six decades the minor marks are only noise.
		kept := ticks[:0]
		for _, t := range ticks {
			if !t.IsMinor() {
				kept = append(kept, t)
			}
		}
		ticks = kept
	}
	return ticks
}

// logRange is the range of a log axis whose data run from lo to hi (lo > hi when there
// are none). A range with fewer than two labels under logTicks is widened to the marks
// around it; with no data the axis shows one decade, [1, 10].
func logRange(lo, hi float64) (float64, float64) {
	if !(lo > 0) || math.IsInf(lo, 0) || !(hi >= lo) || math.IsInf(hi, 0) {
		return 1, 10
	}
	labels := 0
	for _, t := range (logTicks{}).Ticks(lo, hi) {
		if !t.IsMinor() {
			labels++
		}
	}
	if labels >= 2 {
		return lo, hi
	}
	// Too narrow for linear ticks to find two: widen it to the marks m·10^k around it.
	p := math.Pow(10, math.Floor(math.Log10(lo)))
	lo = math.Floor(lo/p*(1+1e-9)) * p
	p = math.Pow(10, math.Floor(math.Log10(hi)))
	hi = math.Ceil(hi/p*(1-1e-9)) * p
	if !(hi > lo) {
		hi = lo + p
	}
	return lo, hi
}
