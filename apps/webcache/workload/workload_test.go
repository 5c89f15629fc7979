package workload

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/sim"
)

// The alias table reproduces the Zipf probabilities exactly: column i keeps rank i with
// probability prob[i] and gives alias[i] otherwise, each column drawn with chance 1/n.
func TestZipfAliasTableIsExact(t *testing.T) {
	for _, alpha := range []float64{0, 0.64, 0.83, 1.2} {
		z := NewZipf(1000, alpha)
		got := make([]float64, z.N())
		for i := range got {
			got[i] += z.prob[i] / float64(z.N())
			got[z.alias[i]] += (1 - z.prob[i]) / float64(z.N())
		}
		for i := range got {
			require.InDelta(t, z.Prob(i), got[i], 1e-12, "α=%v rank %d", alpha, i)
		}
		// p_i ∝ 1/(i+1)^α.
		require.InDelta(t, math.Pow(2, alpha), z.Prob(0)/z.Prob(1), 1e-9)
	}
}

// Sampled frequencies match the probabilities: a chi-square statistic over 20 ranks
// (19 degrees of freedom) stays below its 0.999 quantile, 43.8.
func TestZipfSampleFrequencies(t *testing.T) {
	z := NewZipf(20, 0.8)
	r := sim.NewStreams(3).Stream("workload/objects")
	const draws = 1000000
	counts := make([]float64, 20)
	for range draws {
		counts[z.Sample(r)]++
	}
	var chi2 float64
	for i, c := range counts {
		e := z.Prob(i) * draws
		chi2 += (c - e) * (c - e) / e
	}
	require.Less(t, chi2, 43.8)
}

// The textbook exercise's workload: the hot objects first, once each, then a hot object
// with probability P and a never-seen one otherwise.
func TestFixedHit(t *testing.T) {
	f := NewFixedHit(0.4, 10)
	r := sim.NewStreams(3).Stream("workload/objects")
	for i := range int64(10) {
		require.Equal(t, i, f.Next(r))
	}
	seen := map[int64]bool{}
	hot := 0
	const draws = 200000
	for range draws {
		id := f.Next(r)
		if id < 10 {
			hot++
			continue
		}
		require.False(t, seen[id], "a one-time object came back")
		seen[id] = true
	}
	require.InDelta(t, 0.4, float64(hot)/draws, 4*math.Sqrt(0.24/draws))
	// Three users sharing the hot objects: their one-time objects never meet.
	seen = map[int64]bool{}
	for u := range int64(3) {
		f := NewFixedHitOf(0.4, 10, u, 3)
		for range 1000 {
			if id := f.Next(r); id >= 10 {
				require.False(t, seen[id], "user %d's one-time object %d is another's", u, id)
				seen[id] = true
			}
		}
	}
	require.Greater(t, len(seen), 1500)
}

// Interarrivals of a Poisson process of rate λ have mean 1/λ.
func TestInterarrival(t *testing.T) {
	r := sim.NewStreams(3).Stream("workload/arrivals")
	var sum sim.Time
	const n = 200000
	for range n {
		sum += Interarrival(r, 15)
	}
	mean := sum.Seconds() / n
	require.InDelta(t, 1.0/15, mean, 4*(1.0/15)/math.Sqrt(n))
}

func BenchmarkZipfSample(b *testing.B) {
	z := NewZipf(100000, 0.8)
	r := sim.NewStreams(3).Stream("workload/objects")
	for range b.N {
		z.Sample(r)
	}
}
