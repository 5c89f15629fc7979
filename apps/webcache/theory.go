package webcache

import (
	"fmt"
	"math"
	"sync"

	"netsim/apps/webcache/workload"
)

// AccessDelay is the textbook's average access delay on a link, Δ/(1−Δβ) (Kurose &
// Ross §2.2.5, citing Kleinrock): Δ is the mean time to send one object over the link
// (mean size / rate) and β the rate of objects crossing it. It is the mean sojourn of
// the M/G/1 processor-sharing queue, L/R/(1−ρ) with ρ = Δβ, which is what a link shared
// max-min fairly by Poisson-arriving transfers is (Kleinrock, Queueing Systems vol. 2,
// §4.4). It is +Inf when Δβ ≥ 1: the queue grows without bound.
func AccessDelay(deltaS, betaPerS float64) float64 {
	rho := deltaS * betaPerS
	if rho >= 1 {
		return math.Inf(1)
	}
	return deltaS / (1 - rho)
}

// HeuristicFraction is the fraction of the time since Last-Modified that a cache may
// take as a response's freshness lifetime when the origin gives no explicit one: RFC
// 7234 §4.2.2 notes that "a typical setting of this fraction might be 10%".
const HeuristicFraction = 0.1

// cheModel is a Zipf popularity law compressed for Che's approximation: consecutive
// ranks whose probabilities differ by less than a part in 10^4 are grouped, each
// group a count and its mean probability, so evaluating the approximation costs a few
// thousand terms, not one per object.
type cheModel struct {
	count []float64
	p     []float64
}

var cheModels sync.Map // cheKey → *cheModel

type cheKey struct {
	n     int
	alpha float64
}

func cheModelFor(n int, alpha float64) *cheModel {
	if m, ok := cheModels.Load(cheKey{n, alpha}); ok {
		return m.(*cheModel)
	}
	p := workload.ZipfProbabilities(n, alpha)
	m := &cheModel{}
	for i := 0; i < n; {
		j := i + 1
		for j < n && p[i]-p[j] < 1e-4*p[i] {
			j++
		}
		var sum float64
		for k := i; k < j; k++ {
			sum += p[k]
		}
		c := float64(j - i)
		m.count = append(m.count, c)
		m.p = append(m.p, sum/c)
		i = j
	}
	cheModels.Store(cheKey{n, alpha}, m)
	return m
}

// CheHitRatio is Che's approximation of the hit ratio of an LRU cache holding
// capacity equal-sized objects, under independent requests with Zipf-like popularity
// of exponent alpha over n objects (Che, Tung and Wang, "Hierarchical Web caching
// systems: modeling, design and experimental results", IEEE JSAC 20(7), 2002, §III):
// the characteristic time T_C solves Σ_i (1 − e^{−p_i T_C}) = C, and the hit ratio is
// Σ_i p_i (1 − e^{−p_i T_C}). It returns 0 for capacity ≤ 0 and 1 for capacity ≥ n.
func CheHitRatio(n int, alpha float64, capacity float64) float64 {
	if n < 1 || !(alpha >= 0) {
		panic(fmt.Sprintf("webcache: CheHitRatio(%d, %v, %v)", n, alpha, capacity))
	}
	if capacity <= 0 {
		return 0
	}
	if capacity >= float64(n) {
		return 1
	}
	m := cheModelFor(n, alpha)
	occupied := func(t float64) (occ, slope float64) {
		for i, p := range m.p {
			e := math.Exp(-p * t)
			occ += m.count[i] * (1 - e)
			slope += m.count[i] * p * e
		}
		return occ, slope
	}
	// Occupancy grows and is concave in t: bracket, then Newton from below, which
	// converges monotonically for a concave increasing function.
	lo, hi := 0.0, capacity
	for {
		if occ, _ := occupied(hi); occ >= capacity {
			break
		}
		lo, hi = hi, 2*hi
	}
	t := lo
	for range 100 {
		occ, slope := occupied(t)
		next := t + (capacity-occ)/slope
		if next > hi {
			next = (t + hi) / 2
		}
		if math.Abs(next-t) <= 1e-12*next {
			t = next
			break
		}
		t = next
	}
	var h float64
	for i, p := range m.p {
		h += m.count[i] * p * (1 - math.Exp(-p*t))
	}
	return h
}
