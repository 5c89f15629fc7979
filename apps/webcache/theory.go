package webcache

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"netsim/apps/http"
	"netsim/apps/webcache/workload"
	"netsim/topology"
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

// RevalidationCycle is what one object costs a cache that holds it for good, over one
// cycle of its copy's freshness (see Revalidation). Counts and times are expectations.
type RevalidationCycle struct {
	Length      float64 // seconds from one validation of the copy at the origin to the next
	Requests    float64 // requests for the object in that time
	Stale       float64 // of those, the ones that found the copy stale and went to the origin
	NotModified float64 // of those, the ones the origin answered 304 Not Modified
}

// Revalidation is Kurose & Ross §2.2.6's conditional GET in closed form, for one object
// that a cache holds for good: requests for it arrive as a Poisson process of rate
// lambda (per second), it changes at the times of a Poisson process of rate mu, its
// origin gives each response a max-age of maxAge seconds (RFC 7234 §4.2.1), a request
// takes d seconds from the cache to the origin, and the cache has its answer D seconds
// after sending it.
//
// A cycle starts when the origin answers for the copy the cache then holds (its Date).
// The copy is fresh for maxAge; the first request after that comes X ~ Exp(lambda)
// later (the Poisson process is memoryless), finds the copy stale and is sent on, and
// so is every request that arrives in the D seconds before the answer is back (the
// cache does not merge them): 1 + lambda·D stale requests. Each is answered 304 if the
// object has not changed since the cycle began, which for one sent u seconds after the
// first has probability e^{−mu·(maxAge + X + u + d)}; averaging over X and over the
// uniform times of the others,
//
//	NotModified = e^{−mu·(maxAge+d)} · lambda/(lambda+mu) · (1 + lambda·(1 − e^{−mu·D})/mu).
//
// The answer to the last of them starts the next cycle, d after it was sent; the last
// of the Poisson(lambda·D) others comes on average D − (1 − e^{−lambda·D})/lambda after
// the first, so
//
//	Length = maxAge + 1/lambda + D − (1 − e^{−lambda·D})/lambda + d,
//
// and Requests = lambda·Length (Wald's identity). By the renewal-reward theorem, the
// long-run rates are the cycle's counts divided by its Length.
func Revalidation(lambda, mu, maxAge, d, D float64) RevalidationCycle {
	if !(lambda > 0) || !(mu >= 0) || !(maxAge >= 0) || !(d >= 0) || !(D >= d) {
		panic(fmt.Sprintf("webcache: Revalidation(%v, %v, %v, %v, %v)", lambda, mu, maxAge, d, D))
	}
	c := RevalidationCycle{Stale: 1 + lambda*D}
	c.Length = maxAge + 1/lambda + D + math.Expm1(-lambda*D)/lambda + d
	c.Requests = lambda * c.Length
	others := lambda * D // mu → 0: every stale request is answered 304
	if mu > 0 {
		others = -lambda * math.Expm1(-mu*D) / mu
	}
	c.NotModified = math.Exp(-mu*(maxAge+d)) * lambda / (lambda + mu) * (1 + others)
	return c
}

// ConditionalGET is the experiment ConditionalGETTraffic describes: a cache holding
// every object of a Zipf(Alpha) catalogue of Origin.Catalogue objects, served by
// Origins origin servers (object i on server i mod Origins) that give max-age, on the
// institution network Net; RatePerS Poisson requests, the first Warmup of Requests not
// measured; stale copies revalidated with a conditional GET, or fetched again whole
// without Revalidate.
type ConditionalGET struct {
	Origin           OriginConfig
	Origins          int
	Alpha, RatePerS  float64
	Requests, Warmup int
	Revalidate       bool
	Net              topology.InstitutionConfig
}

// ConditionalGETTraffic is what crosses the access link in the experiment c, in the
// long run: the bytes, both ways, per request, and the share of conditional GETs
// answered 304 (0 with revalidation off). Each object is a Revalidation with lambda =
// c.RatePerS·p_i, mu = the origin's change rate, d the one-way propagation and
// transmission of a request from the cache to an origin and D the round trip of a
// request and its answer (a 304, or a 200 with revalidation off); every stale request
// moves its request's bytes (a conditional GET, or a plain GET with revalidation off)
// and its answer's: a 304's header, or a 200 with the object. An object whose first
// request comes after the warm-up (at rate lambda from time 0, the warm-up lasting
// c.Warmup/c.RatePerS seconds) is fetched whole then, and has no copy to revalidate
// before. The closed form leaves out queueing on the access link and the one-second
// resolution of HTTP dates, by which a change within the second of the copy's
// Last-Modified goes unseen.
func (c ConditionalGET) ConditionalGETTraffic() (bytesPerRequest, notModifiedShare float64, err error) {
	oc, net := c.Origin, c.Net
	if !oc.HasMaxAge || c.Origins < 1 || !(c.RatePerS > 0) || c.Requests <= c.Warmup {
		return 0, 0, errors.New("the closed form is for origins that give max-age, and a measured window")
	}
	ok := oc.OKWireBytes()
	notMod := (&http.Response{Version: http.Version11, Status: http.StatusNotModified, Server: oc.Name,
		HasLastModified: true, CacheControlMaxAge: oc.MaxAge, HasMaxAge: true}).WireBytes()
	reply := float64(ok)
	if c.Revalidate {
		reply = float64(notMod)
	}
	lan, access := net.LANDelay.Seconds(), net.AccessDelay.Seconds()
	out := net.InternetDelay.Seconds() / 2
	back := net.InternetDelay.Seconds() - out
	p := workload.ZipfProbabilities(int(oc.Catalogue), c.Alpha)
	warm := float64(c.Warmup) / c.RatePerS
	window := float64(c.Requests-c.Warmup) / c.RatePerS
	var stale, notModified, bytes float64
	for i, pi := range p {
		lambda := c.RatePerS * pi
		req := &http.Request{Method: http.MethodGet, Target: Target(int64(i)), Version: http.Version11,
			Host: fmt.Sprintf("server%d", i%c.Origins), UserAgent: BrowserAgent}
		if c.Revalidate {
			req.IfModifiedSince, req.HasIfModifiedSince = 0, true
		}
		reqB := float64(req.WireBytes())
		d := lan + access + out + reqB*8/net.LANBps + reqB*8/net.AccessBps
		D := d + back + access + lan + reply*8/net.AccessBps + reply*8/net.LANBps
		cy := Revalidation(lambda, oc.ChangesPerS, oc.MaxAge.Seconds(), d, D)
		if !c.Revalidate {
			cy.NotModified = 0
		}
		// The chance that the object's first request falls in the window, and the
		// share of the window in which the cache holds a copy.
		first := math.Exp(-lambda*warm) - math.Exp(-lambda*(warm+window))
		held := 1 - first/(lambda*window)
		stale += held * cy.Stale / cy.Length
		notModified += held * cy.NotModified / cy.Length
		bytes += held * (cy.Stale*reqB + cy.NotModified*float64(notMod) + (cy.Stale-cy.NotModified)*float64(ok)) / cy.Length
		get := *req
		get.HasIfModifiedSince = false
		bytes += first * float64(get.WireBytes()+ok) / window
	}
	if c.Revalidate {
		notModifiedShare = notModified / stale
	}
	return bytes / c.RatePerS, notModifiedShare, nil
}
