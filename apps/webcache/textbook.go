package webcache

import (
	"math"

	"netsim/sim"
)

// Institution is Kurose & Ross §2.2.5's institutional network as its closed forms see
// it, with the LAN the simulation has: browsers and the cache on a LAN of shared
// links, a router, an access link to the Internet router, and origins an Internet
// delay beyond.
type Institution struct {
	RatePerS      float64 // λ, the browsers' requests per second, together
	Cache         bool    // the browsers go through a proxy cache on the LAN
	HitRatio      float64 // the fraction the cache answers (0 without one)
	ResponseBytes int64   // an object's 200 response on the wire, header and body
	LANBps        float64
	AccessBps     float64
	LANDelay      sim.Time // one way, a host to the institution's router
	AccessDelay   sim.Time // one way, across the access link
	InternetDelay sim.Time // the round trip, Internet router to an origin
	// StoreAndForward: the cache receives a miss's response whole before it sends it
	// on the LAN; otherwise it relays it as it arrives.
	StoreAndForward bool
}

// Delta is Δ, the time to send one response over a link of bps.
func (in Institution) Delta(bps float64) float64 { return float64(in.ResponseBytes) * 8 / bps }

// OfferedLoad is the access link's intensity ρ = Δβ, β = (1 − hit ratio)·λ the rate
// of the responses that cross it.
func (in Institution) OfferedLoad() float64 {
	return in.Delta(in.AccessBps) * (1 - in.HitRatio) * in.RatePerS
}

// AccessTime is the access delay Δ/(1−Δβ); NaN when the link is overloaded (ρ ≥ 1).
func (in Institution) AccessTime() float64 {
	return orNaN(AccessDelay(in.Delta(in.AccessBps), (1-in.HitRatio)*in.RatePerS))
}

// LANTime is a response's time on the LAN link from the cache, which carries every
// response to the browsers: a processor-sharing queue like the access link, at
// intensity λΔ_LAN (the textbook's "negligible" LAN delay: 11.8 ms for its 1 Mbit at
// 100 Mbps and 15 requests/s). NaN when that link is overloaded.
func (in Institution) LANTime() float64 {
	return orNaN(AccessDelay(in.Delta(in.LANBps), in.RatePerS))
}

// ResponseTime is §2.2.5's total response time, hit ratio·(LAN) + miss ratio·(Internet
// delay + access delay + LAN), with the simulation's LAN, counting propagation as the
// connections' paths do (browser → router → cache → router → origin through a cache).
// A hit costs its LAN time and the round trip browser–cache, 4 LAN delays. A miss
// costs the Internet delay, the access link's propagation both ways, its access delay
// and the LAN's propagation (6 LAN delays through a cache, 2 without): the response
// crosses the LAN as it crosses the access link, relayed as it arrives, and only a
// cache that stores and forwards adds its LAN time after. NaN when a link is
// overloaded.
func (in Institution) ResponseTime() float64 {
	lan, d := in.LANTime(), in.LANDelay.Seconds()
	if math.IsNaN(lan) {
		return math.NaN()
	}
	miss := in.InternetDelay.Seconds() + 2*in.AccessDelay.Seconds() + in.AccessTime()
	if !in.Cache {
		return miss + 2*d
	}
	miss += 6 * d
	if in.StoreAndForward {
		miss += lan
	}
	return in.HitRatio*(lan+4*d) + (1-in.HitRatio)*miss
}

func orNaN(x float64) float64 {
	if math.IsInf(x, 1) {
		return math.NaN()
	}
	return x
}
