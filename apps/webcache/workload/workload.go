// Package workload generates the requests of a web-cache experiment: Poisson arrivals,
// and which object each request names, either by Zipf-like popularity over a catalogue
// (Breslau et al., "Web caching and Zipf-like distributions", INFOCOM 1999: web traces
// give exponents α between 0.64 and 0.83) or, as in the textbook's exercises (Kurose &
// Ross §2.2.5), with a fixed probability of naming an object the cache already holds.
//
// Every draw comes from a *rand.Rand the caller passes in, so each consumer can have its
// own named stream (sim.Streams) and adding one never changes another's numbers.
package workload

import (
	"fmt"
	"math"
	"math/rand/v2"

	"netsim/sim"
)

// Interarrival returns the gap to the next arrival of a Poisson process of rate
// ratePerS (per second): an exponential draw, rounded once to the nanosecond.
func Interarrival(r *rand.Rand, ratePerS float64) sim.Time {
	return sim.Seconds(r.ExpFloat64() / ratePerS)
}

// Objects chooses the object each request names. Object IDs are non-negative.
type Objects interface {
	// Next returns the object of the next request.
	Next(r *rand.Rand) int64
	// Catalogue is the number of objects that can be named repeatedly: IDs below it.
	Catalogue() int64
}

// ZipfObjects names object i (0-based rank) with probability proportional to
// 1/(i+1)^α, independently for each request (the independent reference model).
type ZipfObjects struct{ Z *Zipf }

func (z ZipfObjects) Next(r *rand.Rand) int64 { return int64(z.Z.Sample(r)) }
func (z ZipfObjects) Catalogue() int64        { return int64(z.Z.N()) }

// FixedHit is the textbook exercise's workload: a request names, with probability P,
// one of Hot popular objects (uniformly), and otherwise an object never named before.
// Its first Hot requests name the hot objects once each, in order, so that a cache
// that keeps them holds every one of them from then on: afterwards, a request is for
// an object the cache already holds with probability exactly P (given a cache large
// enough that the one-time objects never push a hot one out).
type FixedHit struct {
	P      float64
	Hot    int64
	seen   int64 // requests generated so far
	next   int64 // the next one-time object
	stride int64 // between one user's one-time objects
}

// NewFixedHit returns the fixed-probability workload of one user. It panics unless
// 0 ≤ p ≤ 1 and hot ≥ 1 (the scenario layer checks user input).
func NewFixedHit(p float64, hot int64) *FixedHit { return NewFixedHitOf(p, hot, 0, 1) }

// NewFixedHitOf is user's workload among users who share the hot objects: its
// one-time objects, hot + user + k·users, are never another's.
func NewFixedHitOf(p float64, hot, user, users int64) *FixedHit {
	if !(p >= 0 && p <= 1) || hot < 1 || user < 0 || user >= users {
		panic(fmt.Sprintf("workload: NewFixedHitOf(%v, %d, %d, %d)", p, hot, user, users))
	}
	return &FixedHit{P: p, Hot: hot, next: hot + user, stride: users}
}

func (f *FixedHit) Next(r *rand.Rand) int64 {
	f.seen++
	if f.seen <= f.Hot {
		return f.seen - 1
	}
	if r.Float64() < f.P {
		return r.Int64N(f.Hot)
	}
	id := f.next
	f.next += f.stride
	return id
}

func (f *FixedHit) Catalogue() int64 { return f.Hot }

// ZipfProbabilities returns p_i = (1/(i+1)^α) / Σ_j 1/(j+1)^α for i in [0, n).
func ZipfProbabilities(n int, alpha float64) []float64 {
	p := make([]float64, n)
	var sum float64
	for i := range p {
		p[i] = math.Pow(float64(i+1), -alpha)
	}
	// Sum from the smallest terms up, for accuracy.
	for i := n - 1; i >= 0; i-- {
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
	return p
}

// Zipf samples ranks 0..n-1 with Zipf-like probabilities in O(1) per draw by Walker's
// alias method, built in O(n) with Vose's algorithm (Vose, "A linear algorithm for
// generating random numbers with a given distribution", IEEE TSE 1991). A draw costs
// one random integer, one random float and two table reads.
type Zipf struct {
	prob  []float64 // acceptance probability of column i
	alias []int32   // the other outcome of column i
	p     []float64 // the probabilities themselves
	alpha float64
}

// NewZipf returns a sampler over n ≥ 1 ranks with exponent alpha ≥ 0. It panics on
// other values.
func NewZipf(n int, alpha float64) *Zipf {
	if n < 1 || n > math.MaxInt32 || !(alpha >= 0) {
		panic(fmt.Sprintf("workload: NewZipf(%d, %v)", n, alpha))
	}
	p := ZipfProbabilities(n, alpha)
	z := &Zipf{prob: make([]float64, n), alias: make([]int32, n), p: p, alpha: alpha}
	small := make([]int32, 0, n)
	large := make([]int32, 0, n)
	scaled := make([]float64, n)
	for i, pi := range p {
		scaled[i] = pi * float64(n)
		if scaled[i] < 1 {
			small = append(small, int32(i))
		} else {
			large = append(large, int32(i))
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s := small[len(small)-1]
		small = small[:len(small)-1]
		l := large[len(large)-1]
		z.prob[s], z.alias[s] = scaled[s], l
		scaled[l] -= 1 - scaled[s]
		if scaled[l] < 1 {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	// What is left has probability 1 up to rounding.
	for _, i := range large {
		z.prob[i], z.alias[i] = 1, i
	}
	for _, i := range small {
		z.prob[i], z.alias[i] = 1, i
	}
	return z
}

// N returns the number of ranks.
func (z *Zipf) N() int { return len(z.prob) }

// Alpha returns the exponent.
func (z *Zipf) Alpha() float64 { return z.alpha }

// Prob returns the probability of rank i.
func (z *Zipf) Prob(i int) float64 { return z.p[i] }

// Sample draws a rank. O(1).
func (z *Zipf) Sample(r *rand.Rand) int {
	i := r.IntN(len(z.prob))
	if r.Float64() < z.prob[i] {
		return i
	}
	return int(z.alias[i])
}
