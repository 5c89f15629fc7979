package kinds

import "math"

// mean is the mean of xs, NaN for none (an empty cell: no value, not zero).
func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
