package webcache

import (
	"math"

	"netsim/sim"
)

// Histogram summarizes durations in constant memory: the exact count, mean, minimum
// and maximum, and quantiles to within 1% (buckets grow geometrically by 1%, from 1 µs;
// shorter durations share the first bucket).
type Histogram struct {
	counts   []int64
	n        int64
	sum      float64 // seconds
	min, max sim.Time
}

const (
	histBase  = float64(sim.Microsecond)
	histRatio = 1.01
)

var histLogRatio = math.Log(histRatio)

// Add records one duration.
func (h *Histogram) Add(d sim.Time) {
	if h.n == 0 || d < h.min {
		h.min = d
	}
	if h.n == 0 || d > h.max {
		h.max = d
	}
	h.n++
	h.sum += d.Seconds()
	b := 0
	if f := float64(d); f > histBase {
		b = 1 + int(math.Log(f/histBase)/histLogRatio)
	}
	if b >= len(h.counts) {
		h.counts = append(h.counts, make([]int64, b+1-len(h.counts))...)
	}
	h.counts[b]++
}

// N returns the number of durations recorded.
func (h *Histogram) N() int64 { return h.n }

// Mean returns their mean in seconds, NaN if none.
func (h *Histogram) Mean() float64 {
	if h.n == 0 {
		return math.NaN()
	}
	return h.sum / float64(h.n)
}

// Quantile returns the q-quantile (0 ≤ q ≤ 1) in seconds, within 1%, NaN if none: the
// geometric middle of the bucket holding the ⌈q·n⌉-th smallest duration, clamped to
// the exact minimum and maximum.
func (h *Histogram) Quantile(q float64) float64 {
	if h.n == 0 {
		return math.NaN()
	}
	rank := int64(math.Ceil(q * float64(h.n)))
	rank = max(rank, 1)
	var cum int64
	for b, c := range h.counts {
		cum += c
		if cum >= rank {
			v := histBase
			if b > 0 {
				v = histBase * math.Pow(histRatio, float64(b)-0.5)
			}
			v = math.Min(math.Max(v, float64(h.min)), float64(h.max))
			return v / 1e9
		}
	}
	return h.max.Seconds()
}
